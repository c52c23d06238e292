// A time zone as the tz database describes it: UTC offsets changing at
// transitions, then a POSIX rule for the years after the table. Built from
// a TZif file's bytes (tz_database.hpp reads them) or as a fixed offset;
// pure, so schedules across daylight-saving jumps are tested without I/O.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace cairn::cron {

class time_zone {
public:
  static std::shared_ptr<const time_zone> utc();
  static std::shared_ptr<const time_zone> fixed(int32_t offset_s);
  // A TZif file (versions 1 to 4) named `name`.
  static caf::expected<std::shared_ptr<const time_zone>> from_tzif(std::string name,
                                                                   std::string_view bytes);
  // A POSIX TZ rule, e.g. "CET-1CEST,M3.5.0,M10.5.0/3".
  static caf::expected<std::shared_ptr<const time_zone>> from_posix(std::string name,
                                                                    std::string_view rule);

  // "UTC", "+01:00", or the tz name.
  const std::string& name() const { return name_; }
  bool is_fixed() const { return transitions_.empty() && !rule_; }

  // Seconds east of UTC at the instant.
  int32_t offset_at(int64_t utc_ms) const;
  // The instant a wall-clock time names: in an overlap the earlier one, in a
  // gap the wall time moved forward by the gap (as Joda-Time resolves them).
  int64_t to_utc(int64_t local_ms) const;
  // Only a wall time that exists, and once: none in a gap.
  std::optional<int64_t> to_utc_exact(int64_t local_ms) const;

  struct posix_rule;

private:
  time_zone() = default;
  std::string name_;
  int32_t fixed_offset_s_ = 0;               // before the first transition, or always
  std::vector<int64_t> transitions_;         // utc seconds, ascending
  std::vector<int32_t> offsets_;             // offset after each transition
  std::shared_ptr<const posix_rule> rule_;   // after the last transition
};

} // namespace cairn::cron
