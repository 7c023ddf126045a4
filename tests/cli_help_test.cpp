// SPDX-License-Identifier: MIT
// What the sockkit tool says about itself, checked against itself: every
// command has help, --version names what the build has, the completion script
// and the manual page are made from the same definition as --help, and a
// short flag means one thing everywhere.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "support/cli_run.hpp"
#include "support/fixture.hpp"

namespace sockkit::test {
namespace {

using CliTest = SockkitTest;

TEST_F(CliTest, HelpDocumentsEverySubcommand) {
  auto help = run("--help");
  EXPECT_EQ(help.status, 0);
  for (const char* sub :
       {"echo-server", "connect", "udp-send", "udp-recv", "bench", "demo", "resolve", "mqtt"}) {
    EXPECT_NE(help.output.find(sub), std::string::npos) << sub;
    auto sub_help = run(std::string(sub) + " --help");
    EXPECT_EQ(sub_help.status, 0) << sub;
    EXPECT_NE(sub_help.output.find("Usage:"), std::string::npos) << sub;
  }
  // The MQTT commands keep mosquitto's -h for the host, so their help is --help.
  for (const char* sub : {"mqtt pub", "mqtt sub"}) {
    auto sub_help = run(std::string(sub) + " --help");
    EXPECT_EQ(sub_help.status, 0) << sub;
    EXPECT_NE(sub_help.output.find("-h,--host"), std::string::npos) << sub_help.output;
  }
  EXPECT_EQ(run("mqtt pub -t x").status, 2);  // no payload option given
}

// --version names the version and what this build has: its stack, every
// compiled backend, and each TLS library it can use.
TEST_F(CliTest, VersionListsWhatThisBuildSupports) {
  auto v = run("--version");
  EXPECT_EQ(v.status, 0) << v.output;
  EXPECT_EQ(v.output.rfind("sockkit 0.", 0), 0u) << v.output;
  EXPECT_NE(v.output.find(std::string("stack: ") + stack_name()), std::string::npos) << v.output;
  for (Backend b : compiled_backends())
    EXPECT_NE(v.output.find(to_string(b)), std::string::npos) << to_string(b) << "\n" << v.output;
  for (TlsBackend t : {TlsBackend::openssl, TlsBackend::mbedtls})
    EXPECT_EQ(v.output.find(to_string(t)) != std::string::npos, tls_backend_available(t))
        << to_string(t) << "\n"
        << v.output;
}

// The completion script, sourced into bash, completes commands, nested
// commands, flags and the values of flags that take a backend.
TEST_F(CliTest, BashCompletionCompletesCommandsFlagsAndBackends) {
  auto script = run("completion bash");
  ASSERT_EQ(script.status, 0) << script.output;
  const auto path = std::filesystem::temp_directory_path() /
                    ("sockkit-completion-" + std::to_string(::getpid()) + ".bash");
  std::ofstream(path) << script.output;
  // COMP_WORDS as bash gives them, the last being the word under the cursor.
  auto complete = [&](const std::string& words) {
    return run_program("bash", "-c 'source " + path.string() + " && COMP_WORDS=(" + words +
                                   ") && COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) && _sockkit && "
                                   "echo \"${COMPREPLY[*]}\"'")
        .output;
  };
  EXPECT_EQ(complete("sockkit ec"), "echo-server\n");
  EXPECT_EQ(complete("sockkit echo-server --ba"), "--backend\n");
  EXPECT_EQ(complete("sockkit mqtt p"), "pub\n");
  EXPECT_EQ(complete("sockkit mqtt pub --qo"), "--qos\n");
  EXPECT_EQ(complete("sockkit udp-recv --ra"), "--raw\n");
  EXPECT_EQ(complete("sockkit resolve --type AA"), "AAAA\n");
  const std::string epolls = complete("sockkit bench -b ep");
  for (Backend b : compiled_backends()) {
    if (std::string(to_string(b)).rfind("ep", 0) == 0) {
      EXPECT_NE(epolls.find(to_string(b)), std::string::npos) << epolls;
    }
  }
  std::filesystem::remove(path);
}

// The manual page is made from the same definition as --help: every long flag
// of every command's help appears in it (roff escapes each '-'); the hidden
// command that prints it does not.
TEST_F(CliTest, ManPageHasEveryCommandAndFlagOfTheHelp) {
  auto page = run("man-page");
  ASSERT_EQ(page.status, 0) << page.output;
  EXPECT_NE(page.output.find(".TH SOCKKIT 1"), std::string::npos);
  EXPECT_EQ(page.output.find("man\\-page"), std::string::npos) << "the hidden command is listed";
  auto roff = [](std::string text) {
    for (std::size_t at = 0; (at = text.find('-', at)) != std::string::npos; at += 2)
      text.replace(at, 1, "\\-");
    return text;
  };
  for (const char* command : {"echo-server", "connect", "udp-send", "udp-recv", "bench", "demo",
                              "resolve", "mqtt pub", "mqtt sub", "completion"}) {
    EXPECT_NE(page.output.find(".SS \"" + roff(command) + "\""), std::string::npos) << command;
    const std::string help = run(std::string(command) + " --help").output;
    std::size_t flags = 0;
    for (std::size_t at = 0; (at = help.find("--", at)) != std::string::npos;) {
      const auto end = help.find_first_not_of("abcdefghijklmnopqrstuvwxyz-", at + 2);
      const std::string flag = help.substr(at, end - at);
      at = end;
      if (flag.size() < 4) continue;
      ++flags;
      EXPECT_NE(page.output.find(roff(flag)), std::string::npos) << command << " " << flag;
    }
    EXPECT_GT(flags, 0u) << command;
  }
}

// A short flag means one thing in every subcommand: each "-x,--long" line of every
// help screen is collected and no -x may stand for two different long names. The
// MQTT commands are exempt: they keep mosquitto_pub/mosquitto_sub's flags.
TEST_F(CliTest, EveryShortFlagHasOneMeaningAcrossSubcommands) {
  std::map<std::string, std::set<std::string>> meanings;  // "-b" -> {"--backend (bench)", ...}
  std::map<std::string, std::set<std::string>> users;
  size_t seen = 0;
  for (const char* sub :
       {"echo-server", "connect", "udp-send", "udp-recv", "bench", "demo", "resolve"}) {
    auto help = run(std::string(sub) + " --help");
    ASSERT_EQ(help.status, 0) << sub;
    std::istringstream lines(help.output);
    for (std::string line; std::getline(lines, line);) {
      const auto at = line.find_first_not_of(' ');
      if (at == std::string::npos || line.compare(at, 1, "-") != 0 || line[at + 1] == '-') continue;
      const std::string flag = line.substr(at, 2);
      const auto comma = line.find(",--", at);
      if (comma != at + 2) continue;
      const auto end = line.find_first_of(" ,", comma + 1);
      meanings[flag].insert(line.substr(comma + 1, end - comma - 1));
      users[flag].insert(sub);
      ++seen;
    }
  }
  EXPECT_GT(seen, 10u);  // the help screens were read
  for (const auto& [flag, longs] : meanings) {
    std::string listed;
    for (const auto& l : longs)
      listed += l + " ";
    for (const auto& u : users[flag])
      listed += "[" + u + "] ";
    EXPECT_EQ(longs.size(), 1u) << flag << " means " << listed;
  }
}

}  // namespace
}  // namespace sockkit::test
