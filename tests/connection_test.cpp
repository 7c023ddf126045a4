// SPDX-License-Identifier: MIT
// The connection layer's promises one by one: framing limits, the write-queue
// cap, half-close from our side, graceful shutdown, and Client's async connect.
#include <thread>
#include <vector>

#include "support/fixture.hpp"
#include "support/server_thread.hpp"

namespace sockkit::test {
namespace {

using namespace std::chrono_literals;
using Clock = sockkit::LoopClock;

std::span<const std::byte> bytes(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

// -- Framers, without sockets.

using FramingTest = SockkitTest;

TEST_F(FramingTest, DelimiterFramerSplitsAndLimits) {
  DelimiterFramer lines('\n', 8);
  auto f = lines.next(bytes("abc\ndef\n"));
  ASSERT_OK(f);
  EXPECT_EQ(f->consumed, 4u);
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(f->payload.data()), f->payload.size()),
            "abc");
  auto partial = lines.next(bytes("abcdefgh"));  // 8 bytes, no delimiter yet: still allowed
  ASSERT_OK(partial);
  EXPECT_EQ(partial->consumed, 0u);
  EXPECT_ERRC(lines.next(bytes("abcdefghi")), errc::message_too_large);
  auto exact = lines.next(bytes("abcdefgh\n"));  // a payload of exactly max_frame
  ASSERT_OK(exact);
  EXPECT_EQ(exact->consumed, 9u);
}

TEST_F(FramingTest, LengthPrefixFramerReadsEncodesAndLimits) {
  for (int prefix : {1, 2, 4}) {
    LengthPrefixFramer framer(prefix, 100);
    std::vector<std::byte> wire(static_cast<std::size_t>(prefix));
    ASSERT_OK(framer.encode_header(5, wire));
    for (char c : std::string_view("hello"))
      wire.push_back(static_cast<std::byte>(c));
    auto f = framer.next(wire);
    ASSERT_OK(f);
    EXPECT_EQ(f->consumed, static_cast<std::size_t>(prefix) + 5);
    EXPECT_EQ(f->payload.size(), 5u);
    auto short_read = framer.next(std::span(wire).first(wire.size() - 1));
    ASSERT_OK(short_read);
    EXPECT_EQ(short_read->consumed, 0u);
    EXPECT_ERRC(framer.encode_header(101, wire), errc::message_too_large);
  }
  LengthPrefixFramer one_byte(1, 1000);
  std::byte header[1];
  EXPECT_ERRC(one_byte.encode_header(256, header), errc::message_too_large);  // does not fit 1 byte
  // A prefix announcing more than max_frame is refused before any payload is buffered.
  LengthPrefixFramer four(4, 1024);
  const std::byte huge[4] = {std::byte{0x7f}, std::byte{0}, std::byte{0}, std::byte{0}};
  EXPECT_ERRC(four.next(huge), errc::message_too_large);
}

// -- Connection behaviour, with the server on its own loop thread.

// Delivers lines; records each, and the reason of every close.
struct LineHandler : ConnectionHandler {
  explicit LineHandler(std::size_t max) : framer('\n', max) {}
  Result<std::size_t> on_data(Connection&, std::span<const std::byte> data) override {
    std::size_t used = 0;
    for (;;) {
      auto f = framer.next(data.subspan(used));
      if (!f) return f.error();
      if (f->consumed == 0) return used;
      lines.emplace_back(reinterpret_cast<const char*>(f->payload.data()), f->payload.size());
      used += f->consumed;
    }
  }
  void on_close(Connection&, std::error_code why) override { closes.push_back(why); }
  DelimiterFramer framer;
  std::vector<std::string> lines;
  std::vector<std::error_code> closes;
};

std::vector<std::error_code> wait_for_close(ServerThread& server,
                                            const std::vector<std::error_code>& closes) {
  std::vector<std::error_code> seen;
  const auto start = Clock::now();
  while (seen.empty() && elapsed_ms(start) < 5000) {
    server.call([&](EventLoop&, Server&) { seen = closes; });
    std::this_thread::sleep_for(5ms);
  }
  return seen;
}

using ConnectionTest = SockkitTest;

TEST_F(ConnectionTest, FramesSpanReadsAndAnOversizedFrameClosesClearly) {
  LineHandler handler(16);
  ServerOptions options;
  options.limits.read_chunk = 3;  // frames arrive in pieces
  ServerThread server(default_backend(), handler, options);
  ASSERT_TRUE(server.ok()) << server.error();
  auto s = TcpStream::connect(server.endpoint(), 5s);
  ASSERT_OK(s);
  ASSERT_OK(s->write_all("first line\nsecond\n"));
  ASSERT_OK(s->write_all(std::string(40, 'x')));  // no newline within 16 bytes
  auto closes = wait_for_close(server, handler.closes);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_TRUE(closes[0] == errc::message_too_large) << closes[0].message();
  std::vector<std::string> lines;
  server.call([&](EventLoop&, Server&) { lines = handler.lines; });
  EXPECT_EQ(lines, (std::vector<std::string>{"first line", "second"}));
}

TEST_F(ConnectionTest, UnconsumedInputIsBoundedByMaxPendingRead) {
  struct Hoarder : ConnectionHandler {
    Result<std::size_t> on_data(Connection&, std::span<const std::byte>) override { return 0; }
    void on_close(Connection&, std::error_code why) override { closes.push_back(why); }
    std::vector<std::error_code> closes;
  } hoarder;
  ServerOptions options;
  options.limits.max_pending_read = 1000;
  ServerThread server(default_backend(), hoarder, options);
  ASSERT_TRUE(server.ok()) << server.error();
  auto s = TcpStream::connect(server.endpoint(), 5s);
  ASSERT_OK(s);
  ASSERT_OK(s->write_all(std::string(5000, 'a')));
  auto closes = wait_for_close(server, hoarder.closes);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0], make_error_code(failure::frame_too_large));
}

