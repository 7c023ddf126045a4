// SPDX-License-Identifier: MIT
// lwIP's error numbers ("lwip" category) and their portable conditions.
#include <cstring>
#include <string>

#include "sys/lwip/lwip.hpp"  // lwIP's errno names first: the switch below uses them

#include "sys/errno_conditions.hpp"
#include "sys/numbered_text.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {
namespace lwip {
namespace {
class LwipCategory final : public ErrorCategory {
 public:
  const char* name() const noexcept override { return "lwip"; }
  std::string message(int value) const override {
#if SOCKKIT_ERROR_STRINGS
    return std::string("lwIP: ") + std::strerror(value);  // hosted port: host errno numbering
#else
    return numbered_text("lwIP errno ", value);
#endif
  }
};
}  // namespace

const ErrorCategory& category() noexcept {
  static const LwipCategory instance;
  return instance;
}
}  // namespace lwip

std::optional<errc> classify(const ErrorCode& code) noexcept {
  if (code.category() != lwip::category()) return std::nullopt;
  return errno_condition(code.value());  // lwIP's own E* names (lwip.hpp includes them)
}

}  // namespace sockkit::sys
