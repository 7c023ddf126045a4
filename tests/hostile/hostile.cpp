// SPDX-License-Identifier: MIT
// sockkit-hostile: hostile peers against any TCP echo server, with checks.
//
//   sockkit-hostile 127.0.0.1:7007 --pid 1234            every attack
//   sockkit-hostile 127.0.0.1:7007 --pid 1234 slowloris  one attack
//   options: --holders N (idle holders, default 2000), --rss-slack-kb K (2048)
//   sockkit-hostile ADDR --pid PID --soak 100000   churn: prints fds and RSS samples
//   sockkit-hostile --serve poll --holders 40    against its own echo Server, on
//                                                the stack it was built for (lwIP)
//
// Each attack runs while a fresh client checks it is still served (an echo
// within 2 s), and again after it. With --pid (a server on this machine) it
// also checks that the server's descriptors return to their baseline, that it
// does not burn CPU while attackers sit idle, and at the end that its memory
// returned to within the slack of where it started. With --serve the server
// runs in this process (lwIP has one stack per process, so its server and its
// attackers share it): open connections stand for descriptors and loop
// iterations for CPU time; RSS is not checked. Prints one line per attack;
// exits 1 if any check failed.
#include <sys/resource.h>
#include <unistd.h>

#include <dirent.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "sockkit/sockkit.hpp"
#include "support/server_thread.hpp"

namespace {
using namespace std::chrono_literals;
using sockkit::Endpoint;
using sockkit::TcpStream;
using Clock = sockkit::LoopClock;

Endpoint g_target;
int g_pid = 0;
int g_failures = 0;
long g_peak_rss_kb = 0;  // the server's RSS at the height of the last attack (0: not taken)
sockkit::test::ServerThread* g_server = nullptr;  // --serve: the server in this process

bool watching_server() {
  return g_pid != 0 || g_server != nullptr;
}

// -- The server's process, read from /proc.

int server_descriptors() {
  if (g_server != nullptr) return static_cast<int>(g_server->stats().open);
  DIR* d = ::opendir(("/proc/" + std::to_string(g_pid) + "/fd").c_str());
  if (d == nullptr) return -1;
  int n = 0;
  while (dirent* e = ::readdir(d))
    n += e->d_name[0] != '.';
  ::closedir(d);
  return n;
}

long server_rss_kb() {
  FILE* f = std::fopen(("/proc/" + std::to_string(g_pid) + "/status").c_str(), "r");
  if (f == nullptr) return -1;
  char line[256];
  long kb = -1;
  while (std::fgets(line, sizeof(line), f) != nullptr)
    if (std::sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
  std::fclose(f);
  return kb;
}

// User + system CPU time of the server, in milliseconds.
long server_cpu_ms() {
  FILE* f = std::fopen(("/proc/" + std::to_string(g_pid) + "/stat").c_str(), "r");
  if (f == nullptr) return -1;
  char buf[1024] = {};
  const std::size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  buf[n] = 0;
  const char* p = std::strrchr(buf, ')');  // the name may hold spaces
  if (p == nullptr) return -1;
  unsigned long utime = 0, stime = 0;
  // Fields after the name: state(3) ... utime(14) stime(15).
  if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) !=
      2)
    return -1;
  return static_cast<long>((utime + stime) * 1000 /
                           static_cast<unsigned long>(sysconf(_SC_CLK_TCK)));
}

void check(bool ok, const char* attack, const std::string& what) {
  if (ok) return;
  ++g_failures;
  std::printf("  FAIL %s: %s\n", attack, what.c_str());
}

// -- Peers.

/// A fresh client is served: its line comes back within 2 s.
bool probe() {
  auto fail = [](const char* step, const std::error_code& ec) {
    std::printf("  probe: %s: %s\n", step, ec.message().c_str());
    return false;
  };
  // lwIP resets a connection its full accept queue (16 here) cannot take,
  // where Linux keeps the SYN waiting, and in --serve mode the attackers'
  // closing connections share the probe's PCB pool: a client retries, within
  // its 2 s.
  const auto give_up = Clock::now() + 2s;
  auto s = TcpStream::connect(g_target, 2s);
  while (!s &&
         (s.error() == sockkit::errc::connection_refused ||
          s.error() == sockkit::errc::too_many_sockets) &&
         Clock::now() < give_up) {
    std::this_thread::sleep_for(10ms);
    s = TcpStream::connect(g_target, 2s);
  }
  if (!s) return fail("connect", s.error());
  const std::string line = "probe\n";
  if (auto st = s->write_all(line, 2s); !st) return fail("write", st.error());
  char back[6];
  auto got = s->read_exact(std::span<char>(back), 2s);
  if (!got) return fail("read", got.error());
  return std::memcmp(back, line.data(), sizeof(back)) == 0;
}

