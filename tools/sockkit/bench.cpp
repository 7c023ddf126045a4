// SPDX-License-Identifier: MIT
// `sockkit bench`: a load generator that verifies every echoed byte, and
// `sockkit demo`: the bench against an in-process server on every backend.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>
#include <sstream>
#include <utility>

#include <unistd.h>

#include "common.hpp"
#include "report.hpp"

namespace sockkit::cli {
namespace {

struct BenchOptions {
  std::string connect;
  std::string backends = "epoll";
  int connections = 10;
  std::size_t size = 64;
  int pipeline = 1;
  double duration = 5;
  int idle = 0;
  std::uint64_t messages = 0;
  std::string scaling;  // "0,200,400,800": idle counts to sweep
  std::string csv;
  std::string plot;
  bool json = false;
  TlsClientFlags tls;
  bool handshakes = false;
  int threads = 1;
  bool busy_poll = false;
  bool discard = false;
  int cpu_of = 0;
};

// Ctrl-C during a bench ends the run under way and reports what was measured.
std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int) {
  g_interrupted = true;
}

// SIGINT handled for as long as this lives, then as before.
class InterruptScope {
 public:
  InterruptScope() {
    g_interrupted = false;
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, &previous_);
  }
  ~InterruptScope() { ::sigaction(SIGINT, &previous_, nullptr); }
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

 private:
  struct sigaction previous_ {};
};

// The results as a table, or as JSON with --json; and the CSV and chart if asked.
int report(const BenchOptions& opt, const std::vector<ReportRow>& rows) {
  if (opt.json)
    write_json(stdout, rows);
  else
    print_table(rows);
  std::fflush(stdout);
  if (!opt.csv.empty() && !write_csv(opt.csv, rows))
    return fail("csv " + opt.csv, std::make_error_code(std::errc::io_error));
  if (!opt.plot.empty()) {
    if (auto why = plot_idle_scaling(opt.plot, rows); !why.empty()) {
      std::fprintf(stderr, "sockkit: plot: %s\n", why.c_str());
      return kFailure;
    }
    std::fprintf(opt.json ? stderr : stdout, "chart: %s\n", opt.plot.c_str());
  }
  return 0;
}

