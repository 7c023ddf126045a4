// SPDX-License-Identifier: MIT
// Socket lifecycle over lwIP's raw API, with the contract the other stacks keep:
// a refused connect is ECONNREFUSED, a reset peer ECONNRESET, a closed listener's
// unaccepted connections are reset, closing with unread data sends a reset.
#include <cstdint>

#include "lwip/ip.h"
#include "lwip/netif.h"
#include "lwip/priv/tcp_priv.h"  // tcp_rst
#include "lwip/prot/ip4.h"
#include "lwip/prot/tcp.h"
#include "sys/lwip-raw/raw.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {
using raw::error;
using raw::find;
using raw::Kind;
using raw::Socket;
using raw::StackGuard;

namespace {

void* as_arg(int handle) noexcept {
  return reinterpret_cast<void*>(static_cast<std::intptr_t>(handle));
}
int as_handle(void* arg) noexcept {
  return static_cast<int>(reinterpret_cast<std::intptr_t>(arg));
}

err_t on_received(void* arg, tcp_pcb* pcb, pbuf* p, err_t err) {
  Socket* s = find(as_handle(arg));
  if (s == nullptr || s->tcp != pcb) {  // closed meanwhile: lwIP's default
    if (p != nullptr) {
      tcp_recved(pcb, p->tot_len);
      pbuf_free(p);
    }
    return ERR_OK;
  }
  raw::note_activity();
  if (p == nullptr || err != ERR_OK) {
    s->peer_closed = true;
    if (p != nullptr) pbuf_free(p);
    return ERR_OK;
  }
  if (s->read_shut) {  // shut for reading: discarded, as Linux does
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
  }
  const int held = s->received != nullptr ? s->received->tot_len : 0;
  if (held > 0 && held + p->tot_len > s->receive_buffer)
    return ERR_MEM;  // past SO_RCVBUF: lwIP keeps the bytes and offers them again later
  if (s->received == nullptr)
    s->received = p;
  else
    pbuf_cat(s->received, p);  // the window stays closed by these bytes until read
  return ERR_OK;
}

err_t on_sent(void*, tcp_pcb*, u16_t) {
  raw::note_activity();  // room to write again
  return ERR_OK;
}

void on_error(void* arg, err_t err) {  // lwIP has freed the PCB already
  Socket* s = find(as_handle(arg));
  if (s == nullptr) return;
  raw::note_activity();
  s->tcp = nullptr;  // what arrived before the reset stays readable; the error comes after it
  if (s->connecting && err == ERR_RST) {
    s->pending_error = ECONNREFUSED;
    s->was_refused = true;
  } else {
    s->pending_error = raw::errno_of(err);
  }
  s->connecting = false;
}

err_t on_connected(void* arg, tcp_pcb*, err_t) {
  Socket* s = find(as_handle(arg));
  if (s == nullptr) return ERR_OK;
  raw::note_activity();
  s->connecting = false;
  s->connected = true;
  return ERR_OK;
}

void hear(tcp_pcb* pcb, int handle) noexcept {
  tcp_arg(pcb, as_arg(handle));
  tcp_recv(pcb, on_received);
  tcp_sent(pcb, on_sent);
  tcp_err(pcb, on_error);
}

// A connection closed by its owner that still hears data answers with a reset,
// as a kernel does for a socket nobody holds.
err_t on_received_after_close(void*, tcp_pcb* pcb, pbuf* p, err_t err) {
  if (p == nullptr) return err == ERR_OK ? tcp_close(pcb) : err_t{ERR_OK};  // the peer's FIN
  pbuf_free(p);
  tcp_abort(pcb);
  return ERR_ABRT;
}

void forget(tcp_pcb* pcb) noexcept {
  tcp_arg(pcb, nullptr);
  if (pcb->state == LISTEN) {  // a listening PCB has only the accept callback
    tcp_accept(pcb, nullptr);
    return;
  }
  tcp_recv(pcb, on_received_after_close);
  tcp_sent(pcb, nullptr);
  tcp_err(pcb, nullptr);
}

// lwIP had no PCB for a SYN (its pool is spent) and drops it without a word,
// relying on the peer to retry, which it does for a minute or more. A reset
// answers at once, as a closed port does: the peer's connect is refused. The
// SYN being processed is lwIP's current input; tcp_input has put its header
// fields in host order already.
void refuse_syn_without_pcb() noexcept {
#if LWIP_IPV4
  if (ip_current_is_v6()) return;
  const ip_hdr* ip = ip4_current_header();
  if (ip == nullptr) return;
  const auto* syn =
      reinterpret_cast<const tcp_hdr*>(reinterpret_cast<const u8_t*>(ip) + IPH_HL_BYTES(ip));
  tcp_rst(nullptr, 0, syn->seqno + 1, ip_current_dest_addr(), ip_current_src_addr(), syn->dest,
          syn->src);
#endif
}

err_t on_accepted(void* arg, tcp_pcb* pcb, err_t err) {
  if (pcb == nullptr && err == ERR_MEM) {
    refuse_syn_without_pcb();
    return ERR_MEM;
  }
  const int listener = as_handle(arg);
  Socket* l = find(listener);
  if (err != ERR_OK || pcb == nullptr || l == nullptr) return ERR_VAL;
  const int handle = raw::allocate(Kind::tcp);
  if (handle < 0) {  // no record left: refuse this one with a reset, keep serving
    tcp_abort(pcb);
    return ERR_ABRT;
  }
  Socket& s = *find(handle);
  s.tcp = pcb;
  s.connected = true;
  hear(pcb, handle);
  // It counts against the backlog until accept() takes it.
  tcp_backlog_delayed(pcb);
  if (l->pending_tail >= 0)
    find(l->pending_tail)->next_pending = handle;
  else
    l->pending_head = handle;
  l->pending_tail = handle;
  ++l->pending_count;
  raw::note_activity();
  return ERR_OK;
}

void close_tcp(Socket& s, bool with_reset) noexcept {
  if (s.tcp == nullptr) return;
  tcp_pcb* pcb = s.tcp;
  s.tcp = nullptr;
  forget(pcb);
  // Unread data makes a close a reset, as on Linux; bytes a handler was shown in
  // place count as read, consumed or not.
  const bool unread = s.received != nullptr && s.received->tot_len - s.received_offset > s.lent;
  if (with_reset || unread || s.linger_s == 0 || pcb->state == LISTEN) {
    if (pcb->state == LISTEN)
      tcp_close(pcb);  // a listening PCB has no peer to reset
    else
      tcp_abort(pcb);
    return;
  }
  // lwIP resets a connection closed with its window not fully open: what was
  // lent counts as read, so the window opens by it first.
  if (s.received != nullptr)
    tcp_recved(pcb, static_cast<u16_t>(s.received->tot_len - s.received_offset));
  if (tcp_close(pcb) != ERR_OK) tcp_abort(pcb);  // no memory for the FIN: reset instead
}

Status close_locked(int handle, bool with_reset) noexcept {
  Socket* s = find(handle);
  if (s == nullptr || s->kind == Kind::waker) return error(EBADF);
  if (s->kind == Kind::listener) {
    // Connections nobody accepted are reset, as Linux does on closing a listener.
    for (int p = s->pending_head; p >= 0;) {
      Socket* pending = find(p);
      const int next = pending->next_pending;
      close_tcp(*pending, true);
      raw::release(p);
      p = next;
    }
  }
  if (s->kind == Kind::udp && s->udp != nullptr) udp_remove(s->udp);
  close_tcp(*s, with_reset);
  raw::release(handle);
  raw::note_activity();
  return {};
}

void on_datagram(void* arg, udp_pcb*, pbuf* p, const ip_addr_t* from, u16_t port) {
  Socket* s = find(as_handle(arg));
  if (s == nullptr || s->datagram_count == raw::kDatagramQueue) {
    pbuf_free(p);  // a full receive queue drops, as a full socket buffer does
    return;
  }
  auto& slot = s->datagrams[(s->datagram_head + s->datagram_count) % raw::kDatagramQueue];
  slot.packet = p;
  slot.from = *from;
  slot.port = port;
  ++s->datagram_count;
  raw::note_activity();
}

bool is_local_address(const ip_addr_t& a) noexcept {
  if (ip_addr_isany_val(a) || ip_addr_ismulticast(&a)) return true;
  netif* n = nullptr;
  NETIF_FOREACH(n) {
    if (ip_addr_cmp(netif_ip_addr4(n), &a) || ip_addr_isbroadcast(&a, n)) return true;
  }
  return false;
}

}  // namespace