std::vector<TcpStream> connect_many(int n) {
  std::vector<TcpStream> peers;
  for (int i = 0; i < n; ++i) {
    auto s = TcpStream::connect(g_target, 2s);
    if (!s) break;
    peers.push_back(std::move(*s));
  }
  return peers;
}

void abort_all(std::vector<TcpStream>& peers) {
  for (auto& p : peers)
    (void)p.abort();
  peers.clear();
}

// -- Attacks. Each returns with its peers gone; `during` runs while they are active.

void slowloris(const std::function<void()>& during) {
  auto peers = connect_many(50);
  for (int tick = 0; tick < 10; ++tick) {
    for (auto& p : peers)
      (void)p.send("x");
    if (tick == 5) during();
    std::this_thread::sleep_for(100ms);
  }
  abort_all(peers);
}

void rst_storm(const std::function<void()>& during) {
  for (int i = 0; i < 300; ++i) {
    if (i == 150) during();
    auto s = TcpStream::connect(g_target, 2s);
    if (!s) continue;
    (void)s->send(std::string(100, 'r'));
    (void)s->abort();
  }
}

void never_read(const std::function<void()>& during) {
  auto peers = connect_many(20);
  const std::string block(64 << 10, 'n');
  for (auto& p : peers)
    (void)p.set_nonblocking(true);
  // Keep pushing, round robin, until the server has stopped reading from every
  // peer for a while: its write queues are then full (bounded at 5 s).
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  auto last_progress = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - last_progress < 300ms &&
         std::chrono::steady_clock::now() < give_up) {
    bool moved = false;
    for (auto& p : peers) {
      auto n = p.send(block);
      moved = moved || (n && *n > 0);
    }
    if (moved)
      last_progress = std::chrono::steady_clock::now();
    else
      std::this_thread::sleep_for(5ms);
  }
  if (g_pid) g_peak_rss_kb = server_rss_kb();
  during();
  abort_all(peers);
}

void half_close_ours_first(const std::function<void()>& during) {
  for (int i = 0; i < 30; ++i) {
    if (i == 15) during();
    auto s = TcpStream::connect(g_target, 2s);
    check(s.has_value(), "half-close", "connect refused");
    if (!s) continue;
    const std::string msg = "half-close " + std::to_string(i);
    (void)s->write_all(msg, 2s);
    (void)s->shutdown_write();
    std::string got(msg.size(), '\0');
    const bool echoed = s->read_exact(std::span<char>(got), 2s).has_value() && got == msg;
    char extra;
    auto eof = s->receive(std::span<char>(&extra, 1));
    check(echoed && eof && *eof == 0, "half-close", "echo then EOF after our FIN");
  }
}

void half_close_then_vanish(const std::function<void()>& during) {
  for (int i = 0; i < 30; ++i) {
    if (i == 15) during();
    auto s = TcpStream::connect(g_target, 2s);
    if (!s) continue;
    (void)s->write_all(std::string(256 << 10, 'v'), 2s);
    (void)s->shutdown_write();
    // Never reads the echo: on Linux, closing with unread input resets, so the
    // server's writes meet a reset. lwIP's close after shutdown(SHUT_WR) is
    // graceful even with unread input, and with both windows full neither side
    // moves again: an attacker on lwIP resets explicitly for the same attack.
    if (g_server != nullptr)
      (void)s->abort();
    else
      (void)s->close();
  }
}

void connect_flood(const std::function<void()>& during) {
  for (int i = 0; i < 1000; ++i) {
    auto s = TcpStream::connect(g_target, 2s);
    if (i == 500) during();
  }
}

void garbage_then_abort(const std::function<void()>& during) {
  std::mt19937 random(42);
  std::string garbage(4096, '\0');
  for (int i = 0; i < 100; ++i) {
    for (auto& c : garbage)
      c = static_cast<char>(random());
    auto s = TcpStream::connect(g_target, 2s);
    if (i == 50) during();
    if (!s) continue;
    (void)s->send(garbage);
    (void)s->abort();
  }
}

