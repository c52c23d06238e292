// Flags the Mesos way on top of CLI11: every flag in both spellings
// (--work-dir and --work_dir), from the environment as CAIRN_WORK_DIR, and
// durations in Mesos' forms.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "runtime/duration.hpp"

namespace cairn {

// "--work-dir,--work_dir" for "work-dir"; the env name is CAIRN_WORK_DIR.
std::string flag_spellings(const std::string& dashed);
std::string flag_env_name(const std::string& dashed);

template <class T>
CLI::Option* add_flag(CLI::App& app, const std::string& dashed, T& target,
                      const std::string& help) {
  return app.add_option(flag_spellings(dashed), target, help)
    ->envname(flag_env_name(dashed))
    ->capture_default_str();
}

CLI::Option* add_bool_flag(CLI::App& app, const std::string& dashed, bool& target,
                           const std::string& help);

CLI::Option* add_duration_flag(CLI::App& app, const std::string& dashed, duration& target,
                               const std::string& help);

} // namespace cairn
