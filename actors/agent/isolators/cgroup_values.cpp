#include "actors/agent/isolators/cgroup_values.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <sstream>

#include <fmt/format.h>

namespace cairn {

namespace {

// cpus are given to three decimals (as Mesos keeps them): 0.29 x 100 must
// be 29, not the 28.999... a double makes of it.
uint64_t scaled(double value, double factor) {
  assert(value >= 0);
  return static_cast<uint64_t>(std::floor(value * factor + 1e-6));
}

} // namespace

uint64_t cpu_shares(double cpus) {
  return std::max<uint64_t>(scaled(cpus, 1024), 2);
}

uint64_t cfs_quota_us(double cpus) {
  return std::max(scaled(cpus, static_cast<double>(cfs_period_us)), min_cfs_quota_us);
}

uint64_t cpu_weight(double cpus) {
  return std::clamp<uint64_t>(scaled(cpus, 100), 1, 10000);
}

std::string cpu_max(double cpus, bool enable_cfs) {
  if (!enable_cfs)
    return fmt::format("max {}", cfs_period_us);
  return fmt::format("{} {}", cfs_quota_us(cpus), cfs_period_us);
}

uint64_t memory_limit_bytes(double mem_mb) {
  return std::max(scaled(mem_mb, 1024.0 * 1024.0), min_memory_bytes);
}

std::map<std::string, uint64_t> parse_keyed(const std::string& text) {
  std::map<std::string, uint64_t> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream in(line);
    std::string key, value;
    if (!(in >> key >> value))
      continue;
    if (auto v = parse_value(value))
      out[key] = *v;
  }
  return out;
}

std::optional<uint64_t> parse_value(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\n");
  size_t end = text.find_last_not_of(" \t\n");
  if (begin == std::string::npos)
    return std::nullopt;
  auto digits = text.substr(begin, end - begin + 1);
  if (digits.empty() || digits.size() > 20 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  try {
    return std::stoull(digits);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

uint32_t count_lines(const std::string& text) {
  uint32_t n = 0;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line))
    if (line.find_first_not_of(" \t") != std::string::npos)
      ++n;
  return n;
}

std::string format_bytes(uint64_t bytes) {
  static const char* const units[] = {"B", "KB", "MB", "GB", "TB"};
  size_t unit = 0;
  while (unit + 1 < std::size(units) && bytes >= 1024 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  return fmt::format("{}{}", bytes, units[unit]);
}

std::string memory_limit_message(std::optional<uint64_t> limit_bytes,
                                 std::optional<uint64_t> max_used_bytes,
                                 const std::string& memory_stat) {
  std::string out = "Memory limit exceeded: ";
  if (limit_bytes)
    out += "Requested: " + format_bytes(*limit_bytes) + " ";
  if (max_used_bytes)
    out += "Maximum Used: " + format_bytes(*max_used_bytes) + "\n";
  if (!memory_stat.empty())
    out += "\nMEMORY STATISTICS: \n" + memory_stat;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
    out.pop_back();
  return out;
}

bool oom_happened(const std::string& events) {
  auto keyed = parse_keyed(events);
  auto kills = keyed.find("oom_kill");
  if (kills != keyed.end())
    return kills->second > 0;
  auto under = keyed.find("under_oom");
  return under != keyed.end() && under->second > 0;
}

} // namespace cairn
