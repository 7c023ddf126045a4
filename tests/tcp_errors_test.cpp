// SPDX-License-Identifier: MIT
// Every common socket error (docs/errors.md), produced for real on loopback.
#include <sys/resource.h>

#include <csignal>
#include <thread>
#include <vector>

#include "support/fixture.hpp"
#include "support/netns.hpp"

namespace sockkit::test {
namespace {

using namespace std::chrono_literals;
using TcpErrors = SockkitTest;

// ECONNRESET, way 1: the peer closes with SO_LINGER {1, 0} and the stack sends RST.
TEST_F(TcpErrors, ConnectionResetWhenThePeerAborts) {
  auto [client, server] = connected_pair(Family::ipv4);
  ASSERT_OK(server.abort());
  ASSERT_TRUE(*client.wait_readable(2s));
  char buf[8];
  EXPECT_ERRC(client.receive(std::span<char>(buf)), errc::connection_reset);
}

// ECONNRESET, way 2: the peer closes while our data sits unread in its buffer.
TEST_F(TcpErrors, ConnectionResetWhenThePeerClosesWithUnreadData) {
  auto [client, server] = connected_pair(Family::ipv4);
  ASSERT_OK(client.write_all("never read"));
  ASSERT_TRUE(*server.wait_readable(2s));  // the bytes have arrived
  ASSERT_OK(server.close());
  ASSERT_TRUE(*client.wait_readable(2s));
  char buf[8];
  EXPECT_ERRC(client.receive(std::span<char>(buf)), errc::connection_reset);
}

// EPIPE, with SIGPIPE at its default disposition (which kills the process).
// The first send after the peer closed succeeds — the peer answers with RST —
// so the test keeps sending; the process must survive every one of them.
TEST_F(TcpErrors, WritingToAClosedPeerIsAnErrorNotASignal) {
  struct sigaction previous {};
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  ASSERT_EQ(sigaction(SIGPIPE, &default_action, &previous), 0);
  auto [client, server] = connected_pair(Family::ipv4);
  ASSERT_OK(server.close());
  std::error_code last;
  int sends = 0;
  const auto start = LoopClock::now();
  while (sends < 100 && elapsed_ms(start) < 5000) {
    auto n = client.send("data");
    ++sends;
    if (!n) {
      last = n.error();
      if (last == errc::peer_closed) break;
    }
    std::this_thread::sleep_for(5ms);
  }
  sigaction(SIGPIPE, &previous, nullptr);
  EXPECT_GE(sends, 2) << "the first send after close should have succeeded";
  EXPECT_TRUE(last == errc::peer_closed || last == errc::connection_reset) << last.message();
  // Keep writing: still a value every time, never a signal.
  EXPECT_FALSE(client.send("more"));
  EXPECT_FALSE(client.write_all("and more"));
}

TEST_F(TcpErrors, ConnectionRefusedWhenNobodyListens) {
  Endpoint free_port;
  {
    auto listener = listen_loopback(Family::ipv4);
    free_port = *listener.local_endpoint();
  }
  EXPECT_ERRC(TcpStream::connect(free_port), errc::connection_refused);
  EXPECT_ERRC(TcpStream::connect(free_port, 1s), errc::connection_refused);
  if (!stack_supports(StackFeature::ipv6)) return;
  EXPECT_ERRC(TcpStream::connect(Endpoint::loopback_v6(free_port.port()), 1s),
              errc::connection_refused);
}

// EINPROGRESS is not an error: start_connect hides it, finish_connect checks SO_ERROR.
TEST_F(TcpErrors, NonBlockingConnectIsCheckedWithSoError) {
  auto listener = listen_loopback(Family::ipv4);
  auto stream = TcpStream::start_connect(*listener.local_endpoint());
  ASSERT_OK(stream);
  EXPECT_TRUE(stream->is_nonblocking());
  ASSERT_TRUE(*stream->wait_writable(2s));
  EXPECT_OK(stream->finish_connect());

  const Endpoint dead = *listener.local_endpoint();
  ASSERT_OK(listener.close());
  auto refused = TcpStream::start_connect(dead);
  ASSERT_OK(refused);                        // the refusal comes later, through SO_ERROR
  ASSERT_TRUE(*refused->wait_writable(2s));  // writable, yet not connected
  EXPECT_ERRC(refused->finish_connect(), errc::connection_refused);
}

// A listener with a full backlog silently drops SYNs (tcp_abort_on_overflow=0),
// like a silent peer: connect must give up at the configured time.
TEST_F(TcpErrors, ConnectTimeoutFiresAtTheConfiguredTime) {
  auto listener = listen_loopback(Family::ipv4, {.backlog = 0});
  const auto at = *listener.local_endpoint();
  std::vector<TcpStream> fillers;
  Result<TcpStream> attempt = failure::closed_socket;
  long long took_ms = 0;
  for (int i = 0; i < 16; ++i) {
    const auto start = LoopClock::now();
    attempt = TcpStream::connect(at, 300ms);
    took_ms = elapsed_ms(start);
    if (!attempt) break;
    fillers.push_back(std::move(*attempt));
  }
  ASSERT_FALSE(attempt) << "backlog never filled";
  EXPECT_ERRC(attempt, errc::timed_out);
  EXPECT_EQ(attempt.error(), make_error_code(failure::connect_timeout));
  EXPECT_GE(took_ms, 290);
  EXPECT_LT(took_ms, 3000);  // generous upper bound: a loaded CI machine
}

// The same against a really silent peer (a NAT that forgot us: no RST, no ICMP),
// in a network namespace the test creates: SYNs go to a neighbour entry whose
// MAC nobody owns. Without a timeout, connect() would wait ~2 minutes.
TEST_F(TcpErrors, ConnectTimeoutAgainstASilentPeerInANamespace) {
  if (std::string_view(stack_name()) != "linux")
    GTEST_SKIP() << stack_name() << " runs in this process, outside the kernel's namespaces "
                 << "(its connect timeout is tested against a full backlog)";
  auto run = run_in_private_netns([](std::string& report) {
    if (!shell("ip link add dev sk0 type veth peer name sk1") || !shell("ip link set dev sk0 up") ||
        !shell("ip link set dev sk1 up") || !shell("ip addr add 10.77.0.1/24 dev sk0") ||
        !shell("ip neigh replace 10.77.0.2 lladdr 02:00:00:00:77:02 dev sk0 nud permanent")) {
      report = "could not build the blackhole with iproute2";
      return 2;
    }
    const auto start = LoopClock::now();
    auto stream = TcpStream::connect(*Endpoint::parse("10.77.0.2:7"), 1500ms);
    const long long took = elapsed_ms(start);
    report = std::string(stream ? "connected" : to_string(classify(stream.error()))) + " after " +
             std::to_string(took) + " ms";
    return (!stream && stream.error() == errc::timed_out && took >= 1490 && took < 5000) ? 0 : 1;
  });
  if (!run.ran) GTEST_SKIP() << "needs a private network namespace: " << run.why;
  EXPECT_EQ(run.exit_code, 0) << run.report;
  std::printf("silent peer: %s\n", run.report.c_str());
}

// The SO_REUSEADDR story: a server that closed a connection first leaves
// the port in TIME_WAIT; a restart must bind at once.
TEST_F(TcpErrors, RestartedServerBindsDespiteTimeWait) {
  Endpoint port;
  {
    auto listener = listen_loopback(Family::ipv4);
    port = *listener.local_endpoint();
    auto client = TcpStream::connect(port, 1s);
    ASSERT_OK(client);
    auto accepted = listener.accept();
    ASSERT_OK(accepted);
    ASSERT_OK(accepted->stream.close());  // server closes first: TIME_WAIT on the server side
    char buf[1];
    ASSERT_EQ(*client->receive(std::span<char>(buf)), 0u);
  }
  // Without SO_REUSEADDR on the new socket: EADDRINUSE.
  EXPECT_ERRC(TcpListener::bind(port, {.reuse_address = false}), errc::address_in_use);
  // With it (the default), the restart binds at once.
  auto restarted = TcpListener::bind(port);
  ASSERT_OK(restarted);
  EXPECT_TRUE(*restarted->reuse_address());
  auto client = TcpStream::connect(port, 1s);
  EXPECT_OK(client);
}

TEST_F(TcpErrors, AddressInUseWhileAListenerHoldsThePort) {
  auto listener = listen_loopback(Family::ipv4);
  EXPECT_ERRC(TcpListener::bind(*listener.local_endpoint()), errc::address_in_use);
}

TEST_F(TcpErrors, BindToAForeignAddressIsNotAvailable) {
  EXPECT_ERRC(TcpListener::bind(*Endpoint::parse("192.0.2.1:0")), errc::address_not_available);
}

TEST_F(TcpErrors, BadListenArgumentsAreRefused) {
  EXPECT_ERRC(TcpListener::bind(Endpoint{}), errc::invalid_argument);
  EXPECT_ERRC(TcpListener::bind(Endpoint::loopback_v4(0), {.backlog = -1}), errc::invalid_argument);
  EXPECT_ERRC(TcpStream::connect(Endpoint{}), errc::invalid_argument);
}

TEST_F(TcpErrors, NonBlockingAcceptWithNothingPendingWouldBlock) {
  auto listener = listen_loopback(Family::ipv4);
  ASSERT_OK(listener.set_nonblocking(true));
  EXPECT_ERRC(listener.accept(), errc::would_block);
}

TEST_F(TcpErrors, RunningOutOfDescriptorsIsTooManySockets) {
  SOCKKIT_REQUIRE(descriptor_limit);  // lwIP: tests/lwip/limits_test.cpp, constrained profile
  auto listener = listen_loopback(Family::ipv4);
  struct rlimit_guard {
    rlimit_guard() { getrlimit(RLIMIT_NOFILE, &saved); }
    ~rlimit_guard() { setrlimit(RLIMIT_NOFILE, &saved); }
    struct rlimit saved {};
  } guard;
  std::vector<Socket> hoard;
  struct rlimit low = guard.saved;
  low.rlim_cur = static_cast<rlim_t>(open_descriptor_count() + 8);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  Result<Socket> s = failure::closed_socket;
  for (int i = 0; i < 64; ++i) {
    s = Socket::open(Family::ipv4, SocketType::stream);
    if (!s) break;
    hoard.push_back(std::move(*s));
  }
  EXPECT_ERRC(s, errc::too_many_sockets);
}

}  // namespace
}  // namespace sockkit::test
