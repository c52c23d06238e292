#include "actors/executor/check_rules.hpp"

#include <fmt/format.h>

#include "actors/checks.hpp"

namespace cairn {

namespace {

std::string invalid_command(schema::CommandInfo::Reader command, const char* kind) {
  if (command.getValue().size() == 0)
    return fmt::format("{} must contain {}", kind,
                       command.getShell() ? "'shell command'" : "'executable path'");
  for (auto v : command.getEnvironment().getVariables()) {
    if (v.getName().size() == 0)
      return fmt::format("{} has an environment variable without a name", kind);
    if (v.hasSecret() || v.getType() == schema::Environment::Variable::Type::SECRET)
      return fmt::format("{}'s environment.variables.secret is not supported yet", kind);
  }
  return {};
}

std::string invalid_port(uint32_t port) {
  if (port == 0 || port > 65535)
    return fmt::format("port {} is not a TCP port (1-65535)", port);
  return {};
}

std::string invalid_path(capnp::Text::Reader path, const char* kind) {
  if (path.size() > 0 && path[0] != '/')
    return fmt::format("The path '{}' of {} must start with '/'", path.cStr(), kind);
  return {};
}

// Mesos asks only for non-negative numbers; NaN, infinities and absurd
// lengths are refused as well, since they become timers.
std::string invalid_seconds(double delay, double interval, double timeout) {
  struct field {
    const char* name;
    double value;
  } fields[] = {{"delay_seconds", delay}, {"interval_seconds", interval},
                {"timeout_seconds", timeout}};
  for (const auto& f : fields) {
    if (f.value < 0.0)
      return fmt::format("Expecting '{}' to be non-negative", f.name);
    if (auto problem = check_seconds(f.name, f.value); !problem.empty())
      return problem;
  }
  return {};
}

} // namespace

std::string invalid_health_check(schema::HealthCheck::Reader check) {
  using Type = schema::HealthCheck::Type;
  switch (check.getType()) {
    case Type::COMMAND:
      if (!check.hasCommand())
        return "Expecting 'command' to be set for COMMAND health check";
      if (auto p = invalid_command(check.getCommand(), "Command health check"); !p.empty())
        return p;
      break;
    case Type::HTTP: {
      if (!check.hasHttp())
        return "Expecting 'http' to be set for HTTP health check";
      auto http = check.getHttp();
      std::string scheme = http.getScheme();
      if (http.hasScheme() && scheme != "http" && scheme != "https")
        return "Unsupported HTTP health check scheme: '" + scheme + "'";
      if (auto p = invalid_path(http.getPath(), "HTTP health check"); !p.empty())
        return p;
      if (auto p = invalid_port(http.getPort()); !p.empty())
        return "HTTP health check " + p;
      break;
    }
    case Type::TCP:
      if (!check.hasTcp())
        return "Expecting 'tcp' to be set for TCP health check";
      if (auto p = invalid_port(check.getTcp().getPort()); !p.empty())
        return "TCP health check " + p;
      break;
    default:
      return "'UNKNOWN' is not a valid health check type";
  }
  if (auto p = invalid_seconds(check.getDelaySeconds(), check.getIntervalSeconds(),
                               check.getTimeoutSeconds());
      !p.empty())
    return p;
  if (check.getGracePeriodSeconds() < 0.0)
    return "Expecting 'grace_period_seconds' to be non-negative";
  return check_seconds("grace_period_seconds", check.getGracePeriodSeconds());
}

std::string invalid_check(schema::CheckInfo::Reader check) {
  using Type = schema::CheckInfo::Type;
  switch (check.getType()) {
    case Type::COMMAND:
      if (!check.hasCommand() || !check.getCommand().hasCommand())
        return "Expecting 'command' to be set for COMMAND check";
      if (auto p = invalid_command(check.getCommand().getCommand(), "Command check"); !p.empty())
        return p;
      break;
    case Type::HTTP:
      if (!check.hasHttp())
        return "Expecting 'http' to be set for HTTP check";
      if (auto p = invalid_path(check.getHttp().getPath(), "HTTP check"); !p.empty())
        return p;
      if (auto p = invalid_port(check.getHttp().getPort()); !p.empty())
        return "HTTP check " + p;
      break;
    case Type::TCP:
      if (!check.hasTcp())
        return "Expecting 'tcp' to be set for TCP check";
      if (auto p = invalid_port(check.getTcp().getPort()); !p.empty())
        return "TCP check " + p;
      break;
    default:
      return "CheckInfo must specify 'type'";
  }
  return invalid_seconds(check.getDelaySeconds(), check.getIntervalSeconds(),
                         check.getTimeoutSeconds());
}

std::string unsupported_in_health_check(schema::HealthCheck::Reader check) {
  using Protocol = schema::NetworkInfo::Protocol;
  using Type = schema::HealthCheck::Type;
  // Only the field of its type is read; the others are ignored, as by Mesos.
  if (check.getType() == Type::HTTP && check.getHttp().getProtocol() == Protocol::I_PV6)
    return "TaskInfo.health_check.http.protocol IPv6 is not supported yet";
  if (check.getType() == Type::TCP && check.getTcp().getProtocol() == Protocol::I_PV6)
    return "TaskInfo.health_check.tcp.protocol IPv6 is not supported yet";
  return {};
}

} // namespace cairn