Status stack_ready() noexcept {
  if (!raw::running()) return failure::stack_not_started;
  return {};
}

Result<NativeHandle> open(Family family, SocketType type) noexcept {
  if (!raw::running()) return failure::stack_not_started;
  if (family != Family::ipv4) return error(EAFNOSUPPORT);
  StackGuard guard;
  const int handle = raw::allocate(type == SocketType::stream ? Kind::tcp : Kind::udp);
  if (handle < 0) return error(EMFILE);
  Socket& s = *find(handle);
  if (type == SocketType::stream) {
    s.tcp = tcp_new();
    if (s.tcp != nullptr) hear(s.tcp, handle);
  } else {
    s.udp = udp_new();
    if (s.udp != nullptr) udp_recv(s.udp, on_datagram, as_arg(handle));
  }
  if (s.tcp == nullptr && s.udp == nullptr) {
    raw::release(handle);
    return error(EMFILE);  // out of PCBs: the same condition as out of descriptors
  }
  return NativeHandle{handle};
}

Status close(NativeHandle h) noexcept {
  StackGuard guard;
  return close_locked(h.value, false);
}

Status abort(NativeHandle h) noexcept {
  StackGuard guard;
  return close_locked(h.value, true);
}

Status set_nonblocking(NativeHandle h, bool on) noexcept {
  StackGuard guard;
  Socket* s = find(h.value);
  if (s == nullptr) return error(EBADF);
  s->nonblocking = on;
  return {};
}

