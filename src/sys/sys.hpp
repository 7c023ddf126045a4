// SPDX-License-Identifier: MIT
// The sys seam: the only functions that reach the network stack.
//
// One implementation per stack lives in src/sys/<stack>/ and is chosen at
// configure time (SOCKKIT_STACK). Everything above this header is stack-free:
// it sees endpoints, typed handles, portable option ids and ErrorCode.
// Contract for every implementation:
//   - EINTR (or the stack's equivalent) is retried here, never surfaced;
//   - no call raises SIGPIPE;
//   - every descriptor is created close-on-exec;
//   - errors are returned as the stack's native error_code; classify() maps
//     them onto sockkit::errc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sockkit/endpoint.hpp"
#include "sockkit/result.hpp"
#include "sockkit/stack.hpp"
#include "sockkit/types.hpp"

namespace sockkit::sys {

/// Portable option ids; every value travels as an int.
enum class Option : std::uint8_t {
  reuse_address,
  reuse_port,
  keepalive,
  keepalive_idle_s,
  keepalive_interval_s,
  keepalive_count,
  no_delay,
  user_timeout_ms,
  receive_timeout_ms,
  send_timeout_ms,
  receive_buffer,
  send_buffer,
  linger_s,  ///< -1 = off
  broadcast,
  ipv6_only,
  multicast_ttl,
  multicast_loopback,
  type_of_service,
};

/// Readiness bits for wait(), poll() and the pollers (same values as sockkit::io::*).
inline constexpr unsigned kReadable = 1, kWritable = 2, kError = 4, kHangup = 8, kInvalid = 16;

Result<NativeHandle> open(Family family, SocketType type) noexcept;
/// Whether the stack is up: failure::stack_not_started before lwIP runs
/// (start_stack or attach_stack); always on Linux.
Status stack_ready() noexcept;
Status close(NativeHandle h) noexcept;
/// Closes a TCP socket with a reset (RST) instead of a FIN; other sockets just close.
Status abort(NativeHandle h) noexcept;
Status set_nonblocking(NativeHandle h, bool on) noexcept;

Status bind(NativeHandle h, const Endpoint& at) noexcept;
Status listen(NativeHandle h, int backlog) noexcept;
/// New handle is close-on-exec and blocking; `peer` may be null.
Result<NativeHandle> accept(NativeHandle h, Endpoint* peer) noexcept;
/// On a non-blocking handle: errc::in_progress while the handshake runs.
/// On a blocking one, an interrupted connect is finished here, not restarted.
Status connect(NativeHandle h, const Endpoint& to) noexcept;
Status shutdown(NativeHandle h, Shutdown how) noexcept;
/// The unix-domain socket file at `at`, removed if it is a socket (for stale paths).
Status remove_socket_file(const Endpoint& at) noexcept;

Result<std::size_t> send(NativeHandle h, const void* data, std::size_t size) noexcept;
/// Most parts one send_gather call passes to the stack; the rest waits for the next call.
inline constexpr std::size_t kMaxGatherParts = 64;
/// Sends the parts in order with one call (sendmsg / writev): a header and its
/// payload leave together. Returns the bytes taken, which may end inside a part.
Result<std::size_t> send_gather(NativeHandle h,
                                std::span<const std::span<const std::byte>> parts) noexcept;
Result<std::size_t> receive(NativeHandle h, void* data, std::size_t size) noexcept;
/// `to` null: the connected peer.
Result<std::size_t> send_to(NativeHandle h, const void* data, std::size_t size,
                            const Endpoint* to) noexcept;
/// `from` may be null.
Result<Datagram> receive_from(NativeHandle h, void* data, std::size_t size) noexcept;
Result<std::size_t> send_batch(NativeHandle h, std::span<const OutgoingDatagram> batch) noexcept;
/// Only stacks that keep what they received themselves define these (lwIP's
/// raw API: its pbufs): the oldest received bytes of a connected stream, in
/// the stack's own buffer and valid until consume_received(); empty at the
/// peer's EOF, would_block when nothing has come, else the socket's error.
Result<std::span<const std::byte>> received(NativeHandle h) noexcept;
/// Gives back the first `count` bytes of what received() showed (and opens
/// the window by as much).
void consume_received(NativeHandle h, std::size_t count) noexcept;
Result<std::size_t> receive_batch(NativeHandle h, std::span<IncomingDatagram> batch) noexcept;

Result<Endpoint> local_endpoint(NativeHandle h) noexcept;
Result<Endpoint> peer_endpoint(NativeHandle h) noexcept;

Status set_option(NativeHandle h, Family family, Option option, int value) noexcept;
Result<int> get_option(NativeHandle h, Family family, Option option) noexcept;
/// Reads and clears SO_ERROR.
ErrorCode take_pending_error(NativeHandle h) noexcept;
Status multicast_membership(NativeHandle h, const Endpoint& group, std::uint32_t interface_index,
                            bool join) noexcept;
/// Sends and receives only through the named interface (SO_BINDTODEVICE; a
/// netif name such as "tp0" on lwIP); an empty name undoes it.
/// failure::unknown_interface when no interface has that name.
Status bind_to_device(NativeHandle h, std::string_view interface_name) noexcept;

/// Waits for `events` (kReadable | kWritable); returns the ready bits, 0 on
/// timeout. timeout_ms < 0 waits forever. EINTR shortens nothing.
Result<unsigned> wait(NativeHandle h, unsigned events, int timeout_ms) noexcept;

// -- Multiplexing primitives for the backends that exist on every stack.

/// Largest descriptor value + 1 that select() can watch (FD_SETSIZE).
int select_limit() noexcept;
/// select() over portable bitmaps: bit i of word i/64 stands for descriptor i.
/// Each bitmap holds at least (nfds + 63) / 64 words and is rewritten with the
/// ready bits. Returns the number of ready descriptors, 0 on timeout.
Result<int> select(int nfds, std::uint64_t* read_bits, std::uint64_t* write_bits,
                   int timeout_ms) noexcept;

/// One entry of poll(): events/revents use the Ready bits.
struct PollEntry {
  NativeHandle handle;
  std::uint16_t events = 0;
  std::uint16_t revents = 0;
};
/// poll() over portable entries. A stale descriptor is reported as kInvalid in
/// its entry on every stack, never as a failure of the whole call.
Result<int> poll(std::span<PollEntry> entries, int timeout_ms) noexcept;

/// A cross-thread wake-up: another thread calls wake(), the loop sees
/// read_end readable and calls drain(). eventfd on Linux.
struct Waker {
  NativeHandle read_end;
  NativeHandle write_end;
  void* stack_state = nullptr;  ///< the stack's own wake-up machinery (lwIP), else null
};
Result<Waker> open_waker() noexcept;
void wake(const Waker& waker) noexcept;
void drain(const Waker& waker) noexcept;
void close(Waker& waker) noexcept;

/// Interface name ("eth0", "lo") to index.
Result<std::uint32_t> interface_index(std::string_view name) noexcept;
/// The prefix length of the network a local address is on (its interface's
/// netmask), 0 if no interface holds it.
std::uint8_t on_link_prefix(const Endpoint& local) noexcept;
/// Reads a small local configuration file (resolv.conf, hosts) into `out`,
/// at most out.size() bytes. An error where the file is missing or the stack
/// has no files (lwIP).
Result<std::size_t> read_config_file(const char* path, std::span<char> out) noexcept;
/// Changes whenever the file changes (modification time and size); 0 when missing.
std::uint64_t config_file_stamp(const char* path) noexcept;
/// This host's name as the system knows it (gethostname); empty where there is none.
std::string host_name();
/// DNS servers the stack itself holds (lwIP: dns_getserver, set by the
/// application or by DHCP; Linux: none, resolv.conf is read instead).
std::vector<Endpoint> stack_dns_servers();
/// Replaces them; errc::not_supported where the stack keeps none (Linux).
Status set_stack_dns_servers(std::span<const Endpoint> servers) noexcept;

/// Called once per started stack_dns_lookup() with its token and the address
/// found (port 0), or failure::resolver_failure. It runs on the stack's own
/// thread (lwIP's tcpip thread; the loop's on the bare-metal stack).
using StackDnsDone = void (*)(std::uintptr_t token, Result<Endpoint> address) noexcept;
/// Whether the stack has a DNS client of its own (lwIP with LWIP_DNS).
bool stack_dns_available() noexcept;
/// Asks the stack's DNS client for `name`'s address of `family`. An answer
/// known at once (lwIP's cache) is returned; otherwise nullopt, and `done`
/// follows exactly once. failure::backend_unavailable without a client,
/// failure::no_address for a family the stack does not have,
/// failure::limit_reached when its table is full, failure::malformed_address
/// for a name it cannot ask, failure::stack_not_started.
Result<std::optional<Endpoint>> stack_dns_lookup(const std::string& name, Family family,
                                                 StackDnsDone done, std::uintptr_t token) noexcept;

/// Unpredictable bytes from the stack's platform, without blocking;
/// errc::not_supported where it has no source of its own.
Status random_bytes(std::span<std::byte> out) noexcept;

/// Milliseconds on the stack's own monotonic clock, in 64 bits (StackClock):
/// lwIP's 32-bit sys_now() widened where it wraps; CLOCK_MONOTONIC on Linux.
std::int64_t stack_milliseconds() noexcept;

/// Asks the C library to return free heap pages to the system (glibc keeps
/// them otherwise); nothing where the heap has no such call.
void give_back_free_heap() noexcept;

/// The lock guarding a loop's posted work, from the platform: the C++ runtime's
/// mutex on Linux, lwIP's sys_mutex (the RTOS port's) on lwIP — so the loop
/// builds where the C++ library has no threads (bare-metal newlib). Null when
/// out of memory.
struct Lock;
Lock* make_lock() noexcept;
void destroy(Lock* lock) noexcept;
void acquire(Lock* lock) noexcept;
void release(Lock* lock) noexcept;

/// Starting the stack, or finding it started (sockkit/stack.hpp): nothing to do
/// on Linux; on lwIP tcpip_init() by sockkit, or the application's own.
Status start_stack() noexcept;
Status attach_stack() noexcept;
/// The board's hooks (sockkit/stack.hpp): the bare-metal stack keeps them, the others ignore them.
void set_board_hooks(const BoardHooks& hooks) noexcept;

/// Nonzero and distinct for every live thread (RTOS task on lwIP), for the
/// loop's checks of who calls it.
std::uintptr_t current_thread_token() noexcept;

/// "linux" or "lwip", and what this stack can do (sockkit/stack.hpp).
const char* stack_name() noexcept;
bool supports(StackFeature feature) noexcept;

/// The portable condition of a code in this stack's own error category, if it has
/// one. Host errors (system and generic categories) are mapped by sockkit::classify.
std::optional<errc> classify(const ErrorCode& code) noexcept;

}  // namespace sockkit::sys
