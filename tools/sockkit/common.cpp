#include "common.hpp"

#include <cstdio>

namespace sockkit::cli {

int fail(const std::string& what, const std::error_code& ec) {
  const errc cond = classify(ec);
  std::fprintf(stderr, "sockkit: %s: %s [%s]\n", what.c_str(), ec.message().c_str(),
               to_string(cond));
  return kFailure;
}

Result<Endpoint> first_endpoint(const std::string& text, bool passive) {
  auto eps = resolve(text, {.passive = passive});
  if (!eps) return eps.error();
  return eps->front();
}

std::chrono::milliseconds to_millis(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0));
}

}  // namespace sockkit::cli
