#pragma once
// What one action of a running deployment step does next, and whether it is
// done, from the app's counts: start and scale ask for the app's count of
// its version and kill what is beyond it; a rolling restart kills old
// instances and asks for new ones within the upgrade strategy
// (next_replacement); stop kills everything. An app no deployment holds is
// kept at its count. Pure: the actor counts, kills and launches.
#include <cstdint>

#include "actors/services/deployment_plan.hpp"

namespace cairn::services {

struct app_progress {
  int32_t target = 0;         // the app's instance count
  int32_t wanted_new = 0;     // instances of its version it asks for now
  int32_t current = 0;        // live instances of its version
  int32_t current_ready = 0;  // of those, running (and healthy where it has a check)
  int32_t old = 0;            // live instances of other versions
  int32_t dying = 0;          // asked to die, not yet ended
};

struct step_decision {
  int32_t wanted_new = 0;  // what the app asks for from now on
  int32_t kill_old = 0;    // old instances to kill, the oldest first
  int32_t kill_new = 0;    // instances of its version to kill, as killSelection says
  bool done = false;
};

step_decision advance(deployment_action::kind what, const app_progress& p,
                      double minimum_health_capacity, double maximum_over_capacity);

// An app no deployment holds: what died is asked for again, what is too
// many is killed (old instances count towards its count).
step_decision keep(const app_progress& p);

} // namespace cairn::services
