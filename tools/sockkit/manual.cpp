// SPDX-License-Identifier: MIT
// `sockkit man-page`: the manual page (roff), made from the command line's own
// definition — every command with its description, every flag with its help
// text — so that `man sockkit` and `--help` never disagree. The package
// installs it as sockkit(1).
#include <cstdio>
#include <string>

#include "common.hpp"

namespace sockkit::cli {
namespace {

// roff treats a leading '.' or '\'' as a request and '\' as an escape.
std::string roff(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
  return out;
}

std::string flag_names(const CLI::Option& option) {
  std::string names;
  for (const auto& s : option.get_snames())
    names += (names.empty() ? "" : ", ") + ("-" + s);
  for (const auto& l : option.get_lnames())
    names += (names.empty() ? "" : ", ") + ("--" + l);
  if (names.empty()) names = option.get_name(true);  // a positional: its name
  return names;
}

void command_section(const CLI::App& command, const std::string& path, std::string& out) {
  out += ".SS \"" + roff(path) + "\"\n" + roff(command.get_description()) + "\n";
  for (const CLI::Option* option : command.get_options()) {
    if (option->get_group().empty()) continue;  // hidden
    out += ".TP\n.B " + roff(flag_names(*option)) + "\n" + roff(option->get_description()) + "\n";
  }
  for (const CLI::App* sub : visible_commands(command))
    command_section(*sub, path + " " + sub->get_name(), out);
}

std::string man_page(const CLI::App& root) {
  std::string out =
      ".\\\" Made by `sockkit man-page` from the tool's own command line.\n"
      ".TH SOCKKIT 1 \"\" \"sockkit " SOCKKIT_VERSION_TEXT
      "\" \"User Commands\"\n"
      ".SH NAME\nsockkit \\- sockets toolkit for embedded Linux and lwIP devices\n"
      ".SH SYNOPSIS\n.B sockkit\n.I command\n[\\fIflags\\fR]\n"
      ".SH DESCRIPTION\n" +
      roff(root.get_description()) +
      "\n.PP\nA short flag means the same in every command (\\fB\\-b\\fR a backend, \\fB\\-n\\fR "
      "how many before stopping, \\fB\\-t\\fR a timeout, \\fB\\-l\\fR where to listen, "
      "\\fB\\-d\\fR a duration), except in \\fBsockkit mqtt\\fR, which keeps the flags of "
      "mosquitto_pub(1) and mosquitto_sub(1).\n"
      ".SH COMMANDS\n";
  for (const CLI::App* sub : visible_commands(root))
    command_section(*sub, sub->get_name(), out);
  out += ".SH EXIT STATUS\n" + roff(root.get_footer()) +
         "\n.SH EXAMPLES\n"
         ".nf\nsockkit echo-server \\-l 127.0.0.1:7000 &\n"
         "echo hello | sockkit connect 127.0.0.1:7000\n"
         "sockkit resolve example.org \\-\\-type AAAA\n"
         "sockkit mqtt sub \\-h broker.local \\-t 'meters/#' \\-v\n.fi\n"
         ".SH SEE ALSO\nmosquitto_pub(1), mosquitto_sub(1), openssl\\-s_client(1), getent(1)\n"
         ".SH LICENCE\nsockkit is free software under the MIT licence.\n";
  return out;
}

}  // namespace

void add_man_page(CLI::App& app, int& status) {
  auto* cmd = app.add_subcommand("man-page", "Print the manual page (roff), as installed");
  cmd->group("");  // for the build, not for users: hidden from --help
  cmd->final_callback([&app, &status] {
    std::fputs(man_page(app).c_str(), stdout);
    status = 0;
  });
}

}  // namespace sockkit::cli
