// A job's schedule and the "what is due now" decision: ISO 8601 repeating
// intervals (R[n]/<start>/<period>, as Chronos takes them) or five-field cron
// expressions, moved on occurrence by occurrence. Time is passed in; nothing
// here reads a clock.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "actors/cron/civil_time.hpp"
#include "actors/cron/cron_expression.hpp"
#include "actors/cron/time_zone.hpp"

namespace cairn::cron {

class job_schedule {
public:
  // "R5/2026-01-01T00:00:00Z/PT1H", "R/2026-01-01T00:00:00+01:00/P1D",
  // "R//PT10S" (an empty start is `now_ms`), "R0/..." (never runs). `zone`,
  // from scheduleTimeZone, keeps the start's wall clock and replaces its
  // offset; without it the start's offset (UTC when it gives none) is the
  // zone. Calendar parts of the period move the wall clock in that zone.
  static caf::expected<job_schedule> iso8601(std::string_view text,
                                             std::shared_ptr<const time_zone> zone,
                                             int64_t now_ms);
  // Fires at the expression's minutes in `zone`, the first strictly after
  // `after_ms` (the last run's instant, or when the job was made).
  static caf::expected<job_schedule> cron(std::string_view text,
                                          std::shared_ptr<const time_zone> zone,
                                          int64_t after_ms);

  // The next occurrence; none once the schedule is used up.
  std::optional<int64_t> next_ms() const;
  // The next occurrence is over (run or skipped): move on to the one after.
  void consume();
  // Consumes every occurrence before `threshold_ms` (walking at most `max`
  // of them one by one; a period of elapsed time jumps); returns how many.
  uint64_t skip_before(int64_t threshold_ms, uint64_t max);
  // Runs left: -1 for ever.
  int64_t remaining() const { return remaining_; }
  bool is_cron() const { return expression_.has_value(); }
  // The schedule as it stands now: the ISO form with its start moved on and
  // its count lowered (as Chronos shows it), or the cron expression.
  std::string text() const;
  const time_zone& zone() const { return *zone_; }

private:
  job_schedule() = default;
  int64_t advance(int64_t from_ms) const;
  int64_t remaining_ = -1;
  int64_t zero_start_ = 0;       // shown when used up: where the start stopped
  std::optional<int64_t> next_;  // none: used up, or a cron that never fires
  period every_;
  std::shared_ptr<const time_zone> zone_;
  std::optional<cron_expression> expression_;
};

// What the schedule asks at `now_ms`, given the job's epsilon.
struct due_decision {
  enum class action { wait, run, finished };
  action what = action::wait;
  int64_t at_ms = 0;      // wait: until then
  uint64_t skipped = 0;   // occurrences passed over, later than epsilon
};

// Occurrences due longer ago than epsilon are skipped and counted; one due
// within epsilon is run (and consumed); a future one is waited for. Bounded:
// after `max_skips` skips in one call it answers wait-at-now, to be asked
// again.
due_decision decide(job_schedule& s, int64_t now_ms, int64_t epsilon_ms,
                    uint64_t max_skips = 100'000);

// An epsilon as a job gives it: an ISO 8601 period without calendar parts
// ("PT5M"); empty is PT5M, Chronos 2's default.
caf::expected<int64_t> parse_epsilon(std::string_view text);

} // namespace cairn::cron
