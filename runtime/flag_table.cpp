#include "runtime/flag_table.hpp"

#include <algorithm>
#include <cassert>
#include <cctype>

#include <fmt/format.h>

#include "runtime/errors.hpp"

extern char** environ;

namespace cairn {

namespace {

std::string dashed(std::string name) {
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

std::string underscored(std::string name) {
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

std::string upper(std::string text) {
  for (auto& c : text)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::string lower(std::string text) {
  for (auto& c : text)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// "--port,--http_port,--http-port" for {"port", "http_port"}.
std::string spellings(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& n : names)
    for (const auto& s : {n, dashed(n)})
      if (std::find(out.begin(), out.end(), "--" + s) == out.end())
        out.push_back("--" + s);
  std::string joined;
  for (const auto& s : out)
    joined += (joined.empty() ? "" : ",") + s;
  return joined;
}

} // namespace

environment process_environment() {
  environment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry{*e};
    auto eq = entry.find('=');
    if (eq != std::string::npos)
      env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

caf::expected<uint64_t> parse_unsigned(const std::string& text, uint64_t max) {
  auto bad = [&] { return make_error(fmt::format("'{}' is not a whole number from 0 to {}", text, max)); };
  if (text.empty() || text.size() > 20)
    return bad();
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return bad();
    auto digit = static_cast<uint64_t>(c - '0');
    if (v > (max - digit) / 10)
      return bad();
    v = v * 10 + digit;
  }
  return v;
}

std::string missing_flag_message(const missing_flag& flag) {
  auto text = fmt::format("--{} is a Mesos flag that cairn does not have", flag.name);
  if (!flag.hint.empty())
    text += " (" + flag.hint + ")";
  return text;
}

void flag_table::add(std::vector<std::string> names, std::string& target, std::string help) {
  add_entry(std::move(names), std::move(help),
            [&target](const std::string& text) -> caf::error {
              target = text;
              return caf::none;
            },
            [&target] { return target; });
}

void flag_table::add(std::vector<std::string> names, duration& target, std::string help) {
  add_entry(std::move(names), std::move(help),
            [&target](const std::string& text) -> caf::error {
              auto d = parse_duration(text);
              if (!d)
                return d.error();
              target = *d;
              return caf::none;
            },
            [&target] { return format_duration(target); });
}

void flag_table::add(std::vector<std::string> names, bool& target, std::string help) {
  help += " (--no-" + dashed(names.front()) + " turns it off)";
  add_entry(std::move(names), std::move(help),
            [&target](const std::string& text) -> caf::error {
              if (text.empty() || text == "true" || text == "1")
                target = true;
              else if (text == "false" || text == "0")
                target = false;
              else
                return make_error(fmt::format("'{}' is not true or false", text));
              return caf::none;
            },
            [&target] { return std::string(target ? "true" : "false"); });
  entries_.back().boolean = true;
}

void flag_table::add_entry(std::vector<std::string> names, std::string help,
                           std::function<caf::error(const std::string&)> set,
                           std::function<std::string()> get) {
  // A name listed twice would make the listing and the parser disagree.
  assert(!names.empty());
  for (auto& n : names) {
    n = underscored(n);
    assert(!has(n));
  }
  entries_.push_back({std::move(names), std::move(help), std::move(set), std::move(get)});
}

void flag_table::refuse(const std::vector<missing_flag>& flags) {
  for (const auto& f : flags)
    if (!has(f.name) && missing(f.name) == nullptr)
      missing_.push_back(f);
}

bool flag_table::has(const std::string& name) const {
  for (const auto& e : entries_)
    if (std::find(e.names.begin(), e.names.end(), name) != e.names.end())
      return true;
  return false;
}

const missing_flag* flag_table::missing(const std::string& name) const {
  if (has(name))
    return nullptr;
  for (const auto& m : missing_)
    if (m.name == name)
      return &m;
  return nullptr;
}

void flag_table::add_to(CLI::App& app) {
  for (auto& e : entries_) {
    auto help = e.help;
    auto current = e.get();
    if (!current.empty())
      help += " (default " + current + ")";
    auto set = e.set;
    auto shown = "--" + e.names.front();
    e.option = app.add_option_function<std::string>(
                      spellings(e.names),
                      [set, shown](const std::string& text) {
                        if (auto err = set(text))
                          throw CLI::ValidationError(shown, error_message(err));
                      },
                      help)
                 ->type_name("VALUE");
    if (e.boolean) {
      // A bare --name means true; --no-name false, as Mesos reads them.
      e.option->expected(0, 1)->type_name("[=BOOL]");
      std::vector<std::string> negated;
      for (const auto& n : e.names) {
        negated.push_back("no_" + n);
        negated.push_back("no-" + n);  // --no-switch_user, as Mesos spells it
      }
      // Listed in --help only as part of the flag's own line.
      app.add_flag_callback(spellings(negated), [set] { set("false"); }, "")->group("");
    }
  }
  // What CLI11 does not know is refused by finish(), with Mesos' flags named.
  app.allow_extras();
}

caf::error flag_table::refuse_arguments(const std::vector<std::string>& extras) const {
  for (const auto& arg : extras) {
    if (arg.rfind("-", 0) != 0)
      return make_error(fmt::format("unexpected argument '{}'", arg));
    auto name = underscored(arg.substr(arg.find_first_not_of('-')));
    name = name.substr(0, name.find('='));
    const auto* m = missing(name);
    if (m == nullptr && name.rfind("no_", 0) == 0) // Mesos' --no-<boolean>
      m = missing(name.substr(3));
    if (m != nullptr)
      return make_error(missing_flag_message(*m));
    return make_error(fmt::format("unknown flag {} (see --help)", arg.substr(0, arg.find('='))));
  }
  return caf::none;
}

caf::error flag_table::refuse_environment(const environment& env) const {
  const std::string prefix = "MESOS_";
  for (const auto& [key, value] : env) {
    if (key.rfind(prefix, 0) != 0)
      continue;
    // Mesos takes MESOS_WORK_DIR and MESOS_work_dir alike. Variables that
    // are no Mesos flag of this role (MESOS_SANDBOX in a task) are ignored,
    // as Mesos ignores them.
    if (const auto* m = missing(lower(key.substr(prefix.size()))))
      return make_error(fmt::format("{}: {}", key, missing_flag_message(*m)));
  }
  return caf::none;
}

caf::error flag_table::set_from_environment(const entry& e, const environment& env) const {
  for (const std::string prefix : {"CAIRN_", "MESOS_"}) {
    std::vector<std::pair<std::string, std::string>> found;
    for (const auto& n : e.names)
      for (const auto& key : {prefix + upper(n), prefix + n}) {
        auto it = env.find(key);
        std::pair<std::string, std::string> hit;
        if (it != env.end())
          hit = {it->first, it->second};
        if (it != env.end() && std::find(found.begin(), found.end(), hit) == found.end())
          found.push_back(std::move(hit));
      }
    if (found.empty())
      continue;
    for (const auto& other : found)
      if (other.second != found.front().second)
        return make_error(fmt::format("{} and {} name the same flag with different values",
                                      found.front().first, other.first));
    if (auto err = e.set(found.front().second))
      return make_error(fmt::format("{}: {}", found.front().first, error_message(err)));
    return caf::none;
  }
  return caf::none;
}

caf::error flag_table::finish(const CLI::App& app, const environment& env) {
  if (auto err = refuse_arguments(app.remaining()))
    return err;
  if (auto err = refuse_environment(env))
    return err;
  for (const auto& e : entries_) {
    if (e.option != nullptr && e.option->count() > 0)
      continue; // the command line wins
    if (auto err = set_from_environment(e, env))
      return err;
  }
  return caf::none;
}

flag_values flag_table::values() const {
  flag_values out;
  out.reserve(entries_.size());
  for (const auto& e : entries_)
    out.emplace_back(e.names.front(), e.get());
  return out;
}

} // namespace cairn