// Past max_write_queue send() refuses with a clear error; what was accepted arrives intact.
TEST_F(ConnectionTest, WriteQueueCapRefusesWithoutLosingWhatWasQueued) {
  struct Flooder : ConnectionHandler {
    void on_open(Connection& c) override {
      std::string block(50000, '\0');
      for (int i = 0; i < 1000; ++i) {
        for (std::size_t k = 0; k < block.size(); ++k)
          block[k] = static_cast<char>('a' + (accepted + k) % 26);
        if (auto st = c.send(block); !st) {
          refusal = st.error();
          return;
        }
        accepted += block.size();
      }
    }
    Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
      return d.size();
    }
    std::size_t accepted = 0;
    std::error_code refusal;
  } flooder;
  ServerOptions options;
  options.limits.max_write_queue = 1 << 20;
  ServerThread server(default_backend(), flooder, options);
  ASSERT_TRUE(server.ok()) << server.error();
  auto s = TcpStream::connect(server.endpoint(), 5s);
  ASSERT_OK(s);
  std::this_thread::sleep_for(100ms);  // let on_open run and hit the cap
  std::size_t accepted = 0;
  std::error_code refusal;
  server.call([&](EventLoop&, Server&) {
    accepted = flooder.accepted;
    refusal = flooder.refusal;
  });
  EXPECT_TRUE(refusal == errc::limit_exceeded) << refusal.message();
  EXPECT_EQ(refusal, make_error_code(failure::write_queue_full));
  ASSERT_GT(accepted, 0u);
  std::string got(accepted, '\0');
  ASSERT_OK(s->read_exact(std::span<char>(got), 10s));
  std::size_t wrong = 0;
  for (std::size_t k = 0; k < got.size(); ++k)
    wrong += got[k] != static_cast<char>('a' + k % 26);
  EXPECT_EQ(wrong, 0u);
}

