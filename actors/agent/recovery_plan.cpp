#include "actors/agent/recovery_plan.hpp"

#include <cassert>

#include "runtime/errors.hpp"

namespace cairn {

caf::expected<recover_mode> parse_recover_mode(const std::string& text) {
  if (text == "reconnect")
    return recover_mode::reconnect;
  if (text == "cleanup")
    return recover_mode::cleanup;
  return make_error("--recover must be 'reconnect' or 'cleanup', not '" + text + "'");
}

recovery_plan plan_recovery(const recovered_agent& recovered, const std::string& boot_id,
                            recover_mode mode) {
  recovery_plan plan;
  for (const auto& p : recovered.problems)
    plan.notes.push_back("checkpoint " + p.path + ": " + p.what + " (" + p.action + ")");
  if (!recovered.found)
    return plan;
  // After a reboot every executor is gone and the machine may have changed:
  // Mesos' agent registers anew, and so does this one.
  bool rebooted = recovered.boot_id.empty() || recovered.boot_id != boot_id;
  if (rebooted)
    plan.notes.push_back(recovered.boot_id.empty()
                           ? "no boot id was checkpointed: registering as a new agent"
                           : "the machine rebooted since agent " + recovered.agent_id +
                               " checkpointed: registering as a new agent");
  else if (mode == recover_mode::cleanup)
    plan.notes.push_back("--recover=cleanup: killing the executors of agent " +
                         recovered.agent_id + ", then registering as a new agent");
  else
    plan.agent_id = recovered.agent_id;
  bool reattach = !plan.agent_id.empty();
  for (const auto& [fid, fw] : recovered.frameworks) {
    for (const auto& [eid, ex] : fw.executors) {
      if (!ex.completed) {
        // After a reboot nothing of the run is left to kill; its sandbox
        // and checkpoints stay for the garbage collector.
        if (reattach)
          plan.reattach.push_back({&fw, &ex});
        else if (!rebooted)
          plan.destroy.push_back({&fw, &ex});
        else
          plan.ended.push_back({&fw, &ex});
      } else {
        plan.ended.push_back({&fw, &ex});
      }
      if (!reattach)
        continue;
      for (const auto& [tid, task] : ex.tasks)
        for (auto& u : task.unacknowledged())
          plan.resends.push_back({fid, eid, ex.container_id, u});
    }
  }
  assert(reattach || plan.reattach.empty());
  assert(reattach || plan.resends.empty());
  return plan;
}

} // namespace cairn
