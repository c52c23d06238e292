// What an agent does with the checkpoints it finds at start, after Mesos'
// agent recovery (docs/agent-recovery.md): a pure decision over what was
// read back (checkpoint.hpp's recovered_agent), this boot's id and
// --recover. The agent actor carries it out (recovery.cpp).
#pragma once

#include <string>
#include <vector>

#include "actors/agent/checkpoint.hpp"

namespace cairn {

enum class recover_mode {
  reconnect,  // reattach to the executors still running (Mesos' default)
  cleanup,    // kill them, then start as a new agent
};

// "reconnect" or "cleanup"; an error names the bad value.
caf::expected<recover_mode> parse_recover_mode(const std::string& text);

struct recovery_plan {
  // The agent id to re-register with; empty: register as a new agent.
  std::string agent_id;
  // Executor runs that did not end: watched again (reconnect) or destroyed
  // (cleanup, or reconnect after a reboot when their processes are gone).
  struct run {
    const recovered_framework* framework;
    const recovered_executor* executor;
  };
  std::vector<run> reattach;
  std::vector<run> destroy;
  // Runs that ended before the restart (or with the machine's reboot): the
  // containerizer still owns what they left (a stopped Docker container
  // waiting for its removal).
  std::vector<run> ended;
  // Unacknowledged updates to send again once re-registered, in each
  // task's order: those of reattached runs and of runs that ended.
  struct resend {
    std::string framework_id;
    std::string executor_id;
    std::string container_id;
    wire<schema::agent::StatusUpdate> update;
  };
  std::vector<resend> resends;
  // What the operator should read in the log: why the agent id is not
  // reused, what was found damaged and what was done about it.
  std::vector<std::string> notes;
};

// `recovered` must outlive the plan (runs point into it).
recovery_plan plan_recovery(const recovered_agent& recovered, const std::string& boot_id,
                            recover_mode mode);

} // namespace cairn