// Gather sends: length-prefixed messages larger than the socket takes at once,
// partly written by one sendmsg and partly queued, arrive whole and in order; a
// message past the queue cap is refused whole.
TEST_F(ConnectionTest, GatherSendsArriveInOrderAcrossPartialWritesAndTheQueue) {
  static constexpr std::uint32_t kMessages = 100;  // 20 MB: more than the socket buffers hold
  struct Framer : ConnectionHandler {
    void on_open(Connection& c) override {
      for (std::uint32_t i = 0; i < kMessages; ++i) {
        payload.assign(200000 + i, static_cast<char>('a' + i % 26));
        const std::uint32_t size = static_cast<std::uint32_t>(payload.size());
        const unsigned char header[4] = {
            static_cast<unsigned char>(size >> 24), static_cast<unsigned char>(size >> 16),
            static_cast<unsigned char>(size >> 8), static_cast<unsigned char>(size)};
        const std::span<const std::byte> parts[] = {std::as_bytes(std::span(header)),
                                                    std::as_bytes(std::span(payload))};
        if (auto st = c.send(parts); !st) return (void)(refusal = st.error());
        ++sent;
      }
    }
    Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
      return d.size();
    }
    std::string payload;
    int sent = 0;
    std::error_code refusal;
  } framer;
  ServerOptions options;
  options.limits.max_write_queue = 1 << 20;  // the kernel takes megabytes first, then this
  ServerThread server(default_backend(), framer, options);
  ASSERT_TRUE(server.ok()) << server.error();
  auto s = TcpStream::connect(server.endpoint(), 5s);
  ASSERT_OK(s);
  int sent = -1;
  std::error_code refusal;
  for (int tries = 0; tries < 200 && sent < 0; ++tries) {  // wait for on_open to finish
    server.call([&](EventLoop&, Server& srv) {
      if (srv.stats().accepted == 1) {
        sent = framer.sent;
        refusal = framer.refusal;
      }
    });
    if (sent < 0) std::this_thread::sleep_for(10ms);
  }
  ASSERT_GT(sent, 1);
  ASSERT_LT(sent, static_cast<int>(kMessages));  // the cap refused one whole message
  EXPECT_EQ(refusal, make_error_code(failure::write_queue_full));
  for (int i = 0; i < sent; ++i) {
    unsigned char header[4];
    ASSERT_OK(s->read_exact(std::as_writable_bytes(std::span(header)), 10s));
    const std::size_t size = std::size_t{header[0]} << 24 | std::size_t{header[1]} << 16 |
                             std::size_t{header[2]} << 8 | header[3];
    ASSERT_EQ(size, 200000u + static_cast<unsigned>(i));
    std::string body(size, '\0');
    ASSERT_OK(s->read_exact(std::span<char>(body), 10s));
    EXPECT_EQ(body.find_first_not_of(static_cast<char>('a' + i % 26)), std::string::npos) << i;
  }
}

// Our side half-closes: the peer sees EOF after the banner and can still talk to us.
TEST_F(ConnectionTest, ShutdownWriteHalfClosesOurSide) {
  struct Banner : ConnectionHandler {
    void on_open(Connection& c) override {
      (void)c.send("banner\n");
      c.shutdown_write();
    }
    Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
      got.append(reinterpret_cast<const char*>(d.data()), d.size());
      return d.size();
    }
    std::string got;
  } banner;
  ServerThread server(default_backend(), banner, {});
  ASSERT_TRUE(server.ok()) << server.error();
  auto s = TcpStream::connect(server.endpoint(), 5s);
  ASSERT_OK(s);
  char buf[7];
  ASSERT_OK(s->read_exact(std::span<char>(buf), 5s));
  EXPECT_EQ(std::string_view(buf, 7), "banner\n");
  auto eof = s->receive(std::span<char>(buf));
  ASSERT_OK(eof);
  EXPECT_EQ(*eof, 0u);
  ASSERT_OK(s->write_all("still listening?"));
  const auto start = Clock::now();
  std::string got;
  while (got.size() < 16 && elapsed_ms(start) < 5000) {
    server.call([&](EventLoop&, Server&) { got = banner.got; });
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(got, "still listening?");
}