Status bind(NativeHandle h, const Endpoint& at) noexcept {
  auto address = raw::to_address(at);
  if (!address) return address.error();
  StackGuard guard;
  Socket* s = find(h.value);
  if (s == nullptr) return error(EBADF);
  if (!is_local_address(*address)) return error(EADDRNOTAVAIL);
  err_t err = ERR_ARG;
  if (s->tcp != nullptr)
    err = tcp_bind(s->tcp, &*address, at.port());
  else if (s->udp != nullptr)
    err = udp_bind(s->udp, &*address, at.port());
  if (err != ERR_OK) return error(raw::errno_of(err));
  return {};
}

Status listen(NativeHandle h, int backlog) noexcept {
  StackGuard guard;
  Socket* s = find(h.value);
  if (s == nullptr) return error(EBADF);
  if (s->kind != Kind::tcp || s->tcp == nullptr || s->connected || s->connecting)
    return error(EINVAL);
  const u8_t limit = static_cast<u8_t>(backlog < 1 ? 1 : backlog > 255 ? 255 : backlog);
  err_t err = ERR_OK;
  tcp_pcb* listening = tcp_listen_with_backlog_and_err(s->tcp, limit, &err);
  if (listening == nullptr) return error(raw::errno_of(err));
  s->tcp = listening;  // lwIP freed the original PCB
  s->kind = Kind::listener;
  s->backlog = limit;
  tcp_arg(listening, as_arg(h.value));
  tcp_accept(listening, on_accepted);
  return {};
}

Status remove_socket_file(const Endpoint&) noexcept {
  return {};  // no Unix domain here
}

Result<NativeHandle> accept(NativeHandle h, Endpoint* peer) noexcept {
  StackGuard guard;
  raw::pump();
  Socket* l = find(h.value);
  if (l == nullptr) return error(EBADF);
  if (l->kind != Kind::listener) return error(EINVAL);
  for (;;) {
    if (l->pending_count == 0) {
      if (l->nonblocking) return error(EWOULDBLOCK);
      raw::wait_until(
          guard, h.value, [](const Socket& s) { return s.pending_count > 0; },
          l->receive_timeout_ms > 0 ? l->receive_timeout_ms : -1);
      l = find(h.value);
      if (l == nullptr) return error(EBADF);
      if (l->pending_count == 0) return error(EWOULDBLOCK);  // SO_RCVTIMEO passed
    }
    const int handle = l->pending_head;
    Socket& s = *find(handle);
    l->pending_head = s.next_pending;
    if (l->pending_head < 0) l->pending_tail = -1;
    --l->pending_count;
    s.next_pending = -1;
    if (s.tcp == nullptr) {  // reset while queued: not the listener's fault
      raw::release(handle);
      return error(ECONNABORTED);
    }
    tcp_backlog_accepted(s.tcp);
    if (peer != nullptr) *peer = raw::from_address(s.tcp->remote_ip, s.tcp->remote_port);
    return NativeHandle{handle};
  }
}

