// SPDX-License-Identifier: MIT
// The sockkit command-line tool, driven as a user would drive it.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/cli_run.hpp"
#include "support/fixture.hpp"

namespace sockkit::test {
namespace {

using CliTest = SockkitTest;

// An output that cannot be made fails before the run, not after minutes of it:
// a missing folder for --csv or --plot, or no gnuplot for --plot.
TEST_F(CliTest, BenchChecksItsOutputsBeforeRunning) {
  auto folder = run("bench -b poll -c 1 -d 30 --csv /nonexistent-folder/out.csv");
  EXPECT_EQ(folder.status, 1) << folder.output;
  EXPECT_NE(folder.output.find("/nonexistent-folder/ does not exist"), std::string::npos)
      << folder.output;
  EXPECT_EQ(folder.output.find("msgs/s"), std::string::npos) << "it ran:\n" << folder.output;
  auto no_gnuplot = run_program("env", "PATH=/nonexistent " + std::string(SOCKKIT_CLI) +
                                           " bench -b poll -c 1 -d 30 --plot out.png");
  EXPECT_EQ(no_gnuplot.status, 1) << no_gnuplot.output;
  EXPECT_NE(no_gnuplot.output.find("gnuplot is not installed"), std::string::npos)
      << no_gnuplot.output;
  EXPECT_EQ(no_gnuplot.output.find("msgs/s"), std::string::npos) << no_gnuplot.output;
}

TEST_F(CliTest, BenchJsonIsOneArrayWithARowPerRun) {
  auto json = run("bench -b poll,select -c 1 -d 0.2 --json");
  EXPECT_EQ(json.status, 0) << json.output;
  EXPECT_EQ(json.output.rfind("[\n  {", 0), 0u) << json.output;
  EXPECT_NE(json.output.find("{\"backend\": \"poll\", \"connections\": 1,"), std::string::npos)
      << json.output;
  EXPECT_NE(json.output.find("{\"backend\": \"select\""), std::string::npos) << json.output;
  EXPECT_NE(json.output.find("\"mismatches\": 0,"), std::string::npos) << json.output;
  EXPECT_EQ(json.output.substr(json.output.size() - 4), "}\n]\n") << json.output;
  EXPECT_EQ(json.output.find("msgs/s"), std::string::npos) << "a table on stdout";
}

// Ctrl-C ends the run under way, prints every row measured so far and exits
// 130 as a shell expects of SIGINT.
TEST_F(CliTest, BenchInterruptedReportsWhatItMeasured) {
  auto r = run_program("sh", "-c '" + std::string(SOCKKIT_CLI) +
                                 " bench -b poll,select -c 1 -d 30 & pid=$!; sleep 1.5; "
                                 "kill -INT $pid; wait $pid; echo status=$?'");
  EXPECT_NE(r.output.find("status=130"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("msgs/s"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\npoll "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("bench interrupted"), std::string::npos) << r.output;
}

TEST_F(CliTest, EchoServerAndConnectRoundTripWithHalfClose) {
  Background server("echo-server -l 127.0.0.1:0 -n 1 -q");
  ASSERT_FALSE(server.address.empty()) << "server did not report its address";
  // connect sends stdin, half-closes at EOF, and prints the echo until the server closes.
  auto client = run("connect " + server.address, "hello\\nworld\\n");
  EXPECT_EQ(client.status, 0) << client.output;
  EXPECT_EQ(client.output, "hello\nworld\n");
  EXPECT_EQ(server.wait(), 0);
}

// The README's example: against a running server, and against one that hangs up.
Run run_hello_echo(const std::string& address) {
  return run_program(SOCKKIT_HELLO_ECHO, address);
}

TEST_F(CliTest, HelloEchoTalksToARunningEchoServer) {
  Background server("echo-server -l 127.0.0.1:0 -n 1 -q");
  ASSERT_FALSE(server.address.empty());
  auto hello = run_hello_echo(server.address);
  EXPECT_EQ(hello.status, 0) << hello.output;
  EXPECT_EQ(hello.output, "hello\n");
  EXPECT_EQ(server.wait(), 0);
}

// A server that closes without answering: the example says why and prints no reply
// (the reply buffer was never filled).
TEST_F(CliTest, HelloEchoReportsAFailedReadAndPrintsNoReply) {
  auto listener = TcpListener::bind(Endpoint::loopback_v4(0));
  ASSERT_TRUE(listener);
  std::thread hang_up([&] { (void)listener->accept(); });
  auto hello = run_hello_echo(listener->local_endpoint()->to_string());
  hang_up.join();
  EXPECT_NE(hello.status, 0) << hello.output;
  EXPECT_EQ(hello.output.rfind("read: ", 0), 0u) << hello.output;
  EXPECT_EQ(std::count(hello.output.begin(), hello.output.end(), '\n'), 1) << hello.output;
}

// Kilobytes of address space of process `pid` (VmSize), 0 if unknown.
long vm_size_kb(int pid) {
  FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/status").c_str(), "r");
  if (f == nullptr) return 0;
  char line[256];
  long kb = 0;
  while (std::fgets(line, sizeof(line), f) != nullptr)
    if (std::sscanf(line, "VmSize: %ld kB", &kb) == 1) break;
  std::fclose(f);
  return kb;
}

// The blocking server joins finished worker threads: serving hundreds of
// connections one after another does not keep hundreds of thread stacks.
TEST_F(CliTest, BlockingEchoServerGivesBackFinishedThreads) {
  Background server("echo-server --blocking -q -l 127.0.0.1:0");
  ASSERT_FALSE(server.address.empty());
  ASSERT_GT(server.pid, 0);
  auto at = Endpoint::parse(server.address);
  ASSERT_OK(at);
  auto serve_one = [&] {
    auto s = TcpStream::connect(*at, std::chrono::seconds(5));
    ASSERT_OK(s);
    ASSERT_OK(s->write_all("hi"));
    ASSERT_OK(s->shutdown_write());
    char buf[8];
    ASSERT_OK(s->read_exact(std::span<char>(buf, 2), std::chrono::seconds(5)));
    auto eof = s->receive(std::span<char>(buf));  // the worker has finished
    ASSERT_OK(eof);
  };
  for (int i = 0; i < 20; ++i)
    serve_one();
  const long early = vm_size_kb(server.pid);
  for (int i = 0; i < 300; ++i)
    serve_one();
  const long late = vm_size_kb(server.pid);
  ASSERT_GT(early, 0);
  // One kept stack is 8 MiB of address space: 300 kept would be 2.4 GiB.
  EXPECT_LT(late - early, 64 * 1024) << "VmSize " << early << " kB -> " << late << " kB";
  ::kill(server.pid, SIGTERM);
}

TEST_F(CliTest, ErrorsAreOneLineAndNonZero) {
  Endpoint dead;
  {
    auto l = listen_loopback(Family::ipv4);
    dead = *l.local_endpoint();
  }
  auto refused = run("connect " + dead.to_string());
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.output.find("[connection_refused]"), std::string::npos) << refused.output;
  EXPECT_EQ(std::count(refused.output.begin(), refused.output.end(), '\n'), 1) << refused.output;
  auto bad_port = run("connect 127.0.0.1:70000");
  EXPECT_EQ(bad_port.status, 1);
  EXPECT_NE(bad_port.output.find("port out of range"), std::string::npos) << bad_port.output;
  auto bad_addr = run("udp-send 300.1.1.1:5 x");
  EXPECT_EQ(bad_addr.status, 1);
  EXPECT_NE(bad_addr.output.find("malformed address"), std::string::npos) << bad_addr.output;
  EXPECT_EQ(run("connect").status, 2);
  EXPECT_EQ(run("echo-server --no-such-flag").status, 2);
  EXPECT_EQ(run("no-such-command").status, 2);
}

/// Arguments that are a usage error, and what the message must say.
struct UsageCase {
  const char* args;
  const char* says;
};

/// Each exits 2 and says what it must.
void expect_usage_errors(std::span<const UsageCase> cases) {
  for (const auto& c : cases) {
    auto r = run(c.args);
    EXPECT_EQ(r.status, 2) << c.args << ": " << r.output;
    EXPECT_NE(r.output.find(c.says), std::string::npos) << c.args << ": " << r.output;
  }
}

// Every usage error exits 2 and names the bad value and what is allowed; a
// word that is no command says so and lists the commands; `help` works.
TEST_F(CliTest, UsageErrorsExitTwoAndSayWhatIsWrong) {
  const UsageCase cases[] = {
      {"echo-server -b kqueue", "unknown backend 'kqueue' (this build has: "},
      {"bench -b epoll,kqueue -d 0.1", "unknown backend 'kqueue'"},
      {"connect 127.0.0.1:1 --tls-backend foo", "unknown TLS backend 'foo'"},
      {"mqtt pub -p 70000 -t x -m y", "not in range 1 to 65535"},
      {"bench --scaling 0,abc", "got 'abc'"},
      {"mqtt sub -t x -C 0", "must be a positive number, got 0"},
      {"resolve x -t -1", "must be a positive number, got -1"},
      {"foo", "unknown command 'foo'; the commands are: echo-server, connect"},
      // Addresses: the usual slips, each with its fix.
      {"connect ::1:80", "IPv6 addresses need brackets: [::1]:80"},
      {"connect fe80::1", "IPv6 addresses need brackets and a port: [fe80::1]:PORT"},
      {"connect 127.0.0.1 7301", "use HOST:PORT, e.g. 127.0.0.1:7301"},
      {"connect 127.0.0.1", "missing port: use HOST:PORT"},
      {"connect [fe80::1]:80", "a link-local address needs its interface: [fe80::1%eth0]:80"},
      {"echo-server -l ::1:7007", "IPv6 addresses need brackets: [::1]:7007"},
      {"udp-send ::1:9 x", "IPv6 addresses need brackets: [::1]:9"},
  };
  expect_usage_errors(cases);
  auto help = run("help");
  EXPECT_EQ(help.status, 0) << help.output;
  EXPECT_NE(help.output.find("echo-server"), std::string::npos) << help.output;
  EXPECT_NE(help.output.find("Exit status"), std::string::npos) << help.output;
  auto mqtt_help = run("help mqtt");
  EXPECT_EQ(mqtt_help.status, 0) << mqtt_help.output;
  EXPECT_NE(mqtt_help.output.find("pub"), std::string::npos) << mqtt_help.output;
}

// A flag the command would not use is a usage error, never silently ignored.
TEST_F(CliTest, FlagsThatWouldBeIgnoredAreUsageErrors) {
  const UsageCase cases[] = {
      {"echo-server --blocking -b poll", "--backend excludes --blocking"},
      {"echo-server --tls-backend mbedtls", "--tls-backend requires --tls-cert"},
      {"echo-server --tls-handshake-timeout 5", "--tls-handshake-timeout requires --tls-cert"},
      {"bench --idle 5 --scaling 0,10", "--idle excludes --scaling"},
      {"udp-recv --interface lo -t 0.1", "--interface requires --join"},
  };
  expect_usage_errors(cases);
}

TEST_F(CliTest, ResolveSaysWhereEachAnswerCameFrom) {
  auto local = run("resolve localhost --type A");
  EXPECT_EQ(local.status, 0) << local.output;
  EXPECT_NE(local.output.find("localhost\tA\t127.0.0.1\tttl 0\tfrom hosts"), std::string::npos)
      << local.output;
  auto numeric = run("resolve 192.0.2.9 --type A");
  EXPECT_NE(numeric.output.find("192.0.2.9\tttl 0\tfrom numeric"), std::string::npos)
      << numeric.output;
  EXPECT_EQ(run("resolve x --type MX").status, 2);
}

TEST_F(CliTest, ResolveAndConnectGiveUpOnASilentServerWithinTheirTimeout) {
  auto silent = UdpSocket::bind(Endpoint::loopback_v4(0));  // bound, never read: a blackhole
  ASSERT_OK(silent);
  const std::string server = silent->local_endpoint()->to_string();
  const auto start = std::chrono::steady_clock::now();
  auto r = run("resolve some.name.test --server " + server + " -t 0.5");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("[timed_out]"), std::string::npos) << r.output;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(CliTest, EchoServerRunsOnEveryBackend) {
  for (Backend b : compiled_backends()) {
    Background server(std::string("echo-server -l 127.0.0.1:0 -n 1 -q -b ") + to_string(b));
    ASSERT_FALSE(server.address.empty()) << to_string(b);
    auto client = run("connect " + server.address, "ping\\n");
    EXPECT_EQ(client.output, "ping\n") << to_string(b);
    EXPECT_EQ(server.wait(), 0) << to_string(b);
  }
  auto bad = run("echo-server -b kqueue");
  EXPECT_EQ(bad.status, 2) << "a usage error";
  EXPECT_NE(bad.output.find("unknown backend 'kqueue'"), std::string::npos) << bad.output;
}

TEST_F(CliTest, BenchVerifiesEveryByteAndWritesCsv) {
  char dir[] = "/tmp/sockkit-bench-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string csv = std::string(dir) + "/out.csv";
  auto r = run("bench -b poll,epoll -c 3 -s 1000 -p 4 -d 0.3 --csv " + csv);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("msgs/s"), std::string::npos) << r.output;
  FILE* f = std::fopen(csv.c_str(), "r");
  ASSERT_TRUE(f);
  int lines = 0;
  char line[512];
  std::string all;
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    ++lines;
    all += line;
  }
  std::fclose(f);
  EXPECT_EQ(lines, 3) << all;  // header + one row per backend
  EXPECT_NE(all.find("\npoll,3,1000,4,0,"), std::string::npos) << all;
  std::remove(csv.c_str());
  ::rmdir(dir);
}

// The fields of a bench CSV's first row (after the header): backend,
// connections, size, pipeline, idle, messages_per_s, mb_per_s, p50_us,
// p99_us, p999_us, mismatches, seconds, watched_cpu_s. Empty if unreadable.
std::vector<std::string> first_csv_row(const std::string& path) {
  std::ifstream in(path);
  std::string header, row;
  if (!std::getline(in, header) || !std::getline(in, row)) return {};
  std::vector<std::string> fields;
  std::stringstream columns(row);
  for (std::string field; std::getline(columns, field, ',');)
    fields.push_back(field);
  return fields;
}

TEST_F(CliTest, BenchLoadsFromSeveralBusyPollingThreadsAndChecksEveryByte) {
  char dir[] = "/tmp/sockkit-bench-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string csv = std::string(dir) + "/out.csv";
  for (const std::string mode : {"--threads 3", "--threads 2 --busy-poll", "--busy-poll"}) {
    auto r = run("bench -b epoll -c 6 -s 300 -p 8 -d 0.3 " + mode + " --csv " + csv);
    EXPECT_EQ(r.status, 0) << mode << "\n" << r.output;
    const auto fields = first_csv_row(csv);
    ASSERT_EQ(fields.size(), 13u) << mode;
    EXPECT_EQ(std::stod(fields[12]), -1) << mode << ": no --cpu-of, nothing watched";
    EXPECT_EQ(fields[1], "6") << mode;
    EXPECT_GT(std::stod(fields[5]), 0) << mode << ": no message echoed";
    EXPECT_EQ(fields[10], "0") << mode << ": mismatched bytes";
  }
  std::remove(csv.c_str());
  ::rmdir(dir);
  EXPECT_EQ(run("bench -c 2 --threads 3 -d 0.2").status, 1);  // more threads than connections
  EXPECT_EQ(run("bench --threads 0").status, 2);
}

TEST_F(CliTest, BenchDiscardingCountsEchoesAndReportsTheServersCpu) {
  Background server("echo-server -l 127.0.0.1:0 -n 2 -q");
  ASSERT_FALSE(server.address.empty());
  ASSERT_GT(server.pid, 0);
  char dir[] = "/tmp/sockkit-bench-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string csv = std::string(dir) + "/out.csv";
  auto r = run("bench --connect " + server.address + " -c 2 -s 16384 -p 4 -d 0.5 --busy-poll " +
               "--discard --cpu-of " + std::to_string(server.pid) + " --csv " + csv);
  EXPECT_EQ(r.status, 0) << r.output;
  const auto fields = first_csv_row(csv);
  ASSERT_EQ(fields.size(), 13u);
  EXPECT_GT(std::stod(fields[5]), 0) << "no message echoed";
  // A server echoing as fast as a spinning client sends used some CPU.
  EXPECT_GT(std::stod(fields[12]), 0);
  EXPECT_LE(std::stod(fields[12]), std::stod(fields[11]) * 1.5);
  EXPECT_EQ(server.wait(), 0);
  std::remove(csv.c_str());
  ::rmdir(dir);
  EXPECT_EQ(run("bench --cpu-of 0").status, 2);
}

TEST_F(CliTest, BenchSkipsWhatSelectCannotHoldAndRefusesBadInput) {
  auto r = run("bench -b select -c 1 -d 0.2 --scaling 0,600");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("skipped: needs"), std::string::npos) << r.output;
  EXPECT_EQ(run("bench -c 0").status, 2);
  EXPECT_EQ(run("bench --scaling 1,x").status, 2);
  EXPECT_EQ(run("bench --connect 127.0.0.1:1 -d 0.2").status, 1);  // refused, clearly
}

TEST_F(CliTest, AnyTlsFlagTurnsTlsOnAndContradictionsAreUsageErrors) {
  // --ca alone: TLS, not plaintext. Against a plain echo server the handshake
  // cannot succeed (before, the bytes went out in the clear and came back, exit 0).
  Background server("echo-server -l 127.0.0.1:0 -n 1 -q");
  ASSERT_FALSE(server.address.empty());
  auto r = run("connect " + server.address + " -t 3 --ca /nonexistent/ca.pem", "hello");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_EQ(r.output.find("hello"), std::string::npos) << "nothing in plaintext: " << r.output;
  (void)run("connect " + server.address + " -t 3", "bye");  // the server's one connection

  r = run("connect 127.0.0.1:1 --insecure --ca /nonexistent/ca.pem");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--insecure"), std::string::npos) << r.output;
  r = run("connect 127.0.0.1:1 --tls --cert /nonexistent/c.pem");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--key"), std::string::npos) << r.output;
  r = run("bench --connect 127.0.0.1:1 --insecure --ca /nonexistent/ca.pem -d 0.2");
  EXPECT_EQ(r.status, 2) << r.output;

  // A server asked for mutual TLS without a certificate of its own does not serve plain TCP.
  r = run("echo-server -l 127.0.0.1:0 -n 1 --tls-client-ca /nonexistent/ca.pem");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--tls-client-ca"), std::string::npos) << r.output;
  r = run("echo-server -l 127.0.0.1:0 -n 1 --tls-cert /nonexistent/c.pem");
  EXPECT_EQ(r.status, 2) << r.output;
}

// A TLS file that cannot be used is named with its flag and the reason, as
// openssl's tools name it: missing, or not PEM.
TEST_F(CliTest, TlsFileErrorsNameTheFileAndTheReason) {
  char dir[] = "/tmp/sockkit-cli-tls-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string not_pem = std::string(dir) + "/not.pem";
  std::ofstream(not_pem) << "not a certificate\n";
  struct Case {
    std::string args, says;
  };
  const Case cases[] = {
      {"connect 127.0.0.1:1 --ca /nonexistent/ca.pem",
       "--ca /nonexistent/ca.pem: No such file or directory [invalid_argument]"},
      {"connect 127.0.0.1:1 --ca " + not_pem, "--ca " + not_pem + ": no PEM data in it"},
      {"echo-server -l 127.0.0.1:0 --tls-cert " + not_pem + " --tls-key " + not_pem,
       "--tls-cert " + not_pem + ": no PEM data in it"},
      {"mqtt pub -h 127.0.0.1 -t x -m y --cafile /nonexistent/ca.pem",
       "--cafile /nonexistent/ca.pem: No such file or directory"},
  };
  for (const auto& c : cases) {
    auto r = run(c.args);
    EXPECT_EQ(r.status, 1) << c.args << ": " << r.output;
    EXPECT_NE(r.output.find(c.says), std::string::npos) << c.args << ": " << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sockkit::test
