#include "runtime/duration.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <utility>

#include <caf/sec.hpp>
#include <fmt/format.h>

namespace cairn {

namespace {

struct unit {
  const char* name;
  double nanos;
};

// Longest names first so that "ms" is not read as "m" + "s".
constexpr unit duration_units[] = {
  {"weeks", 604800e9}, {"days", 86400e9}, {"hrs", 3600e9}, {"mins", 60e9},
  {"secs", 1e9},       {"min", 60e9},     {"sec", 1e9},    {"ms", 1e6},
  {"us", 1e3},         {"ns", 1.0},       {"w", 604800e9}, {"d", 86400e9},
  {"h", 3600e9},       {"m", 60e9},       {"s", 1e9},
};

constexpr unit byte_units[] = {
  {"TB", 1099511627776.0}, {"GB", 1073741824.0}, {"MB", 1048576.0}, {"KB", 1024.0},
  {"B", 1.0},
};

caf::error bad(std::string_view what, std::string_view text, std::string_view hint) {
  return caf::make_error(caf::sec::invalid_argument,
                         fmt::format("invalid {} '{}': {}", what, text, hint));
}

// Splits "15secs" into 15 and "secs".
bool split_number(std::string_view text, double& number, std::string_view& suffix) {
  size_t i = 0;
  while (i < text.size()
         && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  if (i == 0)
    return false;
  std::string digits{text.substr(0, i)};
  char* end = nullptr;
  number = std::strtod(digits.c_str(), &end);
  if (end != digits.c_str() + digits.size() || !std::isfinite(number))
    return false;
  suffix = text.substr(i);
  return true;
}

} // namespace

caf::expected<duration> parse_duration(std::string_view text) {
  double n = 0;
  std::string_view suffix;
  if (!split_number(text, n, suffix))
    return bad("duration", text, "expected a number and a unit, e.g. 15secs or 500ms");
  for (const auto& u : duration_units)
    if (suffix == u.name) {
      // About 292 years of nanoseconds fit; a longer or negative duration is
      // a mistake, and llround past the range gives nonsense.
      double ns = n * u.nanos;
      if (!(ns >= 0 && ns < 9223372036854775808.0))
        return bad("duration", text, "out of range (0 to about 292 years)");
      return duration{static_cast<int64_t>(std::llround(ns))};
    }
  return bad("duration", text, "unknown unit (ns, us, ms, secs, mins, hrs, days, weeks)");
}

// As Mesos writes a Duration: in the largest unit not above it, as a number
// of up to 15 significant digits (90s is "1.5mins", 15 minutes "15mins").
std::string format_duration(duration d) {
  struct named {
    const char* name;
    int64_t nanos;
  };
  static constexpr named units[] = {
    {"weeks", 604800'000000000}, {"days", 86400'000000000}, {"hrs", 3600'000000000},
    {"mins", 60'000000000},      {"secs", 1'000000000},     {"ms", 1'000000},
    {"us", 1'000},
  };
  auto ns = d.count();
  for (const auto& u : units)
    if (ns >= u.nanos)
      return fmt::format("{:.15g}{}", static_cast<double>(ns) / static_cast<double>(u.nanos),
                         u.name);
  return fmt::format("{}ns", ns);
}

double to_seconds(duration d) {
  return std::chrono::duration<double>(d).count();
}

duration from_seconds(double seconds) {
  // Out of range the cast is undefined (infinity came back as the most
  // negative duration): saturate instead, and NaN is no time at all.
  if (std::isnan(seconds))
    return duration::zero();
  constexpr double most = static_cast<double>(duration::max().count()) / 1e9;
  if (seconds >= most)
    return duration::max();
  if (seconds <= -most)
    return duration::min();
  return std::chrono::duration_cast<duration>(std::chrono::duration<double>(seconds));
}

caf::expected<uint64_t> parse_bytes(std::string_view text) {
  double n = 0;
  std::string_view suffix;
  if (!split_number(text, n, suffix))
    return bad("size", text, "expected a number and a unit, e.g. 512MB");
  // Past 2^63 bytes no size means anything, and a cast from beyond it is undefined.
  constexpr double max_bytes = 9223372036854775808.0;
  if (suffix.empty()) {
    if (!(n >= 0 && n < max_bytes))
      return bad("size", text, "out of range");
    return static_cast<uint64_t>(n);
  }
  for (const auto& u : byte_units)
    if (suffix == u.name) {
      double bytes = n * u.nanos;
      if (!(bytes >= 0 && bytes < max_bytes))
        return bad("size", text, "out of range");
      return static_cast<uint64_t>(std::llround(bytes));
    }
  return bad("size", text, "unknown unit (B, KB, MB, GB, TB)");
}

} // namespace cairn
