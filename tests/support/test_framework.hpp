// A framework for tests, driven step by step from the test's thread: events
// land in a scoped actor's mailbox and the test waits for the ones it needs.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/scheduler/calls.hpp"
#include "actors/scheduler/driver.hpp"

namespace cairn::testing {

class test_framework {
public:
  test_framework(caf::actor_system& sys, scheduler_call_sink master, std::string name = "test",
                 bool partition_aware = false);

  // Waits for SUBSCRIBED; false when it does not come within `bound`.
  bool subscribed(duration bound = std::chrono::seconds(30));

  // The next offers (waits up to `bound`).
  std::vector<wire<schema::Offer>> offers(duration bound = std::chrono::seconds(30));

  // Launches `task` on `offer` (its agent filled in from the offer).
  void launch(const wire<schema::Offer>& offer, const task_spec& task);
  void send(scheduler_call call);

  // Waits for an update of `task_id` in `state`; every update seen is kept.
  std::optional<wire<schema::TaskStatus>> wait_for(const std::string& task_id,
                                                   schema::TaskState state,
                                                   duration bound = std::chrono::seconds(30));

  const std::string& id() const {
    return framework_id_;
  }
  const std::vector<wire<schema::TaskStatus>>& updates() const {
    return updates_;
  }

private:
  // Handles one event, if one comes within `bound`; false on timeout.
  bool next_event(duration bound);

  caf::scoped_actor self_;
  driver_actor driver_;
  std::string framework_id_;
  std::vector<wire<schema::Offer>> offers_;
  std::vector<wire<schema::TaskStatus>> updates_;
};

} // namespace cairn::testing
