// What the master keeps of the past for /master/state and the operator API:
// each task's statuses, the completed tasks of a framework and the completed
// frameworks, each bounded by Mesos' flags so that history cannot grow with
// traffic.
#include "actors/master/state.hpp"

#include "runtime/limits.hpp"

namespace cairn {

void keep_status(task_record& task, status_entry entry) {
  // As Mesos: an update in the state of the one before replaces it (a
  // retried update, or a health or check update of a running task), so
  // the list shows the latest health of each run of a state.
  if (!task.statuses.empty() && task.statuses.back().state == entry.state) {
    task.statuses.back() = std::move(entry);
    return;
  }
  if (task.statuses.size() >= limits::max_statuses_per_task)
    task.statuses.erase(task.statuses.begin() + 1); // keep the first, drop the oldest after it
  task.statuses.push_back(entry);
}

void keep_shown_info(task_record& task, schema::TaskInfo::Reader info) {
  if (!info.hasLabels() && !info.hasDiscovery() && !info.hasContainer())
    return;
  task.shown = make_wire<schema::TaskInfo>([&](schema::TaskInfo::Builder b) {
    if (info.hasLabels())
      b.setLabels(info.getLabels());
    if (info.hasDiscovery())
      b.setDiscovery(info.getDiscovery());
    if (info.hasContainer())
      b.setContainer(info.getContainer());
  });
}

void keep_completed_task(master_ptr self, framework_record& fw, task_record task) {
  fw.completed_tasks.push_back(std::move(task));
  while (fw.completed_tasks.size() > self->state.options.max_completed_tasks_per_framework)
    fw.completed_tasks.pop_front();
}

void keep_completed_framework(master_ptr self, framework_record fw) {
  auto& done = self->state.completed_frameworks;
  done.push_back(std::move(fw));
  while (done.size() > self->state.options.max_completed_frameworks)
    done.pop_front();
}

} // namespace cairn