// Before a run: a chart or file that could not be written fails now, not after it.
int check_outputs(const BenchOptions& opt) {
  for (const auto& [flag, path] : {std::pair{"--csv", &opt.csv}, std::pair{"--plot", &opt.plot}})
    if (!path->empty())
      if (auto why = unwritable(*path); !why.empty()) {
        std::fprintf(stderr, "sockkit: %s %s: %s\n", flag, path->c_str(), why.c_str());
        return kFailure;
      }
  if (!opt.plot.empty())
    if (auto why = plot_unavailable(); !why.empty()) {
      std::fprintf(stderr, "sockkit: --plot: %s\n", why.c_str());
      return kFailure;
    }
  return 0;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

class Progress {
 public:
  explicit Progress(std::size_t total) : total_(total) {}
  void show(std::size_t step, const std::string& what, double fraction) const {
    if (!isatty(fileno(stderr))) return;
    std::fprintf(stderr, "\r[%zu/%zu] %-40s %3.0f%%", step, total_, what.c_str(), fraction * 100);
    std::fflush(stderr);
  }
  void done() const {
    if (isatty(fileno(stderr))) std::fprintf(stderr, "\r%80s\r", "");
  }

 private:
  std::size_t total_;
};

// One load run against `target` (or an in-process server on `backend`).
Result<ReportRow> run_one(const std::string& backend_name, const LoadSpec& base,
                          const std::string& connect, const Progress& progress, std::size_t step) {
  ReportRow row{backend_name, base, {}, {}};
  std::unique_ptr<EchoServerThread> server;
  if (connect.empty()) {
    auto backend = parse_backend(backend_name);
    if (!backend) return backend.error();
    auto s = EchoServerThread::start(*backend,
                                     static_cast<std::size_t>(base.connections + base.idle + 16));
    if (!s) return s.error();
    server = std::move(*s);
    row.spec.target = server->endpoint();
    row.backend = to_string(server->backend());
    // In one process the client's descriptors count too: select cannot watch past FD_SETSIZE.
    const int needed = 2 * (base.idle + base.connections) + 32;
    if (server->descriptor_limit() > 0 && needed > server->descriptor_limit()) {
      row.skipped = "needs ~" + std::to_string(needed) + " descriptors, over FD_SETSIZE " +
                    std::to_string(server->descriptor_limit());
      return row;
    }
  }
  const std::string what = row.backend + " idle=" + std::to_string(base.idle);
  auto result = run_load(row.spec, [&](double f) { progress.show(step, what, f); });
  if (!result) return result.error();
  row.result = std::move(*result);
  return row;
}

// --tls: the load over TLS against --connect, or (--handshakes) full and
// resumed handshakes per second.
int bench_tls(const BenchOptions& opt, LoadSpec spec) {
  if (opt.connect.empty()) {
    std::fprintf(stderr, "sockkit: bench --tls needs --connect ADDR (a TLS echo server)\n");
    return 2;
  }
  auto tls = make_client_tls(opt.tls, opt.connect);
  if (!tls) return fail_tls("TLS", tls.error(), tls_files(opt.tls));
  if (opt.handshakes) {
    auto options = (*tls)->options();
    options.session_resumption = false;
    auto full_ctx = TlsContext::client(options);
    if (!full_ctx) return fail("TLS", full_ctx.error());
    auto full = run_handshakes(spec.target, *full_ctx, opt.connections, spec.duration);
    if (!full) return fail("handshakes with " + opt.connect, full.error());
    std::uint64_t resumed_count = 0;
    auto resumed =
        run_handshakes(spec.target, *tls, opt.connections, spec.duration, &resumed_count);
    if (!resumed) return fail("handshakes with " + opt.connect, resumed.error());
    const double seconds = std::chrono::duration<double>(spec.duration).count();
    std::printf("handshakes/s with %d at a time: full %.0f, resumed %.0f (%llu of %llu resumed)\n",
                opt.connections, static_cast<double>(*full) / seconds,
                static_cast<double>(*resumed) / seconds,
                static_cast<unsigned long long>(resumed_count),
                static_cast<unsigned long long>(*resumed));
    return 0;
  }
  auto result = run_tls_load(spec, *tls);
  if (!result) return fail("bench over TLS against " + opt.connect, result.error());
  std::vector<ReportRow> rows{{"tls " + opt.tls.backend, spec, std::move(*result), {}}};
  if (int st = report(opt, rows); st != 0) return st;
  const auto& r = rows[0].result;
  if (r.mismatches != 0 || r.error) {
    std::fprintf(stderr, "sockkit: bench: %llu echoed bytes differed%s%s\n",
                 static_cast<unsigned long long>(r.mismatches), r.error ? "; " : "",
                 r.error ? r.error.message().c_str() : "");
    return kFailure;
  }
  return 0;
}

int bench(const BenchOptions& opt) {
  LoadSpec spec;
  spec.connections = opt.connections;
  spec.message_size = opt.size;
  spec.pipeline = opt.pipeline;
  spec.idle = opt.idle;
  spec.duration = to_millis(opt.duration);
  spec.max_messages = opt.messages;
  spec.threads = opt.threads;
  spec.busy_poll = opt.busy_poll;
  spec.discard = opt.discard;
  spec.watch_pid = opt.cpu_of;
  spec.cancel = &g_interrupted;
  if (int st = check_outputs(opt); st != 0) return st;
  if (opt.threads > opt.connections)
    return fail("--threads " + std::to_string(opt.threads),
                std::make_error_code(std::errc::invalid_argument));
  if (!opt.connect.empty()) {
    auto target = first_endpoint(opt.connect, false);
    if (!target) return fail("address '" + opt.connect + "'", target.error());
    spec.target = *target;
  }
  if (opt.tls.enabled) return bench_tls(opt, spec);
  std::vector<int> idle_counts{opt.idle};
  if (!opt.scaling.empty()) {
    idle_counts.clear();
    for (const auto& s : split(opt.scaling)) {
      auto n = parse_port(s);  // a small non-negative integer; reuse the strict parser
      if (!n) return fail("--scaling value '" + s + "'", n.error());
      idle_counts.push_back(*n);
    }
  }
  const auto backends =
      opt.connect.empty() ? split(opt.backends) : std::vector<std::string>{"remote"};
  int max_idle = 0;
  for (int n : idle_counts)
    max_idle = std::max(max_idle, n);
  // Client and in-process server each hold a descriptor per connection.
  raise_descriptor_limit(static_cast<std::size_t>(2 * (max_idle + opt.connections) + 64));
  const Progress progress(backends.size() * idle_counts.size());
  std::vector<ReportRow> rows;
  std::size_t step = 0;
  const InterruptScope interrupts;
  for (const auto& backend : backends) {
    for (int idle : idle_counts) {
      if (g_interrupted) break;
      spec.idle = idle;
      auto row = run_one(backend, spec, opt.connect, progress, ++step);
      if (!row) {
        progress.done();
        if (g_interrupted) break;  // cut short while setting up: report what there is
        return fail("bench on " + backend + " with " + std::to_string(idle) + " idle", row.error());
      }
      rows.push_back(std::move(*row));
    }
  }
  progress.done();
  if (int st = report(opt, rows); st != 0) return st;
  if (g_interrupted) {
    std::fprintf(stderr,
                 "sockkit: bench interrupted: %zu of %zu runs reported, the last cut short\n",
                 rows.size(), backends.size() * idle_counts.size());
    return 128 + SIGINT;
  }
  for (const auto& r : rows) {
    if (r.result.mismatches != 0 || r.result.error) {
      std::fprintf(stderr, "sockkit: bench: %llu echoed bytes differed%s%s\n",
                   static_cast<unsigned long long>(r.result.mismatches), r.result.error ? "; " : "",
                   r.result.error ? r.result.error.message().c_str() : "");
      return kFailure;
    }
  }
  return 0;
}

int demo(double seconds) {
  std::printf(
      "sockkit demo: an echo server on each backend, loaded over loopback from this process.\n"
      "Every echoed byte is verified. Throughput: 10 connections x 64 B x pipeline 8.\n\n");
  BenchOptions opt;
  opt.connections = 10;
  opt.pipeline = 8;
  opt.duration = seconds;
  opt.backends = backend_names(",");
  if (int st = bench(opt); st != 0) return st;
  std::printf(
      "\nIdle scaling: 1 connection ping-pong while N idle connections sit in the server's\n"
      "poller. select and poll scan every descriptor per wait; epoll and io_uring do not.\n\n");
  opt.connections = 1;
  opt.pipeline = 1;
  opt.scaling = "0,400,1500";  // select stops at FD_SETSIZE (1024): its last run is skipped
  opt.backends = "select,poll,epoll";
  return bench(opt);
}

}  // namespace

