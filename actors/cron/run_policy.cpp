#include "actors/cron/run_policy.hpp"

#include <cassert>

#include "runtime/errors.hpp"

namespace cairn::cron {

outcome_decision on_attempt_end(bool succeeded, uint32_t attempt, int32_t retries,
                                bool soft_error, const std::string& now_iso,
                                run_counters& counters) {
  assert(retries >= 0);
  outcome_decision d;
  if (succeeded) {
    d.final = true;
    d.children_may_run = true;
    ++counters.success_count;
    counters.errors_since_last_success = 0;
    counters.last_success = now_iso;
    return d;
  }
  if (attempt < static_cast<uint32_t>(retries)) {
    d.retry = true;
    return d;
  }
  d.final = true;
  d.children_may_run = soft_error;
  ++counters.error_count;
  ++counters.errors_since_last_success;
  counters.last_error = now_iso;
  assert(d.final != d.retry);
  return d;
}

caf::expected<concurrency_policy> read_concurrency_policy(const std::string& text,
                                                          bool concurrent) {
  if (text.empty())
    return concurrent ? concurrency_policy::allow : concurrency_policy::forbid;
  if (text == "ALLOW")
    return concurrency_policy::allow;
  if (text == "FORBID")
    return concurrency_policy::forbid;
  if (text == "REPLACE")
    return concurrency_policy::replace;
  return make_error("concurrencyPolicy '" + text + "': expected ALLOW, FORBID or REPLACE");
}

overlap_action on_due_while_running(concurrency_policy p, size_t running) {
  if (running == 0)
    return overlap_action::launch;
  switch (p) {
    case concurrency_policy::allow: return overlap_action::launch;
    case concurrency_policy::forbid: return overlap_action::drop;
    case concurrency_policy::replace: return overlap_action::replace;
  }
  return overlap_action::drop;
}

} // namespace cairn::cron
