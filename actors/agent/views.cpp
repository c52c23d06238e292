// The agent's /state document, in the layout of Mesos' agent state.json.
#include "actors/agent/state.hpp"

#include <map>
#include <vector>

#include "actors/resources/convert.hpp"

namespace cairn {

namespace {

namespace ss = schema::state;

void fill_executor(ss::AgentExecutor::Builder e, const std::string& framework_id,
                   const executor_entry& ex) {
  e.setId(ex.id);
  e.setName("Command Executor (Task: " + ex.id + ")");
  e.setContainer(ex.container_id);
  e.setDirectory(ex.sandbox);
  auto tasks = e.initTasks(static_cast<unsigned>(ex.tasks.size()));
  unsigned t = 0;
  for (const auto& [tid, task] : ex.tasks) {
    auto b = tasks[t++];
    b.setId(tid);
    b.setName(task.info->getName());
    b.setFrameworkId(framework_id);
    b.setExecutorId(ex.id);
    b.setState(task.state);
    write_summary(task.res.unallocated(), b.initResources());
  }
}

void fill_framework(ss::AgentFramework::Builder f, const std::string& id,
                    const wire<schema::FrameworkInfo>& info) {
  f.setId(id);
  if (info) {
    f.setName(info->getName());
    f.setUser(info->getUser());
  }
}

} // namespace

agent_snapshot build_agent_state(agent_ptr self) {
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
  // Ended executors, grouped by framework: under a running framework, or
  // under completed_frameworks once the framework has nothing running here.
  std::map<std::string, std::vector<const completed_executor*>> ended;
  for (const auto& c : st.completed)
    ended[c.framework_id].push_back(&c);
  auto frameworks = a.initFrameworks(static_cast<unsigned>(st.frameworks.size()));
  unsigned i = 0;
  for (const auto& [fid, fw] : st.frameworks) {
    auto f = frameworks[i++];
    fill_framework(f, fid, fw.info);
    auto executors = f.initExecutors(static_cast<unsigned>(fw.executors.size()));
    unsigned k = 0;
    for (const auto& [eid, ex] : fw.executors)
      fill_executor(executors[k++], fid, ex);
    auto done = ended.find(fid);
    if (done == ended.end())
      continue;
    auto list = f.initCompletedExecutors(static_cast<unsigned>(done->second.size()));
    for (unsigned n = 0; n < done->second.size(); ++n)
      fill_executor(list[n], fid, done->second[n]->executor);
    ended.erase(done);
  }
  auto completed = a.initCompletedFrameworks(static_cast<unsigned>(ended.size()));
  i = 0;
  for (const auto& [fid, list] : ended) {
    auto f = completed[i++];
    fill_framework(f, fid, list.front()->framework_info);
    auto executors = f.initCompletedExecutors(static_cast<unsigned>(list.size()));
    for (unsigned n = 0; n < list.size(); ++n)
      fill_executor(executors[n], fid, list[n]->executor);
  }
  return std::move(w).finish();
}

} // namespace cairn
