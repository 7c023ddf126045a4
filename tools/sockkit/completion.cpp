// SPDX-License-Identifier: MIT
// `sockkit completion bash`: a bash completion script made from the command
// line's own definition, so it names every command and flag of this build and
// never falls out of step; the package installs it.
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"

namespace sockkit::cli {
namespace {

// Flags that take a file name: completed with file names.
const std::set<std::string> kFileFlags = {"ca",      "cert",          "key", "cafile", "tls-cert",
                                          "tls-key", "tls-client-ca", "csv", "plot",   "file"};

std::string words_of(const CLI::App& command) {
  std::string words;
  for (const CLI::App* sub : visible_commands(command))
    words += sub->get_name() + " ";
  for (const CLI::Option* option : command.get_options()) {
    if (option->get_group().empty()) continue;  // hidden
    for (const auto& name : option->get_lnames())
      words += "--" + name + " ";
    for (const auto& name : option->get_snames())
      words += "-" + name + " ";
  }
  if (!words.empty()) words.pop_back();
  return words;
}

// Every command path below `command` ("echo-server", "mqtt pub"), nested ones first.
void command_paths(const CLI::App& command, const std::string& path,
                   std::vector<std::pair<std::string, const CLI::App*>>& out) {
  for (const CLI::App* sub : visible_commands(command)) {
    const std::string named = path.empty() ? sub->get_name() : path + " " + sub->get_name();
    command_paths(*sub, named, out);
    out.emplace_back(named, sub);
  }
}

std::string file_flags(const CLI::App& root) {
  std::set<std::string> flags;
  auto collect = [&](const CLI::App& app, auto&& self) -> void {
    for (const CLI::Option* option : app.get_options())
      for (const auto& name : option->get_lnames())
        if (kFileFlags.count(name)) {
          flags.insert("--" + name);
          for (const auto& s : option->get_snames())
            flags.insert("-" + s);
        }
    for (const CLI::App* sub : visible_commands(app))
      self(*sub, self);
  };
  collect(root, collect);
  std::string out;
  for (const auto& f : flags)
    out += (out.empty() ? "" : "|") + f;
  return out;
}

std::string bash_script(const CLI::App& root) {
  const std::string backends = backend_names(" ");
  const std::string tls = tls_backend_names(" ");
  std::vector<std::pair<std::string, const CLI::App*>> paths;
  command_paths(root, "", paths);
  std::string patterns;
  std::string arms;
  for (const auto& [path, command] : paths) {
    patterns += (patterns.empty() ? "\"" : " | \"") + path + "\"";
    arms += "    \"" + path + "\") words=\"" + words_of(*command) + "\" ;;\n";
  }
  arms += "    *) words=\"" + words_of(root) + "\" ;;\n";
  return "# bash completion for sockkit, made by `sockkit completion bash`\n"
         "_sockkit() {\n"
         "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
         "  local path=\"\" next words i\n"
         "  # The command path: the words before the cursor that name commands.\n"
         "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
         "    next=\"${path:+$path }${COMP_WORDS[i]}\"\n"
         "    case \"$next\" in\n"
         "      " +
         patterns +
         ") path=$next ;;\n"
         "    esac\n"
         "  done\n"
         "  case \"$prev\" in\n"
         "    -b|--backend|--backends) COMPREPLY=($(compgen -W \"" +
         backends +
         "\" -- \"$cur\")); return ;;\n"
         "    --tls-backend) COMPREPLY=($(compgen -W \"" +
         tls +
         "\" -- \"$cur\")); return ;;\n"
         "    --type) COMPREPLY=($(compgen -W \"A AAAA ANY\" -- \"$cur\")); return ;;\n"
         "    " +
         file_flags(root) +
         ") COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
         "  esac\n"
         "  case \"$path\" in\n" +
         arms +
         "  esac\n"
         "  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
         "}\n"
         "complete -F _sockkit sockkit\n";
}

}  // namespace

void add_completion(CLI::App& app, int& status) {
  auto* cmd = app.add_subcommand("completion", "Print a shell completion script (bash)");
  auto shell = std::make_shared<std::string>();
  cmd->add_option("shell", *shell, "The shell: bash")->required()->check(CLI::IsMember({"bash"}));
  cmd->final_callback([&app, &status, shell] {  // `shell` lives as long as the option
    std::fputs(bash_script(app).c_str(), stdout);
    status = 0;
  });
}

}  // namespace sockkit::cli