// More than loopback's kernel buffers hold (up to ~10 MiB), so some stays queued.
constexpr std::size_t kQueued = 32 << 20;

// Graceful shutdown: queued data is flushed to a reader; a silent peer is cut at the deadline.
TEST_F(ConnectionTest, GracefulShutdownFlushesUpToTheDeadline) {
  struct Queuer : ConnectionHandler {
    void on_open(Connection& c) override { (void)c.send(std::string(kQueued, 'q')); }
    Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
      return d.size();
    }
  } queuer;
  auto loop = EventLoop::create({.backend = default_backend()});
  ASSERT_OK(loop);
  ServerOptions options;
  options.limits.max_write_queue = 64 << 20;
  options.limits.high_watermark = 48 << 20;
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), queuer, options);
  ASSERT_OK(server);
  const Endpoint at = server->local_endpoint();
  std::size_t reader_got = 0;
  std::thread reader([&] {  // connects, waits, then reads everything
    auto s = TcpStream::connect(at, 5s);
    if (!s) return;
    std::this_thread::sleep_for(200ms);
    char buf[65536];
    for (;;) {
      auto n = s->receive(std::span<char>(buf));
      if (!n || *n == 0) break;
      reader_got += *n;
    }
  });
  ASSERT_TRUE(loop->run_until([&] { return server->stats().open == 1; }, Clock::now() + 5s));
  EXPECT_TRUE(server->shutdown(10s));  // true: everything flushed
  reader.join();
  EXPECT_EQ(reader_got, kQueued);

  // A peer that never reads: shutdown gives up at the deadline and closes anyway.
  auto server2 = Server::start(*loop, Endpoint::loopback_v4(0), queuer, options);
  ASSERT_OK(server2);
  auto silent = TcpStream::connect(server2->local_endpoint(), 5s);
  ASSERT_OK(silent);
  ASSERT_TRUE(loop->run_until([&] { return server2->stats().open == 1; }, Clock::now() + 5s));
  const auto start = Clock::now();
  EXPECT_FALSE(server2->shutdown(300ms));
  EXPECT_GE(elapsed_ms(start), 290);
  EXPECT_EQ(server2->stats().open, 0u);
}

// Shutdown asked for from inside the server's own handler: it never runs the
// loop there; the reply queued before it is flushed, then on_done comes from
// the loop, and destroying the server inside on_done is safe.
TEST_F(ConnectionTest, ShutdownFromInsideAHandlerIsAsynchronousAndMayDestroyTheServer) {
  struct Closer : ConnectionHandler {
    Result<std::size_t> on_data(Connection& c, std::span<const std::byte> d) override {
      (void)c.send("bye\n");
      if (server != nullptr && !asked) {
        asked = true;
        server->shutdown(5s, [this](bool f) {
          flushed = f;
          done = true;
          owner->reset();  // the server goes from its own completion
        });
        returned_at_once = !done;
      }
      return d.size();
    }
    Server* server = nullptr;
    std::optional<Server>* owner = nullptr;
    bool asked = false, returned_at_once = false, done = false, flushed = false;
  } closer;
  auto loop = EventLoop::create();
  ASSERT_OK(loop);
  auto started = Server::start(*loop, Endpoint::loopback_v4(0), closer);
  ASSERT_OK(started);
  std::optional<Server> server(std::move(*started));
  closer.server = &*server;
  closer.owner = &server;
  const Endpoint at = server->local_endpoint();
  auto peer = TcpStream::connect(at, 5s);
  ASSERT_OK(peer);
  ASSERT_OK(peer->write_all("hi"));
  ASSERT_TRUE(loop->run_until([&] { return closer.done; }, Clock::now() + 5s));
  EXPECT_TRUE(closer.returned_at_once);
  EXPECT_TRUE(closer.flushed);
  EXPECT_FALSE(server.has_value());
  char buf[4];
  ASSERT_OK(peer->read_exact(std::span<char>(buf), 5s));
  EXPECT_EQ(std::string_view(buf, 4), "bye\n");
  auto eof = peer->receive(std::span<char>(buf));
  ASSERT_OK(eof);
  EXPECT_EQ(*eof, 0u) << "the connection was closed once flushed";
  EXPECT_FALSE(TcpStream::connect(at, 2s)) << "no longer listening";
}

