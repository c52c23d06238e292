// Five-field cron expressions (minute hour day-of-month month day-of-week),
// as Metronome's schedules take them: `*`, numbers, ranges `1-5`, lists
// `1,3,5`, steps `*/15` and `10-50/20`, month names JAN..DEC and weekday
// names SUN..SAT (0 and 7 are Sunday). As in Vixie cron, when both day
// fields are restricted a day matching either one matches. Pure.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "actors/cron/time_zone.hpp"

namespace cairn::cron {

struct cron_expression {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;     // 1..31
  std::bitset<13> months;   // 1..12
  std::bitset<7> weekdays;  // 0 = Sunday
  bool any_day = true;      // day-of-month was `*`
  bool any_weekday = true;  // day-of-week was `*`
  std::string text;
};

caf::expected<cron_expression> parse_cron(std::string_view text);

// The first instant strictly after `after_ms` whose wall clock in `zone`
// matches, at a whole minute. A wall time skipped by a daylight-saving jump
// does not happen; one repeated happens once, the first time. None when the
// expression never matches (Feb 30) within eight years.
std::optional<int64_t> next_match(const cron_expression& e, const time_zone& zone,
                                  int64_t after_ms);

} // namespace cairn::cron
