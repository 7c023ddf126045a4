// SPDX-License-Identifier: MIT
// Tables, CSV and charts of load results, for `sockkit bench` and `sockkit demo`.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "load.hpp"

namespace sockkit::cli {

struct ReportRow {
  std::string backend;
  LoadSpec spec;
  LoadResult result;
  std::string skipped;  ///< Why this run could not happen (e.g. select's FD_SETSIZE), if so.
};

void print_table(const std::vector<ReportRow>& rows);
/// Writes every row as CSV (with a header line); false if the file cannot be written.
bool write_csv(const std::string& path, const std::vector<ReportRow>& rows);
/// Writes every row as one JSON array of objects (the CSV's fields, and
/// "skipped" with its reason for a run that could not happen).
void write_json(std::FILE* out, const std::vector<ReportRow>& rows);
/// Why `path` cannot be written (its folder is missing or read-only), empty if it can.
std::string unwritable(const std::string& path);
/// Why --plot cannot work here (no gnuplot on PATH), empty if it can.
std::string plot_unavailable();
/// Plots messages/s against idle connections, one line per backend, with gnuplot.
/// Returns a one-line reason on failure, empty on success.
std::string plot_idle_scaling(const std::string& png, const std::vector<ReportRow>& rows);

}  // namespace sockkit::cli
