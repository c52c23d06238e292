// One command's flags in one table. CLI11 parses them from it, the
// environment fills them from it, and /master/flags, /slave(1)/flags and
// GET_FLAGS list them from it, so what is listed cannot drift from what is
// parsed.
//
// Where a flag comes from, the first that has it wins:
//   1. the command line, as --work_dir or --work-dir;
//   2. CAIRN_WORK_DIR (cairn's own name: an override beside a Mesos file);
//   3. MESOS_WORK_DIR (as Mesos reads it: an /etc/default/mesos-master works);
//   4. the default.
// A Mesos flag the command does not have is refused, on the command line and
// as MESOS_<NAME>, naming it as a Mesos flag cairn does not have.
#pragma once

#include <functional>
#include <limits>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "runtime/duration.hpp"

namespace cairn {

// Name and value of each flag, in the table's order: what /master/flags lists.
using flag_values = std::vector<std::pair<std::string, std::string>>;

// A Mesos flag that a command does not have; `hint` says what to do instead.
struct missing_flag {
  std::string name; // underscores, as Mesos spells it: "zk"
  std::string hint; // may be empty
};

// The environment as NAME -> value.
using environment = std::map<std::string, std::string>;
environment process_environment();

// "1234" within [0, max]; anything else is an error naming what was expected.
caf::expected<uint64_t> parse_unsigned(const std::string& text, uint64_t max);

class flag_table {
public:
  // `names`: the listed name first, underscored as Mesos spells it ("port"),
  // then other names for the same flag ("http_port"). Each name is accepted
  // with underscores and with dashes.
  void add(std::vector<std::string> names, std::string& target, std::string help);
  void add(std::vector<std::string> names, duration& target, std::string help);
  // A Mesos boolean: --name, --name=true|false, --no-name.
  void add(std::vector<std::string> names, bool& target, std::string help);

  template <class T>
  std::enable_if_t<std::is_unsigned_v<T> && !std::is_same_v<T, bool>>
  add(std::vector<std::string> names, T& target, std::string help) {
    add_entry(std::move(names), std::move(help),
              [&target](const std::string& text) -> caf::error {
                auto v = parse_unsigned(text, std::numeric_limits<T>::max());
                if (!v)
                  return v.error();
                target = static_cast<T>(*v);
                return caf::none;
              },
              [&target] { return std::to_string(target); });
  }

  // Mesos flags this command does not have. Names the table has are skipped,
  // so one list of Mesos' flags serves every command.
  void refuse(const std::vector<missing_flag>& flags);

  // Whether `name` (underscored) is one of the table's names.
  bool has(const std::string& name) const;

  // Registers every flag with `app`; the app keeps what it does not know
  // for finish() to refuse. Call once, after the last add().
  void add_to(CLI::App& app);

  // After parsing: refuses unknown arguments and missing Mesos flags (on the
  // command line or in `env`), then sets each flag the command line did not
  // give from `env`. The error names the flag or variable.
  caf::error finish(const CLI::App& app, const environment& env);

  // Every flag with its current value; durations in Mesos' form.
  flag_values values() const;

private:
  struct entry {
    std::vector<std::string> names;
    std::string help;
    std::function<caf::error(const std::string&)> set;
    std::function<std::string()> get;
    CLI::Option* option = nullptr;
    bool boolean = false;
  };

  void add_entry(std::vector<std::string> names, std::string help,
                 std::function<caf::error(const std::string&)> set,
                 std::function<std::string()> get);
  caf::error refuse_arguments(const std::vector<std::string>& extras) const;
  caf::error refuse_environment(const environment& env) const;
  caf::error set_from_environment(const entry& e, const environment& env) const;
  const missing_flag* missing(const std::string& name) const;

  std::vector<entry> entries_;
  std::vector<missing_flag> missing_;
};

// "--zk is a Mesos flag that cairn does not have (hint)".
std::string missing_flag_message(const missing_flag& flag);

} // namespace cairn
