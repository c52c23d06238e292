// Ended tasks whose terminal update the framework has not acknowledged: kept
// past their executor so that a re-registration can still report them.
#include "actors/agent/state.hpp"

#include <cassert>

#include "runtime/limits.hpp"
#include "runtime/log.hpp"

namespace cairn {

void keep_ended_tasks(agent_state& st, const std::string& framework_id,
                      const executor_entry& ex) {
  for (const auto& [task_id, task] : ex.tasks) {
    if (!is_terminal(task.state) || task.end_acknowledged)
      continue;
    if (st.ended_unacknowledged.size() >= limits::max_tasks_per_agent) {
      // Its update is still retried; only a new master learns of it later.
      logger("agent")->warn("too many ended tasks await acknowledgement: task {} is not "
                            "reported on re-registration",
                            task_id);
      continue;
    }
    std::string uuid = task.received.empty() ? std::string() : task.received.back();
    st.ended_unacknowledged[{framework_id, task_id}] =
      ended_task{ex.id, task.info, task.state, std::move(uuid)};
  }
  assert(st.ended_unacknowledged.size() <= limits::max_tasks_per_agent);
}

void end_acknowledged(agent_state& st, const std::string& framework_id,
                      const std::string& task_id) {
  if (st.ended_unacknowledged.erase({framework_id, task_id}) > 0)
    return;
  auto fw = st.frameworks.find(framework_id);
  if (fw == st.frameworks.end())
    return;
  for (auto& [id, ex] : fw->second.executors) {
    auto task = ex.tasks.find(task_id);
    if (task != ex.tasks.end() && is_terminal(task->second.state))
      task->second.end_acknowledged = true;
  }
}

void forget_ended_tasks(agent_state& st, const std::string& framework_id) {
  auto& ended = st.ended_unacknowledged;
  auto first = ended.lower_bound({framework_id, std::string()});
  auto last = first;
  while (last != ended.end() && last->first.first == framework_id)
    ++last;
  ended.erase(first, last);
  assert(ended.lower_bound({framework_id, std::string()}) == ended.end() ||
         ended.lower_bound({framework_id, std::string()})->first.first != framework_id);
}

} // namespace cairn
