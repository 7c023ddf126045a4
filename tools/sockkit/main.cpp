// SPDX-License-Identifier: MIT
// sockkit — command-line tool: echo server, netcat-like client, UDP send/receive,
// benchmarks, name resolution and MQTT.
#include <cstdio>
#include <string_view>

#include "common.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "sockkit — sockets toolkit for embedded Linux and lwIP devices.\n"
      "Addresses: 1.2.3.4:80, [::1]:80, host:port, unix:/path, unix:@abstract."};
  app.require_subcommand(1);
  app.footer(
      "Exit status: 0 success; 1 a failure, printed as one line with its condition; "
      "2 a usage error. `sockkit mqtt` exits as mosquitto's clients do (see its --help).");
  app.set_version_flag("--version", sockkit::cli::version_text,
                       "Print the version and what this build supports, then exit");
  int status = 0;  // set by the subcommand that runs
  sockkit::cli::add_echo_server(app, status);
  sockkit::cli::add_connect(app, status);
  sockkit::cli::add_udp(app, status);
  sockkit::cli::add_bench(app, status);
  sockkit::cli::add_resolve(app, status);
  sockkit::cli::add_mqtt(app, status);
  sockkit::cli::add_completion(app, status);
  sockkit::cli::add_man_page(app, status);
  // `sockkit help [COMMAND]`, and a word that is no command named as such.
  if (argc >= 2 && argv[1][0] != '-') {
    const std::string_view word = argv[1];
    std::string commands;
    const CLI::App* named = nullptr;
    for (const CLI::App* sub : sockkit::cli::visible_commands(app)) {
      commands += (commands.empty() ? "" : ", ") + sub->get_name();
      if (argc >= 3 && sub->get_name() == argv[2]) named = sub;
    }
    if (word == "help") {
      std::fputs((named != nullptr ? named->help() : app.help()).c_str(), stdout);
      return 0;
    }
    if (app.get_subcommands([&](CLI::App* sub) { return sub->get_name() == word; }).empty()) {
      std::fprintf(stderr, "sockkit: unknown command '%s'; the commands are: %s, help\n", argv[1],
                   commands.c_str());
      return 2;
    }
  }
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
