// The Linux kernel's stack: everything sockkit offers is here.
#include "sys/sys.hpp"

namespace sockkit::sys {

const char* stack_name() noexcept {
  return "linux";
}

bool supports(StackFeature) noexcept {
  return true;
}

}  // namespace sockkit::sys
