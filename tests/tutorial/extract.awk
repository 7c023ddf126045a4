# SPDX-License-Identifier: MIT
# Turns docs/tutorial.md into one GoogleTest file: each ```cpp block becomes a
# program in its own namespace (its main() renamed run()) and a test that runs
# it; each ```sh block becomes a test that runs it with bash.
#   awk -f extract.awk docs/tutorial.md > tutorial_snippets.cpp
BEGIN {
  print "// Generated from docs/tutorial.md by tests/tutorial/extract.awk; do not edit."
  print "#include <gtest/gtest.h>"
  print "#include <sockkit/sockkit.hpp>"
  print "#include <cstdio>"
  print "#include <thread>"
  print "#include \"tutorial/run_shell.hpp\""
  print "using namespace std::chrono_literals;"
  section = 0
}
/^## [0-9]+\./ { section = $2 + 0; count = 0 }
/^```cpp$/ { kind = "cpp"; ++count; ++snippets; printf "namespace tutorial_snippet_%d {\n", snippets; next }
/^```sh$/ { kind = "sh"; ++count; ++snippets; printf "TEST(Tutorial, Section%dShell%d) {\n  EXPECT_EQ(sockkit::test::run_shell(R\"SNIPPET(\n", section, count; next }
/^```$/ && kind == "cpp" {
  printf "}  // namespace tutorial_snippet_%d\n", snippets
  printf "TEST(Tutorial, Section%dProgram%d) { EXPECT_EQ(tutorial_snippet_%d::run(), 0); }\n", section, count, snippets
  kind = ""; next
}
/^```$/ && kind == "sh" { print ")SNIPPET\"), 0);\n}"; kind = ""; next }
kind == "cpp" { sub(/^int main\(\)/, "int run()"); print; next }
kind == "sh" { print; next }
END { if (snippets == 0) print "#error docs/tutorial.md has no snippets" }
