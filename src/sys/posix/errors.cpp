// errno values to sockkit's portable conditions.
#include <cerrno>

#include "sys/errno_conditions.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {

std::optional<errc> classify(const std::error_code& code) noexcept {
  if (code.category() != std::system_category() && code.category() != std::generic_category())
    return std::nullopt;
  return errno_condition(code.value());
}

}  // namespace sockkit::sys
