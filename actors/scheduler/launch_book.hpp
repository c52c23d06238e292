// What a framework launched and has yet to see end, so that after its master
// fails over it can ask about each task (explicit reconciliation) and tell a
// launch that was lost with the old master, which it may make again, from a
// task that started, which must never run twice.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "runtime/duration.hpp"
#include "schema/mesos.capnp.h"

namespace cairn {

class launch_book {
public:
  enum class verdict {
    news,         // an update to act on
    repeat,       // a reconciliation answer saying what was already known
    lost_launch,  // the task never reached an agent: launch it again
  };

  void launched(const std::string& task_id, const std::string& agent_id);
  verdict heard(schema::TaskStatus::Reader status);

  // What to reconcile after subscribing again (`first`: every task not yet
  // ended) or later (the tasks asked about and not answered yet: the master
  // says nothing while a task's agent has yet to re-register), and when to
  // ask again: 2 s, then twice as long each time up to a minute, as Mesos'
  // reconciliation guide advises.
  struct question {
    std::vector<std::pair<std::string, std::string>> tasks;  // (task id, agent id)
    duration ask_again_after{};
  };
  question ask(bool first);
  bool empty() const { return tasks_.empty(); }

private:
  struct entry {
    std::string agent_id;
    bool heard = false;     // an agent has spoken of it: it reached one
    bool awaiting = false;  // asked about; no answer yet
    schema::TaskState last = schema::TaskState::TASK_STAGING;
  };
  std::map<std::string, entry> tasks_;  // launched and not ended
  duration backoff_{};
};

} // namespace cairn
