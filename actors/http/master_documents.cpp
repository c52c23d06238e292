#include "actors/http/master_documents.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <vector>

#include "actors/http/routes.hpp"
#include "schema/state.capnp.h"

namespace cairn {

namespace ss = schema::state;

http_response frameworks_document(const master_snapshot& state) {
  wire_builder<ss::Frameworks> b{4096};
  b->setFrameworks(state->getFrameworks());
  b->setCompletedFrameworks(state->getCompletedFrameworks());
  return json_response(to_json(std::move(b).finish().get()));
}

http_response slaves_document(const master_snapshot& state) {
  wire_builder<ss::Slaves> b{4096};
  b->setSlaves(state->getSlaves());
  return json_response(to_json(std::move(b).finish().get()));
}

http_response tasks_document(const master_snapshot& state, const http_request& request) {
  std::vector<ss::Task::Reader> all;
  for (auto lists : {state->getFrameworks(), state->getCompletedFrameworks()})
    for (auto fw : lists) {
      for (auto t : fw.getTasks())
        all.push_back(t);
      for (auto t : fw.getCompletedTasks())
        all.push_back(t);
    }
  auto number = [&](const char* name, long fallback) {
    auto text = request.query_param(name);
    char* end = nullptr;
    long v = text.empty() ? fallback : std::strtol(text.c_str(), &end, 10);
    return (end && *end) || v < 0 ? fallback : v;
  };
  size_t limit = static_cast<size_t>(number("limit", 100));
  size_t offset = std::min(static_cast<size_t>(number("offset", 0)), all.size());
  if (request.query_param("order") == "desc")
    std::reverse(all.begin(), all.end());
  size_t n = std::min(limit, all.size() - offset);
  wire_builder<ss::Tasks> b{4096};
  auto list = b->initTasks(static_cast<unsigned>(n));
  for (size_t i = 0; i < n; ++i)
    list.setWithCaveats(static_cast<unsigned>(i), all[offset + i]);
  return json_response(to_json(std::move(b).finish().get()));
}

namespace {

// A framework's task count in `state`, for the summary's TASK_* fields.
void count_task(ss::FrameworkSummary::Builder f, schema::TaskState state) {
  using S = schema::TaskState;
  switch (state) {
    case S::TASK_STAGING: f.setTaskStaging(f.getTaskStaging() + 1); break;
    case S::TASK_STARTING: f.setTaskStarting(f.getTaskStarting() + 1); break;
    case S::TASK_RUNNING: f.setTaskRunning(f.getTaskRunning() + 1); break;
    case S::TASK_KILLING: f.setTaskKilling(f.getTaskKilling() + 1); break;
    case S::TASK_FINISHED: f.setTaskFinished(f.getTaskFinished() + 1); break;
    case S::TASK_KILLED: f.setTaskKilled(f.getTaskKilled() + 1); break;
    case S::TASK_FAILED: f.setTaskFailed(f.getTaskFailed() + 1); break;
    case S::TASK_LOST: f.setTaskLost(f.getTaskLost() + 1); break;
    case S::TASK_ERROR: f.setTaskError(f.getTaskError() + 1); break;
    case S::TASK_UNREACHABLE: f.setTaskUnreachable(f.getTaskUnreachable() + 1); break;
    default: break;
  }
}

void fill_framework_summary(ss::FrameworkSummary::Builder f, ss::Framework::Reader fw) {
  f.setId(fw.getId());
  f.setName(fw.getName());
  if (fw.hasPid())
    f.setPid(fw.getPid());
  f.setUsedResources(fw.getUsedResources());
  f.setOfferedResources(fw.getOfferedResources());
  f.setCapabilities(fw.getCapabilities());
  if (fw.hasHostname())
    f.setHostname(fw.getHostname());
  if (fw.hasWebuiUrl())
    f.setWebuiUrl(fw.getWebuiUrl());
  f.setActive(fw.getActive());
  f.setConnected(fw.getConnected());
  f.setRecovered(fw.getRecovered());
  // Every count is written, zeros too, as Mesos writes them.
  for (auto list : {fw.getTasks(), fw.getCompletedTasks()})
    for (auto t : list)
      count_task(f, t.getState());
  std::set<std::string> agents;
  for (auto t : fw.getTasks())
    agents.insert(t.getSlaveId());
  auto ids = f.initSlaveIds(static_cast<unsigned>(agents.size()));
  unsigned i = 0;
  for (const auto& id : agents)
    ids.set(i++, id);
}

} // namespace

// Mesos' /master/state-summary: agents and frameworks with their totals,
// without the tasks; which framework runs on which agent, both ways.
http_response state_summary_document(const master_snapshot& state) {
  wire_builder<ss::StateSummary> b{4096};
  b->setHostname(state->getHostname());
  if (state->hasCluster())
    b->setCluster(state->getCluster());
  std::map<std::string, std::set<std::string>> frameworks_on;
  for (auto fw : state->getFrameworks())
    for (auto t : fw.getTasks())
      frameworks_on[t.getSlaveId()].insert(fw.getId());
  auto slaves = b->initSlaves(state->getSlaves().size());
  for (unsigned i = 0; i < slaves.size(); ++i) {
    auto agent = state->getSlaves()[i];
    slaves.setWithCaveats(i, agent);
    const auto& ids = frameworks_on[agent.getId()];
    auto list = slaves[i].initFrameworkIds(static_cast<unsigned>(ids.size()));
    unsigned k = 0;
    for (const auto& id : ids)
      list.set(k++, id);
  }
  auto frameworks = b->initFrameworks(state->getFrameworks().size());
  for (unsigned i = 0; i < frameworks.size(); ++i)
    fill_framework_summary(frameworks[i], state->getFrameworks()[i]);
  return json_response(to_json(std::move(b).finish().get()));
}

http_response version_document() {
  return json_response(to_json(make_wire<ss::Version>([](ss::Version::Builder v) {
                                 v.setVersion(CAIRN_VERSION);
                                 v.setBuildDate(__DATE__);
                               }).get()));
}

} // namespace cairn
