#include "cli11_support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>

#include <unistd.h>
#include <vector>

#include "help.hpp"
#include "pycache/exit_code.hpp"
#include "pycache/fs.hpp"
#include "pycache/log.hpp"
#include "pycache/text.hpp"

namespace pycache::cli {

std::unique_ptr<CLI::App> make_app(std::string_view name, std::string_view description) {
  auto app = std::make_unique<CLI::App>(std::string(description), "pycache " + std::string(name));
  app->get_formatter()->column_width(30);
  app->option_defaults()->always_capture_default(false);
  return app;
}

namespace {

// "--dry-rn" -> "unknown option '--dry-rn'; did you mean '--dry-run'?", as for commands.
std::string unknown_option(const CLI::App& app, const std::string& arg) {
  const std::string name = arg.substr(0, arg.find('='));
  std::vector<std::string> names;
  for (const CLI::Option* o : app.get_options()) {
    for (const auto& l : o->get_lnames()) names.push_back("--" + l);
    for (const auto& s : o->get_snames()) names.push_back("-" + s);
  }
  names.push_back("--help");
  names.push_back("--version");
  std::vector<std::string_view> views(names.begin(), names.end());
  auto near = name.starts_with("--") ? closest_match(name, views) : std::string_view();
  return fmt::format("unknown option '{}'", printable(name)) + did_you_mean(near);
}

// CLI11's message for a parse error, in pycache's words where they differ.
std::string parse_message(const CLI::App& app, const CLI::ParseError& e, Args args) {
  if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
    // "The following argument(s) was/were not expected: A B": the first is the culprit.
    std::string what = e.what();
    auto colon = what.find("expected: ");
    if (colon != std::string::npos) {
      std::string first = what.substr(colon + 10);
      first = first.substr(0, first.find(' '));
      for (const auto& a : args)  // as given (CLI11 splits --opt=value)
        if (a == first || a.starts_with(first + "=")) first = a;
      if (first.size() > 1 && first[0] == '-') return unknown_option(app, first);
      return fmt::format("unexpected argument '{}'", printable(first));
    }
  }
  std::string what = e.what();
  // "--jobs: expected ...": in the key table's words, "option '--jobs': expected ...".
  if (dynamic_cast<const CLI::ValidationError*>(&e) && what.starts_with("-")) {
    if (auto colon = what.find(": "); colon != std::string::npos)
      return fmt::format("option '{}'{}", what.substr(0, colon), what.substr(colon));
  }
  return what;
}

}  // namespace

std::optional<int> parse(CLI::App& app, Args args) {
  // --version after any command, as before one (options only: not after --).
  for (const auto& a : args) {
    if (a == "--") break;
    if (a == "--version") {
      std::fputs(version_text().c_str(), stdout);
      return kExitOk;
    }
  }
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    std::string name = app.get_name();
    if (name.starts_with("pycache ")) name.erase(0, 8);
    const Command* c = find_command(name);
    std::fputs(c ? format_help(*c).c_str() : app.help().c_str(), stdout);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    log().error("{} (see '{} --help')", parse_message(app, e, args), app.get_name());
    return kExitUsage;
  }
  return std::nullopt;
}

CLI::Validator one_of(const std::vector<std::string>& words) {
  return CLI::Validator(
      [words](std::string& value) {
        if (std::find(words.begin(), words.end(), value) != words.end()) return std::string();
        std::string list;
        for (std::size_t i = 0; i < words.size(); ++i)
          list += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + words[i];
        return fmt::format("expected {}, got '{}'", list, printable(value));
      },
      "");
}

void add_color(CLI::App& app, std::string& when) {
  app.add_option("--color", when,
                 "colour the report: auto (a terminal, unless NO_COLOR; FORCE_COLOR forces it), "
                 "always or never")
      ->type_name("WHEN")
      ->check(one_of({"auto", "always", "never"}));
}

bool colour_wanted(const std::string& when, int fd) {
  if (when == "never") return false;
  if (when == "always") return true;
  if (const char* no = std::getenv("NO_COLOR"); no && *no) return false;
  if (const char* force = std::getenv("FORCE_COLOR"); force && *force) return true;
  return ::isatty(fd) == 1;
}

CLI::Validator non_empty() {
  return CLI::Validator([](std::string& value) { return value.empty() ? std::string("expected a value, got ''") : ""; },
                        "");
}

CLI::Option* add_jobs(CLI::App& app, unsigned& jobs, const std::string& help) {
  return app.add_option("-j,--jobs", jobs, help)
      ->type_name("N")
      ->check(CLI::Validator(
          [](std::string& value) {
            unsigned n = 0;
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (ec == std::errc() && end == value.data() + value.size() && n >= 1 && n <= kMaxJobs)
              return std::string();
            return fmt::format("expected a number from 1 to {}, got '{}'", kMaxJobs, printable(value));
          },
          ""));
}

void add_excludes(CLI::App& app, ExcludeOptions& into) {
  const KeyOption& k = key_option(Key::Exclude, "--exclude");
  add_repeatable(app, std::string(k.name), into.globs, std::string(k.help))
      ->type_name(std::string(k.metavar))
      ->check(non_empty());
  app.add_flag("--no-default-excludes", into.no_defaults,
               "also walk virtual environments, .tox, .nox, node_modules and what git ignores (but __pycache__)");
}

CommandDoc doc_from_app(const CLI::App& app, std::string usage) {
  CommandDoc doc;
  doc.usage = std::move(usage);
  doc.description = app.get_description();
  doc.footer = app.get_footer();
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_group().empty()) continue;  // hidden
    OptionDoc d;
    d.positional = o->get_positional();
    if (d.positional) {
      d.names.push_back(o->get_name());
    } else {
      for (const auto& s : o->get_snames()) d.names.push_back("-" + s);
      for (const auto& l : o->get_lnames()) d.names.push_back("--" + l);
      if (std::find(d.names.begin(), d.names.end(), "--help") != d.names.end()) continue;  // said once, by format_help
      if (o->get_type_size() != 0) d.value = o->get_type_name();
      d.repeatable = o->get_expected_max() > 1;
    }
    d.help = o->get_description();
    doc.options.push_back(std::move(d));
  }
  return doc;
}

}  // namespace pycache::cli