// Per-connection state lives in the connection: made in on_open (a second
// emplace replaces the first), there in every callback and still in on_close,
// destroyed after it; a question for another type answers null; a server that
// goes destroys the state of what was open.
TEST_F(ConnectionTest, TypedStateLivesFromOnOpenUntilOnCloseReturns) {
  struct Tally {
    explicit Tally(int& counter) : alive(counter) { ++alive; }
    ~Tally() { --alive; }
    Tally(const Tally&) = delete;
    Tally& operator=(const Tally&) = delete;
    int& alive;
    std::size_t bytes = 0;
  };
  struct Counting : ConnectionHandler {
    void on_open(Connection& c) override {
      (void)c.emplace_state<Tally>(alive);
      opened += c.emplace_state<Tally>(alive) != nullptr ? 1 : 0;
    }
    Result<std::size_t> on_data(Connection& c, std::span<const std::byte> d) override {
      if (auto* t = c.state<Tally>()) last_bytes = t->bytes += d.size();
      other_type_seen = other_type_seen || c.state<int>() != nullptr;
      return d.size();
    }
    void on_close(Connection& c, std::error_code) override {
      if (auto* t = c.state<Tally>()) counted.push_back(t->bytes);
      alive_in_close = alive;
    }
    int alive = 0, opened = 0, alive_in_close = -1;
    std::size_t last_bytes = 0;
    bool other_type_seen = false;
    std::vector<std::size_t> counted;
  } h;
  auto loop = EventLoop::create();
  ASSERT_OK(loop);
  auto started = Server::start(*loop, Endpoint::loopback_v4(0), h);
  ASSERT_OK(started);
  std::optional<Server> server(std::move(*started));
  {
    auto peer = TcpStream::connect(server->local_endpoint(), 5s);
    ASSERT_OK(peer);
    ASSERT_OK(peer->write_all("hello"));
    ASSERT_TRUE(loop->run_until([&] { return h.last_bytes == 5; }, Clock::now() + 5s));
    EXPECT_EQ(h.opened, 1);
    EXPECT_EQ(h.alive, 1) << "the second emplace replaced the first";
  }  // the peer closes
  ASSERT_TRUE(loop->run_until([&] { return !h.counted.empty(); }, Clock::now() + 5s));
  EXPECT_EQ(h.counted[0], 5u);
  EXPECT_EQ(h.alive_in_close, 1) << "on_close still sees the state";
  EXPECT_EQ(h.alive, 0) << "destroyed once on_close returned";
  EXPECT_FALSE(h.other_type_seen);

  auto second = TcpStream::connect(server->local_endpoint(), 5s);
  ASSERT_OK(second);
  ASSERT_OK(second->write_all("abc"));
  ASSERT_TRUE(loop->run_until([&] { return h.last_bytes == 3; }, Clock::now() + 5s));
  EXPECT_EQ(h.alive, 1) << "a new connection starts with no state of the old one";
  server.reset();
  EXPECT_EQ(h.alive, 0);
  ASSERT_EQ(h.counted.size(), 2u);
  EXPECT_EQ(h.counted[1], 3u);
}

// -- Client: asynchronous connect with a timeout.

struct ClientEvents : ConnectionHandler {
  Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
    return d.size();
  }
  void on_open(Connection& c) override {
    ++opened;
    c.close();
  }
  void on_connect_failed(const Endpoint&, std::error_code why) override { failures.push_back(why); }
  int opened = 0;
  std::vector<std::error_code> failures;
};