int g_holders = 2000;

void hold_idle(int count, const char* attack, const std::function<void()>& during) {
  auto peers = connect_many(count);
  check(static_cast<int>(peers.size()) == count, attack,
        "connected " + std::to_string(peers.size()) + " of " + std::to_string(count));
  std::this_thread::sleep_for(200ms);  // let the server accept them all
  const long cpu_before = g_pid ? server_cpu_ms() : 0;
  const std::uint64_t iterations_before = g_server ? g_server->iterations() : 0;
  std::this_thread::sleep_for(1s);
  if (g_pid) {
    const long spent = server_cpu_ms() - cpu_before;
    check(spent < 200, attack, "server used " + std::to_string(spent) + " ms of CPU in 1 s idle");
  }
  if (g_server) {  // a spinning loop turns millions of times a second
    const auto turns = g_server->iterations() - iterations_before;
    check(turns < 1000, attack,
          "server loop turned " + std::to_string(turns) + " times in 1 s idle");
  }
  during();
  abort_all(peers);
}

void idle_holders(const std::function<void()>& during) {
  hold_idle(g_holders, "idle-holders", during);
}
void silent_peers(const std::function<void()>& during) {
  hold_idle(std::min(50, g_holders), "silent", during);
}

struct Attack {
  const char* name;
  void (*run)(const std::function<void()>&);
};
constexpr Attack kAttacks[] = {
    {"slowloris", slowloris},
    {"rst-storm", rst_storm},
    {"never-read", never_read},
    {"half-close", half_close_ours_first},
    {"half-close-vanish", half_close_then_vanish},
    {"connect-flood", connect_flood},
    {"garbage-abort", garbage_then_abort},
    {"idle-holders", idle_holders},
    {"silent", silent_peers},
};

// Churn: connections opened, used and closed with behaviours drawn from the
// hostile set, until `total` connections; a sample line every `every`.
int soak(long total, long every) {
  std::mt19937 random(7);
  std::printf("# connections server_fds server_rss_kb\n");
  long opened = 0, next_sample = 0, requests = 0, answered = 0;
  const std::string payload(1024, 's');
  while (opened < total) {
    std::vector<TcpStream> batch = connect_many(50);
    opened += static_cast<long>(batch.size());
    for (auto& s : batch) {
      switch (random() % 5) {
        case 0:  // a well-behaved request and reply
          ++requests;
          if (s.write_all(payload, 2s)) {
            std::string back(payload.size(), '\0');
            if (s.read_exact(std::span<char>(back), 2s) && back == payload) ++answered;
          }
          (void)s.close();
          break;
        case 1:  // reset mid-request
          (void)s.send(payload);
          (void)s.abort();
          break;
        case 2:  // half-close, then read the echo
          (void)s.write_all("bye", 2s);
          (void)s.shutdown_write();
          {
            char back[3];
            (void)s.read_exact(std::span<char>(back), 2s);
          }
          (void)s.close();
          break;
        case 3:  // silent: connect and leave
          (void)s.close();
          break;
        default:  // send without reading the echo, then go
          (void)s.send(std::string(32 << 10, 'w'));
          (void)s.close();
          break;
      }
    }
    if (opened >= next_sample) {
      std::printf("%ld %d %ld\n", opened, server_descriptors(), server_rss_kb());
      std::fflush(stdout);
      next_sample += every;
    }
  }
  std::printf("# %ld of %ld well-behaved requests answered\n", answered, requests);
  return probe() && answered == requests ? 0 : 1;
}

