// What a job's run outcome changes: retries after a failure, the counters
// Chronos keeps (successCount, errorCount, errorsSinceLastSuccess,
// lastSuccess, lastError), whether the children may run, and what a run due
// while another still runs does under the job's concurrency policy. Pure.
#pragma once

#include <cstdint>
#include <string>

#include <caf/expected.hpp>

namespace cairn::cron {

struct run_counters {
  uint64_t success_count = 0;
  uint64_t error_count = 0;
  uint64_t errors_since_last_success = 0;
  std::string last_success;  // ISO 8601, "" never
  std::string last_error;
};

// After a run's attempt ended.
struct outcome_decision {
  bool retry = false;            // launch again after --failure_retry
  bool final = false;            // the run is over (success, or retries used up)
  bool children_may_run = false; // a success, or a softError failure
};

// `attempt` counts from 0 (the first launch); a job retries `retries` times.
// The counters change once per run: on success, or when retries are used up.
outcome_decision on_attempt_end(bool succeeded, uint32_t attempt, int32_t retries,
                                bool soft_error, const std::string& now_iso,
                                run_counters& counters);

enum class concurrency_policy { allow, forbid, replace };

// ALLOW, FORBID, REPLACE; "" follows Chronos' `concurrent` (false: FORBID).
caf::expected<concurrency_policy> read_concurrency_policy(const std::string& text,
                                                          bool concurrent);

// A run is due while `running` runs of the job are active.
enum class overlap_action { launch, drop, replace };
overlap_action on_due_while_running(concurrency_policy p, size_t running);

} // namespace cairn::cron
