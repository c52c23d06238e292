// The master's metrics, with Mesos' names (master/tasks_running,
// master/cpus_percent, allocator/mesos/allocation_runs, ...).
#include "actors/master/state.hpp"

#include "runtime/clock.hpp"

namespace cairn {

namespace {

const char* counter_name(task_state s) {
  switch (s) {
    case task_state::TASK_FINISHED: return "master/tasks_finished";
    case task_state::TASK_FAILED: return "master/tasks_failed";
    case task_state::TASK_KILLED: return "master/tasks_killed";
    case task_state::TASK_LOST: return "master/tasks_lost";
    case task_state::TASK_ERROR: return "master/tasks_error";
    case task_state::TASK_DROPPED: return "master/tasks_dropped";
    case task_state::TASK_GONE: return "master/tasks_gone";
    case task_state::TASK_GONE_BY_OPERATOR: return "master/tasks_gone_by_operator";
    default: return nullptr;
  }
}

} // namespace

void count_task_end(master_ptr self, task_state state) {
  if (is_terminal(state))
    ++self->state.terminal_counts[static_cast<size_t>(state)];
}

metric_list master_metrics(master_ptr self, const allocator_metrics& alloc) {
  auto& st = self->state;
  metric_list m;
  m.emplace_back("master/uptime_secs", wall_clock_seconds() - st.start_time);
  m.emplace_back("master/elected", 1);
  double active = 0, disconnected = 0, unreachable = 0;
  resources total, used;
  for (const auto& [id, a] : st.agents) {
    active += a.status == agent_status::active;
    disconnected += a.status == agent_status::disconnected;
    unreachable += a.status == agent_status::unreachable;
    if (a.status != agent_status::unreachable) {
      total += a.total.scalars();
      used += a.used.unallocated().scalars();
    }
  }
  m.emplace_back("master/slaves_active", active);
  m.emplace_back("master/slaves_inactive", disconnected + unreachable);
  m.emplace_back("master/slaves_connected", active);
  m.emplace_back("master/slaves_disconnected", disconnected + unreachable);
  m.emplace_back("master/slaves_unreachable", unreachable);
  double fw_active = 0, fw_connected = 0;
  std::array<double, 14> running{};
  for (const auto& [id, fw] : st.frameworks) {
    fw_active += fw.active;
    fw_connected += fw.connected;
    for (const auto& [tid, t] : fw.tasks)
      if (!t.terminal())
        ++running[static_cast<size_t>(t.state)];
  }
  double frameworks = static_cast<double>(st.frameworks.size());
  m.emplace_back("master/frameworks_active", fw_active);
  m.emplace_back("master/frameworks_inactive", frameworks - fw_active);
  m.emplace_back("master/frameworks_connected", fw_connected);
  m.emplace_back("master/frameworks_disconnected", frameworks - fw_connected);
  m.emplace_back("master/outstanding_offers", static_cast<double>(st.offers.size()));
  m.emplace_back("master/tasks_staging", running[size_t(task_state::TASK_STAGING)]);
  m.emplace_back("master/tasks_starting", running[size_t(task_state::TASK_STARTING)]);
  m.emplace_back("master/tasks_running", running[size_t(task_state::TASK_RUNNING)]);
  m.emplace_back("master/tasks_killing", running[size_t(task_state::TASK_KILLING)]);
  m.emplace_back("master/tasks_unreachable", running[size_t(task_state::TASK_UNREACHABLE)]);
  for (size_t s = 0; s < st.terminal_counts.size(); ++s)
    if (auto name = counter_name(static_cast<task_state>(s)))
      m.emplace_back(name, static_cast<double>(st.terminal_counts[s]));
  for (const char* r : {"cpus", "mem", "disk", "gpus"}) {
    double t = total.get_scalar(r);
    double u = used.get_scalar(r);
    m.emplace_back(std::string("master/") + r + "_total", t);
    m.emplace_back(std::string("master/") + r + "_used", u);
    m.emplace_back(std::string("master/") + r + "_percent", t > 0 ? u / t : 0);
  }
  m.emplace_back("master/valid_status_updates", static_cast<double>(st.valid_status_updates));
  m.emplace_back("allocator/mesos/allocation_runs", static_cast<double>(alloc.runs));
  m.emplace_back("allocator/mesos/allocation_run_ms", alloc.last_run_ms);
  return m;
}

} // namespace cairn
