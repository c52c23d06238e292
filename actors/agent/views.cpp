// The agent's /state document.
#include "actors/agent/state.hpp"

#include "actors/resources/convert.hpp"

namespace cairn {

agent_snapshot build_agent_state(agent_ptr self) {
  namespace ss = schema::state;
  auto& st = self->state;
  wire_builder<ss::AgentState> w{1024};
  auto a = w.root();
  a.setVersion(CAIRN_VERSION);
  a.setId(st.agent_id);
  a.setHostname(st.options.hostname);
  write_summary(st.options.total, a.initResources());
  write_summary(st.used.unallocated(), a.initUsedResources());
  a.setPendingUpdates(static_cast<uint32_t>(st.updates.pending()));
  a.setUpdatesSent(st.updates_sent);
  a.setUpdatesAcknowledged(st.updates_acknowledged);
  auto frameworks = a.initFrameworks(static_cast<unsigned>(st.frameworks.size()));
  unsigned i = 0;
  for (const auto& [fid, fw] : st.frameworks) {
    auto f = frameworks[i++];
    f.setId(fid);
    if (fw.info) {
      f.setName(fw.info->getName());
      f.setUser(fw.info->getUser());
    }
    auto executors = f.initExecutors(static_cast<unsigned>(fw.executors.size()));
    unsigned k = 0;
    for (const auto& [eid, ex] : fw.executors) {
      auto e = executors[k++];
      e.setId(eid);
      e.setName("Command Executor (Task: " + eid + ")");
      e.setContainer(ex.container_id);
      e.setDirectory(ex.sandbox);
      auto tasks = e.initTasks(static_cast<unsigned>(ex.tasks.size()));
      unsigned t = 0;
      for (const auto& [tid, task] : ex.tasks) {
        auto b = tasks[t++];
        b.setId(tid);
        b.setName(task.info->getName());
        b.setFrameworkId(fid);
        b.setExecutorId(eid);
        b.setState(task.state);
        write_summary(task.res.unallocated(), b.initResources());
      }
    }
  }
  return std::move(w).finish();
}

} // namespace cairn
