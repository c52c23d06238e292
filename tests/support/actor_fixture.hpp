// CAF's deterministic test coordinator, wrapped once for doctest: actors run
// one message at a time on the test's thread and time moves only when told.
// Fake peers are recorders: actors that keep every event they receive.
#pragma once

#include <algorithm>
#include <memory>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/test/dsl.hpp>

#include "runtime/system.hpp"
#include "runtime/type_ids.hpp"

namespace cairn::testing {

struct offline_config : system_config {
  offline_config() : system_config(false) {
  }
};

// What a fake peer received, in order.
struct inbox {
  std::vector<scheduler_event> scheduler;
  std::vector<agent_event> agent;
  std::vector<executor_event> executor;
  std::vector<operator_event> operators;
  std::vector<operator_response> responses;
};

inline caf::behavior recorder(caf::event_based_actor*, std::shared_ptr<inbox> box) {
  return {
    [box](const scheduler_event& e) { box->scheduler.push_back(e); },
    [box](const agent_event& e) { box->agent.push_back(e); },
    [box](const executor_event& e) { box->executor.push_back(e); },
    [box](const operator_event& e) { box->operators.push_back(e); },
    [box](const operator_response& r) { box->responses.push_back(r); },
  };
}

struct fake_peer {
  std::shared_ptr<inbox> box = std::make_shared<inbox>();
  caf::actor handle;
};

class actor_fixture : public test_coordinator_fixture<offline_config> {
public:
  fake_peer fake() {
    fake_peer p;
    p.handle = sys.spawn(recorder, p.box);
    return p;
  }

  // Runs every queued message, never a timer: time stands still.
  void settle() {
    consume_messages();
  }

  // Moves time forward a step at a time (timers re-armed while firing fall
  // due within the same span), firing what is due and settling after each.
  void advance(caf::timespan d, caf::timespan step = std::chrono::milliseconds(100)) {
    for (caf::timespan done{0}; done < d; done += step) {
      advance_time(std::min(step, d - done));
      consume_messages();
    }
  }

  // Actors with periodic timers must be gone before the base fixture runs
  // everything to completion on destruction.
  void stop(const caf::actor& a) {
    caf::anon_send_exit(a, caf::exit_reason::kill);
    consume_messages();
  }
};

} // namespace cairn::testing