Status connect(NativeHandle h, const Endpoint& to) noexcept {
  auto address = raw::to_address(to);
  if (!address) return address.error();
  StackGuard guard;
  Socket* s = find(h.value);
  if (s == nullptr) return error(EBADF);
  if (s->kind == Kind::udp) {
    const err_t err = udp_connect(s->udp, &*address, to.port());
    if (err != ERR_OK) return error(raw::errno_of(err));
    return {};
  }
  if (s->kind != Kind::tcp) return error(EINVAL);
  if (s->connected) return error(EISCONN);
  if (s->connecting) return error(EALREADY);
  if (s->tcp == nullptr) return error(s->pending_error != 0 ? s->pending_error : EINVAL);
  const err_t err = tcp_connect(s->tcp, &*address, to.port(), on_connected);
  if (err != ERR_OK) return error(raw::errno_of(err));
  s->connecting = true;
  if (s->nonblocking) return error(EINPROGRESS);
  const int timeout = s->send_timeout_ms > 0 ? s->send_timeout_ms : -1;
  raw::wait_until(
      guard, h.value, [](const Socket& x) { return !x.connecting; }, timeout);
  s = find(h.value);
  if (s == nullptr) return error(EBADF);
  if (s->connecting) return error(EINPROGRESS);  // SO_SNDTIMEO passed: still under way
  if (s->pending_error != 0) return error(std::exchange(s->pending_error, 0));
  return {};
}

Status shutdown(NativeHandle h, Shutdown how) noexcept {
  StackGuard guard;
  Socket* s = find(h.value);
  if (s == nullptr) return error(EBADF);
  if (s->kind != Kind::tcp || !s->connected) return error(ENOTCONN);
  const bool read = how != Shutdown::write, write = how != Shutdown::read;
  if (read && !s->read_shut) {
    s->read_shut = true;
    if (s->received != nullptr && s->tcp != nullptr) tcp_recved(s->tcp, s->received->tot_len);
    if (s->received != nullptr) pbuf_free(s->received);
    s->received = nullptr;
    s->peer_closed = true;  // reads return end of stream from now on
  }
  if (write && !s->write_shut) {
    s->write_shut = true;
    if (s->tcp != nullptr) {
      const err_t err = tcp_shutdown(s->tcp, 0, 1);  // FIN after what is queued
      if (err != ERR_OK) return error(raw::errno_of(err));
    }
  }
  raw::note_activity();
  return {};
}

Result<Endpoint> local_endpoint(NativeHandle h) noexcept {
  StackGuard guard;
  Socket* s = find(h.value);
  if (s == nullptr) return error(EBADF);
  if (s->tcp != nullptr) return raw::from_address(s->tcp->local_ip, s->tcp->local_port);
  if (s->udp != nullptr) return raw::from_address(s->udp->local_ip, s->udp->local_port);
  return error(EINVAL);
}

Result<Endpoint> peer_endpoint(NativeHandle h) noexcept {
  StackGuard guard;
  Socket* s = find(h.value);
  if (s == nullptr) return error(EBADF);
  if (s->kind == Kind::tcp && s->connected && s->tcp != nullptr)
    return raw::from_address(s->tcp->remote_ip, s->tcp->remote_port);
  if (s->kind == Kind::udp && (s->udp->flags & UDP_FLAGS_CONNECTED) != 0)
    return raw::from_address(s->udp->remote_ip, s->udp->remote_port);
  return error(ENOTCONN);
}

ErrorCode take_pending_error(NativeHandle h) noexcept {
  StackGuard guard;
  raw::pump();
  Socket* s = find(h.value);
  if (s == nullptr) return error(EBADF);
  if (s->pending_error == 0) return {};
  return error(std::exchange(s->pending_error, 0));
}

Result<unsigned> wait(NativeHandle h, unsigned events, int timeout_ms) noexcept {
  PollEntry e{h, static_cast<std::uint16_t>(events), 0};
  auto n = poll({&e, 1}, timeout_ms);
  if (!n) return n.error();
  if (e.revents & kInvalid) return error(EBADF);
  return static_cast<unsigned>(e.revents);
}

}  // namespace sockkit::sys