bool wait_for_descriptors(int baseline) {
  const auto until = Clock::now() + 5s;
  while (Clock::now() < until) {
    if (server_descriptors() <= baseline) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (!sockkit::start_stack()) return 1;  // lwIP: starts it; Linux: nothing to do
  std::vector<std::string> chosen;
  long rss_slack_kb = 2048;
  long soak_total = 0;
  const char* target = nullptr;
  const char* serve = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--pid" && i + 1 < argc) {
      g_pid = std::atoi(argv[++i]);
    } else if (a == "--holders" && i + 1 < argc) {
      g_holders = std::atoi(argv[++i]);
    } else if (a == "--soak" && i + 1 < argc) {
      soak_total = std::atol(argv[++i]);
    } else if (a == "--rss-slack-kb" && i + 1 < argc) {
      rss_slack_kb = std::atol(argv[++i]);
    } else if (a == "--serve" && i + 1 < argc) {
      serve = argv[++i];
    } else if (target == nullptr) {
      target = argv[i];
    } else {
      chosen.push_back(a);
    }
  }
  if (serve != nullptr && target != nullptr) chosen.insert(chosen.begin(), target);
  if (target == nullptr && serve == nullptr) {
    std::fprintf(stderr,
                 "usage: sockkit-hostile ADDR [--pid PID] [--holders N] [attack...]\n"
                 "       sockkit-hostile --serve BACKEND [--holders N] [attack...]\n");
    return 2;
  }
  sockkit::test::EchoHandler echo;
  std::unique_ptr<sockkit::test::ServerThread> own_server;
  if (serve != nullptr) {
    auto backend = sockkit::parse_backend(serve);
    if (!backend) {
      std::fprintf(stderr, "sockkit-hostile: backend '%s': %s\n", serve,
                   backend.error().message().c_str());
      return 2;
    }
    own_server =
        std::make_unique<sockkit::test::ServerThread>(*backend, echo, sockkit::ServerOptions{});
    if (!own_server->ok()) {
      std::fprintf(stderr, "sockkit-hostile: server: %s\n", own_server->error().c_str());
      return 1;
    }
    g_server = own_server.get();
    g_target = own_server->endpoint();
    std::printf("serving on %s (%s stack, backend %s)\n", g_target.to_string().c_str(),
                sockkit::stack_name(), serve);
  } else {
    auto ep = Endpoint::parse(target);
    if (!ep) {
      std::fprintf(stderr, "sockkit-hostile: address '%s': %s\n", target,
                   ep.error().message().c_str());
      return 2;
    }
    g_target = *ep;
  }
  rlimit lim{};  // thousands of holders need descriptors
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &lim);
  }
  if (!probe()) {
    std::printf("FAIL: %s does not echo\n", g_target.to_string().c_str());
    return 1;
  }
  if (soak_total > 0) return soak(soak_total, std::max(1L, soak_total / 200));
  const int fd_baseline = watching_server() ? server_descriptors() : 0;
  const long rss_baseline = g_pid ? server_rss_kb() : 0;
  for (const Attack& attack : kAttacks) {
    if (!chosen.empty() && std::find(chosen.begin(), chosen.end(), attack.name) == chosen.end())
      continue;
    const int before = g_failures;
    const auto start = Clock::now();
    g_peak_rss_kb = 0;
    bool served_during = false;
    attack.run([&] { served_during = probe(); });
    check(served_during, attack.name, "a new client was not served during the attack");
    check(probe(), attack.name, "a new client was not served after the attack");
    if (watching_server()) {
      check(wait_for_descriptors(fd_baseline), attack.name,
            "descriptors " + std::to_string(server_descriptors()) + ", baseline " +
                std::to_string(fd_baseline));
    }
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    std::string rss;
    if (g_pid && g_peak_rss_kb > 0)
      rss += ", server RSS at peak " + std::to_string(g_peak_rss_kb) + " kB";
    if (g_pid) rss += ", server RSS after " + std::to_string(server_rss_kb()) + " kB";
    std::printf("%-18s %s  %lld ms%s\n", attack.name, g_failures == before ? "ok  " : "FAIL",
                static_cast<long long>(ms), rss.c_str());
  }
  if (g_pid) {
    std::this_thread::sleep_for(200ms);
    const long rss = server_rss_kb();
    std::printf("server RSS %ld kB at the start, %ld kB at the end (slack %ld kB)\n", rss_baseline,
                rss, rss_slack_kb);
    if (rss_slack_kb >= 0)  // negative: report only
      check(rss - rss_baseline <= rss_slack_kb, "memory",
            "RSS grew by " + std::to_string(rss - rss_baseline) + " kB");
  }
  if (g_server != nullptr) {
    const auto st = g_server->stats();
    std::printf("server: accepted %llu, accept errors %llu, accept pauses %llu, open %zu\n",
                static_cast<unsigned long long>(st.accepted),
                static_cast<unsigned long long>(st.accept_errors),
                static_cast<unsigned long long>(st.accept_pauses), st.open);
  }
  std::printf("%s\n", g_failures == 0 ? "all attacks survived" : "FAILED");
  return g_failures == 0 ? 0 : 1;
}