TEST_F(ConnectionTest, ClientConnectsRefusesAndTimesOut) {
  auto loop = EventLoop::create({.backend = default_backend()});
  ASSERT_OK(loop);
  ClientEvents events;
  auto client = Client::create(*loop, events);
  ASSERT_OK(client);
  const auto deadline = [] { return Clock::now() + 5s; };

  auto listener = listen_loopback(Family::ipv4);
  ASSERT_OK(client->connect(*listener.local_endpoint(), 2s));
  EXPECT_TRUE(loop->run_until([&] { return events.opened == 1; }, deadline()));

  Endpoint dead = *listener.local_endpoint();
  ASSERT_OK(listener.close());
  if (auto st = client->connect(dead, 2s); !st) {
    events.failures.push_back(st.error());  // refused at once is fine too
  }
  EXPECT_TRUE(loop->run_until([&] { return events.failures.size() == 1; }, deadline()));
  ASSERT_EQ(events.failures.size(), 1u);
  EXPECT_TRUE(events.failures[0] == errc::connection_refused) << events.failures[0].message();

  // A full backlog drops SYNs like a silent peer: the connect times out.
  auto full = listen_loopback(Family::ipv4, {.backlog = 0});
  std::vector<TcpStream> fillers;
  for (int i = 0; i < 8; ++i) {
    auto f = TcpStream::connect(*full.local_endpoint(), 200ms);
    if (!f) break;
    fillers.push_back(std::move(*f));
  }
  ASSERT_OK(client->connect(*full.local_endpoint(), 300ms));
  EXPECT_EQ(client->pending(), 1u);
  EXPECT_TRUE(loop->run_until([&] { return events.failures.size() == 2; }, deadline()));
  ASSERT_EQ(events.failures.size(), 2u);
  EXPECT_EQ(events.failures[1], make_error_code(failure::connect_timeout));
  EXPECT_EQ(client->pending(), 0u);
}

// An uplink: the source address and port connected from, and an interface.
TEST_F(ConnectionTest, ClientConnectsFromTheChosenSourceAndInterface) {
  auto loop = EventLoop::create({.backend = default_backend()});
  ASSERT_OK(loop);
  struct Peers : ConnectionHandler {
    Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
      return d.size();
    }
    void on_open(Connection& c) override {
      if (auto p = c.peer()) seen.push_back(*p);
    }
    std::vector<Endpoint> seen;
  } at_server;
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), at_server);
  ASSERT_OK(server);
  ClientEvents events;
  auto client = Client::create(*loop, events);
  ASSERT_OK(client);
  const auto deadline = [] { return Clock::now() + 5s; };

  // A free port to connect from: the server must see exactly it.
  auto probe = listen_loopback(Family::ipv4);
  const Endpoint source = *probe.local_endpoint();
  ASSERT_OK(probe.close());
  ASSERT_OK(client->connect(server->local_endpoint(), 2s, {.via = {.source = source}}));
  ASSERT_TRUE(loop->run_until([&] { return at_server.seen.size() == 1; }, deadline()));
  EXPECT_EQ(at_server.seen[0], source);

  const std::string loopback = stack_supports(StackFeature::interface_names) ? "lo" : "lo0";
  auto st = client->connect(server->local_endpoint(), 2s, {.via = {.device = loopback}});
  if (!st && st.error() == std::errc::operation_not_permitted)
    GTEST_SKIP() << "binding to an interface needs CAP_NET_RAW here";
  ASSERT_OK(st);
  ASSERT_TRUE(loop->run_until([&] { return at_server.seen.size() == 2; }, deadline()));

  EXPECT_ERRC(client->connect(server->local_endpoint(), 2s, {.via = {.device = "nosuch9"}}),
              errc::invalid_argument);
  EXPECT_EQ(client->connect(server->local_endpoint(), 2s, {.via = {.device = "nosuch9"}}).error(),
            make_error_code(failure::unknown_interface));
  EXPECT_ERRC(client->connect(server->local_endpoint(), 2s,
                              {.via = {.source = *Endpoint::parse("[::1]:0")}}),
              errc::invalid_argument);  // an IPv6 source for an IPv4 connection
}

}  // namespace
}  // namespace sockkit::test
