// What an executor's agent has not acknowledged yet: the updates it made, in
// order, and its task until the agent acknowledges any update of it (then the
// agent knows the task). An executor of a checkpointing framework sends both
// again when it subscribes to an agent that restarted, as Mesos' executors
// fill Call.Subscribe's unacknowledged_updates and unacknowledged_tasks.
// A pure core: no CAF, no I/O.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "runtime/limits.hpp"
#include "runtime/wire.hpp"
#include "schema/executor.capnp.h"
#include "schema/mesos.capnp.h"

namespace cairn {

class unacknowledged_book {
public:
  using update_wire = wire<schema::executor::Call::Update>;

  struct entry {
    std::string uuid;     // the update's TaskStatus.uuid, as bytes
    update_wire update;
    bool terminal = false;
    // Sent to the agent of the current connection (as an UPDATE or inside a
    // SUBSCRIBE); an agent reached anew has seen none of them.
    bool sent = false;
  };

  explicit unacknowledged_book(size_t max_updates = limits::executor_unacknowledged_updates);

  // The executor launched `task`; it is unacknowledged until the agent
  // acknowledges one of its updates.
  void launched(wire<schema::TaskInfo> task);

  // The executor made `update` (its status carries a 16-byte uuid). Returns
  // how many older updates were forgotten to stay within the bound (only
  // non-terminal ones ever are).
  size_t made(update_wire update, bool terminal);

  // The agent acknowledged `uuid`: that update is forgotten, and so is the
  // task. False if the uuid is not (or no longer) held.
  bool acknowledged(const std::string& uuid);

  // The connection to the agent is gone: nothing is sent to the next one yet.
  void connection_lost();
  void mark_all_sent();
  void mark_sent(const std::string& uuid);

  const std::vector<entry>& updates() const {
    return updates_;
  }
  // The task, while no update of it is acknowledged; empty otherwise.
  const wire<schema::TaskInfo>& task() const {
    return task_;
  }

  void check_invariants() const;

private:
  size_t max_updates_;
  std::vector<entry> updates_;
  wire<schema::TaskInfo> task_;
};

} // namespace cairn
