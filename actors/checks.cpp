#include "actors/checks.hpp"

#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "runtime/errors.hpp"
#include "runtime/limits.hpp"

namespace cairn {

namespace {

bool is_control(unsigned char c) {
  return c < 0x20 || c == 0x7f;
}

// Mesos refuses whitespace in roles; control characters would break logs.
bool bad_in_role(unsigned char c) {
  return c == ' ' || is_control(c);
}

std::string check_role_component(std::string_view role, std::string_view part) {
  if (part == "." || part == ".." || part == "*")
    return fmt::format("Role '{}' cannot include '{}' as a component", role, part);
  if (part.front() == '-')
    return fmt::format("Role component '{}' is invalid because it starts with a dash", part);
  for (unsigned char c : part)
    if (bad_in_role(c))
      return fmt::format("Role component '{}' is invalid because it contains whitespace or "
                         "control characters",
                         part);
  return {};
}

} // namespace

std::string check_id(std::string_view id) {
  if (id.empty())
    return "ID must be non-empty";
  if (id.size() > limits::max_id_bytes)
    return fmt::format("ID must be at most {} bytes", limits::max_id_bytes);
  if (id == "." || id == "..")
    return fmt::format("'{}' is disallowed", id);
  for (unsigned char c : id)
    if (c == '/' || c == '\\' || is_control(c))
      return fmt::format("'{}' contains invalid characters", id);
  return {};
}

std::string check_role(std::string_view role) {
  if (role == "*")
    return {};
  if (role.empty())
    return "Role names cannot be the empty string";
  if (role.size() > limits::max_role_bytes)
    return fmt::format("Role names must be at most {} bytes", limits::max_role_bytes);
  if (role.front() == '/')
    return fmt::format("Role '{}' cannot start with a slash", role);
  if (role.back() == '/')
    return fmt::format("Role '{}' cannot end with a slash", role);
  if (role.find("//") != std::string_view::npos)
    return fmt::format("Role '{}' cannot contain two adjacent slashes", role);
  size_t start = 0;
  while (start <= role.size()) {
    size_t end = role.find('/', start);
    if (end == std::string_view::npos)
      end = role.size();
    if (auto problem = check_role_component(role, role.substr(start, end - start));
        !problem.empty())
      return problem;
    start = end + 1;
  }
  return {};
}

std::string check_weight(std::string_view role, double weight) {
  if (auto problem = check_role(role); !problem.empty())
    return problem;
  if (!std::isfinite(weight) || weight < limits::min_role_weight
      || weight > limits::max_role_weight)
    return fmt::format("Weight {} of role '{}' is out of range: it must be a number from {} to {}",
                       weight, role, limits::min_role_weight, limits::max_role_weight);
  return {};
}

std::string check_seconds(std::string_view what, double seconds) {
  if (!std::isfinite(seconds) || seconds < 0)
    return fmt::format("Invalid {}: {} is not a non-negative number of seconds", what, seconds);
  if (seconds > limits::max_input_duration_seconds)
    return fmt::format("Invalid {}: {} seconds is longer than the most allowed ({} seconds)",
                       what, seconds, limits::max_input_duration_seconds);
  return {};
}

caf::expected<std::vector<std::pair<std::string, double>>> parse_weights(const std::string& text) {
  std::vector<std::pair<std::string, double>> out;
  size_t start = 0;
  while (start < text.size()) {
    auto end = text.find(',', start);
    auto part = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? text.size() : end + 1;
    auto eq = part.find('=');
    char* rest = nullptr;
    double w = eq == std::string::npos ? 0 : std::strtod(part.c_str() + eq + 1, &rest);
    if (eq == 0 || eq == std::string::npos || rest == nullptr || *rest != '\0' || !(w > 0))
      return make_error(fmt::format("--weights: invalid '{}': expected role=positive number", part));
    if (auto why = check_weight(part.substr(0, eq), w); !why.empty())
      return make_error(fmt::format("--weights: invalid '{}': {}", part, why));
    out.emplace_back(part.substr(0, eq), w);
  }
  return out;
}


} // namespace cairn
