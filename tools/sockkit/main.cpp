// SPDX-License-Identifier: MIT
// sockkit — command-line tool: echo server, netcat-like client, UDP send/receive,
// benchmarks, name resolution and MQTT.
#include <cstdio>

#include "common.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "sockkit — sockets toolkit for embedded Linux and lwIP devices.\n"
      "Addresses: 1.2.3.4:80, [::1]:80, host:port, unix:/path, unix:@abstract."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "sockkit 0.1.0");
  int status = 0;  // set by the subcommand that runs
  sockkit::cli::add_echo_server(app, status);
  sockkit::cli::add_connect(app, status);
  sockkit::cli::add_udp(app, status);
  sockkit::cli::add_bench(app, status);
  sockkit::cli::add_resolve(app, status);
  sockkit::cli::add_mqtt(app, status);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "sockkit: %s (try --help)\n", e.what());
    return 2;
  }
  return status;
}
