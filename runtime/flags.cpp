#include "runtime/flags.hpp"

#include <algorithm>
#include <cctype>

#include "runtime/errors.hpp"

namespace cairn {

std::string flag_spellings(const std::string& dashed) {
  std::string underscored = dashed;
  std::replace(underscored.begin(), underscored.end(), '-', '_');
  if (underscored == dashed)
    return "--" + dashed;
  return "--" + dashed + ",--" + underscored;
}

std::string flag_env_name(const std::string& dashed) {
  std::string env = "CAIRN_";
  for (char c : dashed)
    env += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return env;
}

CLI::Option* add_bool_flag(CLI::App& app, const std::string& dashed, bool& target,
                           const std::string& help) {
  // Mesos writes booleans as --flag, --no-flag or --flag=false.
  return app.add_flag(flag_spellings(dashed) + ",!--no-" + dashed, target, help)
    ->envname(flag_env_name(dashed));
}

CLI::Option* add_duration_flag(CLI::App& app, const std::string& dashed, duration& target,
                               const std::string& help) {
  auto check = [](const std::string& text) -> std::string {
    auto d = parse_duration(text);
    return d ? std::string{} : error_message(d.error());
  };
  return app
    .add_option_function<std::string>(
      flag_spellings(dashed),
      [&target](const std::string& text) { target = *parse_duration(text); },
      help + " (default " + format_duration(target) + ")")
    ->check(CLI::Validator(check, "DURATION"))
    ->envname(flag_env_name(dashed));
}

} // namespace cairn
