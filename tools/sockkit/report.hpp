// SPDX-License-Identifier: MIT
// Tables, CSV and charts of load results, for `sockkit bench` and `sockkit demo`.
#pragma once

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
/// Plots messages/s against idle connections, one line per backend, with gnuplot.
/// Returns a one-line reason on failure, empty on success.
std::string plot_idle_scaling(const std::string& png, const std::vector<ReportRow>& rows);

}  // namespace sockkit::cli
