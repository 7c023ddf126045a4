// SPDX-License-Identifier: MIT
// The bare-metal stack's name, features, errors, entropy and DNS servers.
#include <cstring>
#include <string>

#include "sys/errno_conditions.hpp"
#include "sys/lwip-raw/raw.hpp"
#include "sys/lwip/dns_servers.hpp"
#include "sys/numbered_text.hpp"
#include "sys/sys.hpp"

#if SOCKKIT_RAW_HOSTED
#include "sys/linux_random.hpp"
#endif

namespace sockkit::sys {
namespace raw {
namespace {
class RawCategory final : public ErrorCategory {
 public:
  const char* name() const noexcept override { return "lwip-raw"; }
  std::string message(int value) const override {
#if SOCKKIT_ERROR_STRINGS
    return std::string("lwIP: ") + std::strerror(value);
#else
    return numbered_text("lwIP errno ", value);
#endif
  }
};
}  // namespace

const ErrorCategory& category() noexcept {
  static const RawCategory instance;
  return instance;
}

int errno_of(err_t err) noexcept {
  switch (err) {
    case ERR_OK:
      return 0;
    case ERR_MEM:
    case ERR_BUF:
      return ENOBUFS;
    case ERR_TIMEOUT:
      return ETIMEDOUT;
    case ERR_RTE:
      return EHOSTUNREACH;
    case ERR_INPROGRESS:
      return EINPROGRESS;
    case ERR_VAL:
    case ERR_ARG:
      return EINVAL;
    case ERR_WOULDBLOCK:
      return EWOULDBLOCK;
    case ERR_USE:
      return EADDRINUSE;
    case ERR_ALREADY:
      return EALREADY;
    case ERR_ISCONN:
      return EISCONN;
    case ERR_CONN:
    case ERR_CLSD:
      return ENOTCONN;
    case ERR_ABRT:
      return ECONNABORTED;
    case ERR_RST:
      return ECONNRESET;
    case ERR_IF:
      return ENETUNREACH;
    default:
      return EIO;
  }
}
}  // namespace raw

std::optional<errc> classify(const ErrorCode& code) noexcept {
  if (code.category() != raw::category()) return std::nullopt;
  return errno_condition(code.value());
}

const char* stack_name() noexcept {
  return "lwip-raw";
}

bool supports(StackFeature feature) noexcept {
  switch (feature) {
    case StackFeature::multicast:
      return LWIP_IGMP != 0;  // the roomy profile; a constrained device leaves it out
    case StackFeature::name_resolution:
      return true;  // sockkit's resolver over UDP; servers from the application
    case StackFeature::ipv6:
    case StackFeature::unix_domain:
    case StackFeature::interface_names:
    case StackFeature::reuse_port:
    case StackFeature::send_buffer_size:
    case StackFeature::user_timeout:
    case StackFeature::close_on_exec:
    case StackFeature::descriptor_limit:
    case StackFeature::icmp_errors:
      return false;
  }
  return false;
}

Status random_bytes(std::span<std::byte> out) noexcept {
#if SOCKKIT_RAW_HOSTED
  return linux_random_bytes(out);  // hosted on Linux: the host's pool
#else
  (void)out;  // only the board knows its generator (sockkit::set_entropy_source)
  return make_error(std::errc::not_supported);
#endif
}

std::vector<Endpoint> stack_dns_servers() {
  if (!raw::running()) return {};
  return lwip_dns::servers<raw::StackGuard>();
}

Status set_stack_dns_servers(std::span<const Endpoint> servers) noexcept {
  return lwip_dns::set_servers<raw::StackGuard>(servers, raw::running());
}

bool stack_dns_available() noexcept {
  return LWIP_DNS != 0;
}

Result<std::optional<Endpoint>> stack_dns_lookup(const std::string& name, Family family,
                                                 StackDnsDone done, std::uintptr_t token) noexcept {
  return lwip_dns::lookup<raw::StackGuard>(name, family, done, token, raw::running());
}

}  // namespace sockkit::sys