void add_bench(CLI::App& app, int& status) {
  auto opt = std::make_shared<BenchOptions>();
  auto* cmd = app.add_subcommand(
      "bench", "Load an echo server; verify every byte; report msgs/s, MB/s, latency percentiles");
  cmd->add_option("--connect", opt->connect, "Server to load (default: one in this process)");
  cmd->add_option(
         "-b,--backend,--backends", opt->backends,
         "In-process server backend(s), comma-separated (select,poll,epoll,epoll-et,uring)")
      ->capture_default_str()
      ->check(kBackendList);
  cmd->add_option("-c,--connections", opt->connections, "Active connections")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("-s,--size", opt->size, "Message size in bytes")
      ->capture_default_str()
      ->check(CLI::Range(1, 16 << 20));
  cmd->add_option("-p,--pipeline", opt->pipeline, "Messages in flight per connection")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  cmd->add_option("-d,--duration", opt->duration, "Seconds per run")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--threads", opt->threads,
                  "Client threads, each with its share of the connections (at most -c)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_flag("--busy-poll", opt->busy_poll,
                "Client threads spin on non-blocking reads instead of waiting in epoll "
                "(more load per client core; each thread keeps a core busy)");
  cmd->add_flag("--discard", opt->discard,
                "Count echoes without checking them: the kernel drops them uncopied "
                "(MSG_TRUNC), so the server, not the client, runs out of CPU first");
  cmd->add_option("--cpu-of", opt->cpu_of,
                  "PID of a local server: report its CPU time over the timed run (CSV, JSON)")
      ->check(CLI::Range(1, 1 << 22));
  auto* idle = cmd->add_option("--idle", opt->idle, "Idle connections held open during the run")
                   ->check(CLI::Range(0, 1000000));
  cmd->add_option("-n,--count,--messages", opt->messages,
                  "Stop after this many echoed messages (deterministic runs, e.g. callgrind)");
  cmd->add_option("--scaling", opt->scaling, "Idle-scaling sweep: idle counts, e.g. 0,250,500,1000")
      ->check(CLI::Validator(
          [](std::string& list) -> std::string {
            for (std::size_t start = 0; start <= list.size();) {
              const auto comma = list.find(',', start);
              const std::string item = list.substr(
                  start, comma == std::string::npos ? std::string::npos : comma - start);
              if (item.empty() || item.find_first_not_of("0123456789") != std::string::npos ||
                  item.size() > 7 || std::stoul(item) > 1000000)
                return "idle counts are whole numbers up to 1000000, got '" + item + "'";
              if (comma == std::string::npos) break;
              start = comma + 1;
            }
            return {};
          },
          "COUNTS"))
      ->excludes(idle);  // the sweep sets the idle count of each run;
  cmd->add_option("--csv", opt->csv, "Also write the results as CSV");
  cmd->add_option("--plot", opt->plot, "Write a PNG chart of the idle-scaling sweep (gnuplot)");
  cmd->add_flag("--json", opt->json, "Print the results as a JSON array instead of a table");
  add_tls_client_flags(*cmd, opt->tls, true);
  cmd->add_flag("--handshakes", opt->handshakes,
                "With --tls: full and resumed handshakes per second (-c at a time)");
  cmd->final_callback(
      [opt, &status] { status = settle_tls_client_flags(opt->tls) ? bench(*opt) : 2; });

  auto seconds = std::make_shared<double>(1.5);
  auto* d =
      app.add_subcommand("demo", "Run the bench against an in-process server on every backend");
  d->add_option("-d,--duration", *seconds, "Seconds per run")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 60.0));
  d->final_callback([seconds, &status] { status = demo(*seconds); });
}

}  // namespace sockkit::cli
