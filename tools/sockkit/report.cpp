// SPDX-License-Identifier: MIT
#include "report.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <unistd.h>

namespace sockkit::cli {

void print_table(const std::vector<ReportRow>& rows) {
  std::printf("%-9s %6s %7s %5s %6s %12s %9s %9s %9s %10s %7s\n", "backend", "conns", "size",
              "pipe", "idle", "msgs/s", "MB/s", "p50 us", "p99 us", "p99.9 us", "errors");
  for (const auto& r : rows) {
    const auto& h = r.result.latency_ns;
    if (!r.skipped.empty()) {
      std::printf("%-9s %6d %7zu %5d %6d   skipped: %s\n", r.backend.c_str(), r.spec.connections,
                  r.spec.message_size, r.spec.pipeline, r.spec.idle, r.skipped.c_str());
      continue;
    }
    std::printf("%-9s %6d %7zu %5d %6d %12.0f %9.2f %9.1f %9.1f %10.1f %7llu\n", r.backend.c_str(),
                r.spec.connections, r.spec.message_size, r.spec.pipeline, r.spec.idle,
                r.result.messages_per_second(), r.result.megabytes_per_second(),
                static_cast<double>(h.quantile(0.50)) / 1e3,
                static_cast<double>(h.quantile(0.99)) / 1e3,
                static_cast<double>(h.quantile(0.999)) / 1e3,
                static_cast<unsigned long long>(r.result.mismatches + (r.result.error ? 1 : 0)));
  }
}

bool write_csv(const std::string& path, const std::vector<ReportRow>& rows) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return false;
  std::fprintf(f,
               "backend,connections,size,pipeline,idle,messages_per_s,mb_per_s,p50_us,p99_us,"
               "p999_us,mismatches,seconds,watched_cpu_s\n");
  for (const auto& r : rows) {
    if (!r.skipped.empty()) continue;
    const auto& h = r.result.latency_ns;
    std::fprintf(f, "%s,%d,%zu,%d,%d,%.0f,%.3f,%.2f,%.2f,%.2f,%llu,%.3f,%.3f\n", r.backend.c_str(),
                 r.spec.connections, r.spec.message_size, r.spec.pipeline, r.spec.idle,
                 r.result.messages_per_second(), r.result.megabytes_per_second(),
                 static_cast<double>(h.quantile(0.50)) / 1e3,
                 static_cast<double>(h.quantile(0.99)) / 1e3,
                 static_cast<double>(h.quantile(0.999)) / 1e3,
                 static_cast<unsigned long long>(r.result.mismatches), r.result.seconds,
                 r.result.watched_cpu_seconds);
  }
  return std::fclose(f) == 0;
}

void write_json(std::FILE* out, const std::vector<ReportRow>& rows) {
  std::fprintf(out, "[");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    std::fprintf(out,
                 "%s\n  {\"backend\": \"%s\", \"connections\": %d, \"size\": %zu, "
                 "\"pipeline\": %d, \"idle\": %d",
                 i == 0 ? "" : ",", r.backend.c_str(), r.spec.connections, r.spec.message_size,
                 r.spec.pipeline, r.spec.idle);
    if (!r.skipped.empty()) {
      // The reason is the tool's own text: no quotes or backslashes to escape.
      std::fprintf(out, ", \"skipped\": \"%s\"}", r.skipped.c_str());
      continue;
    }
    const auto& h = r.result.latency_ns;
    std::fprintf(out,
                 ", \"messages_per_s\": %.0f, \"mb_per_s\": %.3f, \"p50_us\": %.2f, "
                 "\"p99_us\": %.2f, \"p999_us\": %.2f, \"mismatches\": %llu, "
                 "\"seconds\": %.3f, \"watched_cpu_s\": %.3f}",
                 r.result.messages_per_second(), r.result.megabytes_per_second(),
                 static_cast<double>(h.quantile(0.50)) / 1e3,
                 static_cast<double>(h.quantile(0.99)) / 1e3,
                 static_cast<double>(h.quantile(0.999)) / 1e3,
                 static_cast<unsigned long long>(r.result.mismatches), r.result.seconds,
                 r.result.watched_cpu_seconds);
  }
  std::fprintf(out, "\n]\n");
}

std::string unwritable(const std::string& path) {
  const auto slash = path.rfind('/');
  const std::string folder = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  if (::access(folder.c_str(), F_OK) != 0) return "folder " + folder + " does not exist";
  if (::access(folder.c_str(), W_OK) != 0) return "folder " + folder + " is not writable";
  return {};
}

std::string plot_unavailable() {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "";
  for (std::size_t start = 0; start <= dirs.size();) {
    const auto colon = dirs.find(':', start);
    const std::string dir = dirs.substr(start, colon == std::string::npos ? colon : colon - start);
    if (!dir.empty() && ::access((dir + "/gnuplot").c_str(), X_OK) == 0) return {};
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return "gnuplot is not installed (apt-get install gnuplot-nox)";
}

std::string plot_idle_scaling(const std::string& png, const std::vector<ReportRow>& rows) {
  const std::string csv = png + ".csv";
  if (!write_csv(csv, rows)) return "cannot write " + csv;
  std::string backends;
  for (const auto& r : rows)
    if (backends.find(" " + r.backend + " ") == std::string::npos)
      backends += " " + r.backend + " ";
  const std::string script = png + ".gp";
  std::ofstream gp(script);
  gp << "set terminal pngcairo size 900,540\nset output '" << png << "'\n"
     << "set datafile separator ','\nset key outside right\n"
     << "set title 'Echo throughput vs idle connections (sockkit bench --scaling)'\n"
     << "set xlabel 'idle connections'\nset ylabel 'messages/s'\nset grid\n"
     << "plot for [b in '" << backends << "'] '" << csv
     << "' every ::1 using 5:(strcol(1) eq b ? $6 : 1/0) with linespoints title b\n";
  gp.close();
  const std::string cmd = "gnuplot '" + script + "' 2>&1";
  if (std::system(cmd.c_str()) != 0) return "gnuplot failed (is gnuplot installed?)";
  return {};
}

}  // namespace sockkit::cli
