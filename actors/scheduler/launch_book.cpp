#include "actors/scheduler/launch_book.hpp"

#include <algorithm>

#include "actors/task_state.hpp"

namespace cairn {

void launch_book::launched(const std::string& task_id, const std::string& agent_id) {
  tasks_[task_id] = entry{agent_id};
}

launch_book::verdict launch_book::heard(schema::TaskStatus::Reader status) {
  using S = schema::TaskState;
  auto i = tasks_.find(status.getTaskId().getValue());
  if (i == tasks_.end())
    return verdict::news;
  auto& task = i->second;
  task.awaiting = false;
  auto state = status.getState();
  // Offers made by a master that has since failed over are unknown to the
  // new one: the launch was refused before reaching any agent.
  if (status.getReason() == schema::TaskStatus::Reason::INVALID_OFFERS && !task.heard) {
    tasks_.erase(i);
    return verdict::lost_launch;
  }
  if (status.getReason() == schema::TaskStatus::Reason::RECONCILIATION) {
    // The master does not know the task, and no agent ever spoke of it: the
    // launch went down with the master that took it.
    bool unknown = state == S::TASK_LOST || state == S::TASK_UNKNOWN || state == S::TASK_GONE
                   || state == S::TASK_DROPPED;
    if (unknown && !task.heard) {
      tasks_.erase(i);
      return verdict::lost_launch;
    }
    if (task.heard && state == task.last)
      return verdict::repeat;
  }
  task.heard = true;
  task.last = state;
  if (is_terminal(state))
    tasks_.erase(i);
  return verdict::news;
}

launch_book::question launch_book::ask(bool first) {
  question q;
  for (auto& [id, task] : tasks_)
    if (first || task.awaiting) {
      task.awaiting = true;
      q.tasks.emplace_back(id, task.agent_id);
    }
  backoff_ = first ? std::chrono::seconds(2)
                   : std::min<duration>(backoff_ * 2, std::chrono::seconds(60));
  q.ask_again_after = backoff_;
  return q;
}

} // namespace cairn
