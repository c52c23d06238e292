#include "actors/services/step_progress.hpp"

#include <algorithm>
#include <cassert>

#include "actors/services/rolling.hpp"

namespace cairn::services {

namespace {

void check(const app_progress& p) {
  assert(p.target >= 0 && p.wanted_new >= 0 && p.current >= 0 && p.old >= 0 && p.dying >= 0);
  assert(p.current_ready <= p.current);
  (void)p;
}

} // namespace

step_decision advance(deployment_action::kind what, const app_progress& p,
                      double minimum_health_capacity, double maximum_over_capacity) {
  check(p);
  step_decision d;
  using kind = deployment_action::kind;
  switch (what) {
    case kind::stop:
      d.kill_old = p.old;
      d.kill_new = p.current;
      d.done = p.old == 0 && p.current == 0 && p.dying == 0;
      break;
    case kind::restart: {
      replace_counts c;
      c.target = p.target;
      c.old_running = p.old;
      c.new_healthy = p.current_ready;
      // Asked for and not ready yet counts as launched: an instance waiting
      // for an offer must not be asked for twice.
      c.new_launched = std::max(0, p.wanted_new - p.current_ready);
      d.wanted_new = p.wanted_new;
      if (replacement_done(c)) {
        d.done = true;
        break;
      }
      auto r = next_replacement(c, minimum_health_capacity, maximum_over_capacity);
      d.kill_old = r.kill_old;
      d.wanted_new = std::min(p.target, p.wanted_new + r.launch_new);
      break;
    }
    case kind::start:
    case kind::scale:
      d.wanted_new = p.target;
      d.kill_new = std::max(0, p.current - p.target);
      d.kill_old = p.old;
      d.done = p.current_ready == p.target && p.current == p.target && p.old == 0;
      break;
  }
  assert(d.kill_old <= p.old && d.kill_new <= p.current);
  assert(d.wanted_new <= std::max(p.target, p.wanted_new));
  return d;
}

step_decision keep(const app_progress& p) {
  check(p);
  step_decision d;
  d.wanted_new = std::max(0, p.target - p.old);
  d.kill_new = std::max(0, p.current - d.wanted_new);
  d.done = true;
  assert(d.kill_new <= p.current);
  return d;
}

} // namespace cairn::services
