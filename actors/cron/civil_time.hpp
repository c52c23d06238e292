// Calendar arithmetic and ISO 8601 text for the cron framework's schedules:
// instants are milliseconds since the epoch (UTC), local times are the same
// count on a zone's wall clock. Pure: no clock, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace cairn::cron {

struct civil_date {
  int64_t year = 1970;
  unsigned month = 1;  // 1..12
  unsigned day = 1;    // 1..31
};

// Days since 1970-01-01 of a proleptic Gregorian date, and back.
int64_t days_from_civil(civil_date d);
civil_date civil_from_days(int64_t days);
bool is_leap_year(int64_t year);
unsigned days_in_month(int64_t year, unsigned month);
// 0 = Sunday .. 6 = Saturday.
unsigned weekday_from_days(int64_t days);

// Floor division, for negative instants.
inline int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// An ISO 8601 date-time as written: wall-clock fields, and the offset when
// the text gave one (Z is 0).
struct written_time {
  int64_t local_ms = 0;                 // the wall clock, as ms since 1970-01-01T00:00
  std::optional<int32_t> offset_s;      // seconds east of UTC
};

// "2026-01-01T00:00:00Z", "2026-01-01T00:00:00.5+01:00", "2026-01-01T00:00",
// "2026-01-01" (midnight), offsets as Z, +hh:mm, +hhmm or +hh.
caf::expected<written_time> parse_date_time(std::string_view text);

// "2026-01-01T00:00:00.000Z", or with "+01:00" for a non-zero offset.
std::string format_date_time(int64_t utc_ms, int32_t offset_s);

// An ISO 8601 duration: calendar parts (added on the wall clock) and exact
// parts (added as elapsed time), as Joda-Time adds a Period.
struct period {
  int64_t years = 0, months = 0, weeks = 0, days = 0;
  int64_t hours = 0, minutes = 0;
  int64_t millis = 0;  // seconds, with their fraction

  bool calendar() const { return years || months || weeks || days; }
  // Only meaningful without calendar parts.
  int64_t exact_ms() const { return (hours * 60 + minutes) * 60'000 + millis; }
  bool empty() const { return !calendar() && exact_ms() == 0; }
};

// "P1Y2M3DT4H5M6S", "PT0.5S", "P2W"; the T is required before time parts.
caf::expected<period> parse_period(std::string_view text);
std::string format_period(const period& p);

// Adds the calendar parts to a wall-clock time, clamping the day to the
// month's last (Jan 31 + P1M is Feb 28 or 29).
int64_t add_calendar(int64_t local_ms, const period& p);

} // namespace cairn::cron
