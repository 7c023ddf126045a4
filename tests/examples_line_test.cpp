// SPDX-License-Identifier: MIT
// examples/line_service with real clients: each session keeps its own name
// and counters while the table is shared, an over-long line ends only its
// own session, and the service exits after the sessions it was told to serve.
#include <string>

#include "support/cli_run.hpp"
#include "support/fixture.hpp"

namespace sockkit::test {
namespace {
using namespace std::chrono_literals;
using LineServiceExample = SockkitTest;

// A client that sends a line and reads the one-line answer.
class LineClient {
 public:
  explicit LineClient(const std::string& address) {
    auto at = Endpoint::parse(address);
    if (!at) return;
    auto s = TcpStream::connect(*at, 5s);
    if (s) stream_ = std::move(*s);
    (void)stream_.set_receive_timeout(5s);
  }
  bool connected() const { return stream_.is_open(); }
  std::string ask(const std::string& line) {
    if (!stream_.write_all(line + "\n", 5s)) return "(send failed)";
    return read_line();
  }
  std::string read_line() {
    std::string out;
    char c = 0;
    while (out.size() < 1024) {
      auto n = stream_.receive(std::span<char>(&c, 1));
      if (!n || *n == 0) return out.empty() ? "(closed)" : out;
      if (c == '\n') return out;
      out += c;
    }
    return out;
  }
  TcpStream& stream() { return stream_; }

 private:
  TcpStream stream_;
};

TEST_F(LineServiceExample, SessionsKeepTheirOwnStateAndShareTheTable) {
  Background service("127.0.0.1:0 --serve 2", SOCKKIT_LINE_SERVICE);
  ASSERT_FALSE(service.address.empty()) << service.rest();
  LineClient meter(service.address), panel(service.address);
  ASSERT_TRUE(meter.connected());
  ASSERT_TRUE(panel.connected());
  EXPECT_EQ(meter.ask("HELLO meter-7"), "OK hello meter-7");
  EXPECT_EQ(panel.ask("HELLO panel"), "OK hello panel");
  EXPECT_EQ(meter.ask("SET interval 30"), "OK");
  EXPECT_EQ(panel.ask("GET interval"), "VALUE interval 30");  // one table for all
  EXPECT_EQ(panel.ask("GET nothing"), "ERR no such key");
  EXPECT_EQ(panel.ask("REBOOT"), "ERR unknown command");
  EXPECT_EQ(meter.ask("STATS"), "OK name=meter-7 lines=3");  // its own counters
  EXPECT_EQ(panel.ask("STATS\r"), "OK name=panel lines=5");  // CRLF is a line end too
  EXPECT_EQ(meter.ask("QUIT"), "BYE");
  EXPECT_EQ(meter.read_line(), "(closed)");
  EXPECT_EQ(panel.ask("QUIT"), "BYE");
  EXPECT_EQ(service.wait(), 0);  // two sessions served: it exits by itself
}

TEST_F(LineServiceExample, AnOverlongLineEndsOnlyItsOwnSession) {
  Background service("127.0.0.1:0 --serve 2", SOCKKIT_LINE_SERVICE);
  ASSERT_FALSE(service.address.empty()) << service.rest();
  LineClient flooder(service.address), neighbour(service.address);
  ASSERT_TRUE(flooder.connected());
  ASSERT_TRUE(neighbour.connected());
  EXPECT_EQ(flooder.ask(std::string(1000, 'x')), "ERR line too long");
  EXPECT_EQ(flooder.read_line(), "(closed)");
  EXPECT_EQ(neighbour.ask("SET a b"), "OK");  // the service is still there
  EXPECT_EQ(neighbour.ask("GET a"), "VALUE a b");
  EXPECT_EQ(neighbour.ask("QUIT"), "BYE");
  EXPECT_EQ(service.wait(), 0);
}

TEST_F(LineServiceExample, AMalformedAddressIsAUsageError) {
  auto r = run_program(SOCKKIT_LINE_SERVICE, "127.0.0.1");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("port"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace sockkit::test
