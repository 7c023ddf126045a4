// Shared helpers of the sockkit command-line tool.
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <string>
#include <system_error>

#include "sockkit/sockkit.hpp"

namespace sockkit::cli {

/// Exit status for a runtime failure (usage errors exit with 2).
constexpr int kFailure = 1;

/// Prints "sockkit: <what>: <reason> [<condition>]" on stderr and returns kFailure.
int fail(const std::string& what, const std::error_code& ec);

/// Resolves "host:port" text to its first endpoint, or prints why not.
Result<Endpoint> first_endpoint(const std::string& text, bool passive);

/// Seconds (fractional allowed) as milliseconds.
std::chrono::milliseconds to_millis(double seconds);

void add_echo_server(CLI::App& app, int& status);
void add_connect(CLI::App& app, int& status);
void add_udp(CLI::App& app, int& status);
void add_bench(CLI::App& app, int& status);

}  // namespace sockkit::cli
