// SPDX-License-Identifier: MIT
// The loop's wake-up on the bare-metal stack: a flag in the socket table that
// poll() sees as readable. Setting it needs no lwIP call, so wake() is safe
// from another thread (hosted) or an interrupt handler (a board), and the
// sleeping loop notices at once (hosted) or at the interrupt that called it.
#include "sys/lwip-raw/raw.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {

Result<Waker> open_waker() noexcept {
  raw::StackGuard guard;
  const int handle = raw::allocate(raw::Kind::waker);
  if (handle < 0) return raw::error(EMFILE);
  return Waker{NativeHandle{handle}, NativeHandle{}, nullptr};
}

namespace {
void set_pending(const Waker& waker) noexcept {
  if (raw::Socket* s = raw::find(waker.read_end.value)) s->wake_pending = true;
  raw::note_activity();
}
}  // namespace

void wake(const Waker& waker) noexcept {
  // From inside lwIP (a DNS answer posted to the loop) this thread holds the guard.
  if (raw::StackGuard::held_here()) return set_pending(waker);
  raw::StackGuard guard;  // nothing on a board, where an interrupt may call this
  set_pending(waker);
}

void drain(const Waker& waker) noexcept {
  raw::StackGuard guard;
  if (raw::Socket* s = raw::find(waker.read_end.value)) s->wake_pending = false;
}

void close(Waker& waker) noexcept {
  if (waker.read_end.valid()) {
    raw::StackGuard guard;
    raw::release(waker.read_end.value);
  }
  waker = Waker{};
}

}  // namespace sockkit::sys
