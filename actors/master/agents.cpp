// Agents: registration, re-registration with what they still run, and their calls.
#include "actors/master/state.hpp"

#include <algorithm>
#include <cassert>

#include <fmt/format.h>

#include "actors/resources/convert.hpp"
#include "runtime/clock.hpp"
#include "runtime/errors.hpp"
#include "runtime/limits.hpp"
#include "runtime/log.hpp"
#include "storage/registry.hpp"

namespace cairn {

namespace {

using Call = schema::agent::Call;
using AgentEvent = schema::agent::Event;

// Checks what an agent says about itself; returns its total resources.
caf::expected<resources> check_agent_info(schema::AgentInfo::Reader info) {
  if (auto why = agent_info_problem(info); !why.empty())
    return make_error(why);
  auto total = read_resources(info.getResources());
  if (!total)
    return total.error();
  if (info.getHostname().size() == 0)
    return make_error("agent has no hostname");
  return total->unallocated();
}

// Takes a (new) connection of an agent into the books.
void attach(master_ptr self, agent_record& agent, agent_sink sink) {
  auto& st = self->state;
  if (agent.sink && agent.sink != sink) {
    st.agent_by_addr.erase(agent.sink.address());
    self->demonitor(agent.sink.address());
  }
  agent.sink = sink;
  agent.status = agent_status::active;
  agent.missed_pings = 0;
  agent.awaiting_pong = false;
  st.agent_by_addr[sink.address()] = agent.id;
  self->monitor(sink);
}

wire<schema::AgentInfo> with_id(schema::AgentInfo::Reader info, const std::string& id) {
  wire_builder<schema::AgentInfo> b;
  b.message().setRoot(info);
  b.message().getRoot<schema::AgentInfo>().initId().setValue(id);
  return std::move(b).finish();
}

void on_register(master_ptr self, Call::Register::Reader reg) {
  auto& st = self->state;
  auto sink = caf::actor_cast<agent_sink>(self->current_sender());
  if (!sink)
    return;
  // A retried registration from an agent we already admitted: answer again.
  if (auto known = st.agent_by_addr.find(sink.address()); known != st.agent_by_addr.end())
    return send_registered(self, st.agents.at(known->second), false);
  if (st.pending_admissions.count(sink.address()) > 0)
    return; // a retry while the first is being recorded
  auto total = check_agent_info(reg.getAgentInfo());
  size_t known_agents =
    st.agents.size() + st.recovered_agents.size() + st.pending_admissions.size();
  if (!total || known_agents >= limits::max_agents) {
    logger("master")->warn("refusing agent registration: {}",
                           !total ? error_message(total.error()) : "too many agents");
    return;
  }
  std::string id;
  do
    id = fmt::format("{}-S{}", st.master_id, st.next_agent++);
  while (agent_id_taken(st, id));
  auto info = with_id(reg.getAgentInfo(), id);
  std::string version = reg.getVersion();
  // The registry learns of the agent before the agent hears it is
  // registered: a new leader knows every agent that was ever told so.
  st.pending_admissions.insert(sink.address());
  write_registry(self, admit_agent_entry(*info),
                 [=, total = std::move(*total)](bool ok, const std::string&) {
                   auto& st = self->state;
                   st.pending_admissions.erase(sink.address());
                   if (!ok)
                     return;
                   agent_record agent;
                   agent.id = id;
                   agent.info = info;
                   agent.version = version;
                   agent.total = total;
                   agent.registered_time = wall_clock_seconds();
                   logger("master")->info("agent {} at {} registered with {}", id,
                                          info->getHostname().cStr(), total.to_string());
                   auto& stored = st.agents[id] = std::move(agent);
                   attach(self, stored, sink);
                   send_registered(self, stored, false);
                   allocator_add_agent(self, stored);
                   publish_agent_added(self, stored);
                 });
}

void kill_on_agent(master_ptr self, const agent_sink& sink, const std::string& framework_id,
                   const std::string& task_id) {
  self->send(sink, make_wire<AgentEvent>([&](AgentEvent::Builder e) {
               e.setType(AgentEvent::Type::KILL_TASK);
               auto k = e.initKillTask();
               k.initFrameworkId().setValue(framework_id);
               k.initTaskId().setValue(task_id);
             }));
}

// What the master's books and the allocator require of a task an agent
// reports: a valid id, readable resources allocated to a role of its
// framework, and, for one still running, room for them in what the agent
// has ("" when so).
std::string check_reported_task(const agent_record& agent, const framework_record& fw,
                                schema::TaskInfo::Reader info, bool running) {
  if (auto problem = check_id(whole(info.getTaskId().getValue())); !problem.empty())
    return "task id: " + problem;
  auto res = read_resources(info.getResources());
  if (!res)
    return "invalid resources: " + error_message(res.error());
  if (res->items().empty())
    return "no resources";
  for (const auto& r : res->items())
    if (std::find(fw.roles.begin(), fw.roles.end(), r.allocation_role) == fw.roles.end())
      return fmt::format("resources allocated to '{}', not a role of the framework",
                         r.allocation_role);
  if (running && !agent.total.contains(agent.used.unallocated() + res->unallocated()))
    return fmt::format("its resources {} do not fit in what the agent has left",
                       res->unallocated().to_string());
  return {};
}

// The uuid of the terminal update an ended task's agent waits to have
// acknowledged; empty when it gave none (or not a uuid).
std::string reported_uuid(Call::Reregister::Task::Reader t) {
  auto uuid = t.getUuid();
  if (uuid.size() != 16)
    return {};
  return std::string(reinterpret_cast<const char*>(uuid.begin()), uuid.size());
}

// Takes a task the agent runs and this master did not know (it was elected
// since, or knew the agent before) into the books.
void adopt_task(master_ptr self, agent_record& agent, framework_record& fw,
                Call::Reregister::Task::Reader t) {
  auto info = t.getInfo();
  bool ended = is_terminal(t.getState());
  auto problem = check_reported_task(agent, fw, info, !ended);
  if (!problem.empty() && ended) {
    logger("master")->warn("agent {} reports ended task {} that cannot be taken over ({})",
                           agent.id, info.getTaskId().getValue().cStr(), problem);
    return;
  }
  if (!problem.empty()) {
    logger("master")->warn("agent {} reports task {} that cannot be taken over ({}): killing it",
                           agent.id, info.getTaskId().getValue().cStr(), problem);
    kill_on_agent(self, agent.sink, fw.id, info.getTaskId().getValue());
    return;
  }
  auto res = read_resources(info.getResources());
  task_record task;
  task.id = info.getTaskId().getValue();
  task.name = info.getName();
  task.framework_id = fw.id;
  task.agent_id = agent.id;
  task.executor_id = t.getExecutorId().getValue();
  if (task.executor_id.empty())
    task.executor_id = task.id;
  task.res = std::move(*res);
  task.role = task.res.items().front().allocation_role;
  task.state = t.getState();
  task.timestamp = wall_clock_seconds();
  task.statuses.push_back({task.state, task.timestamp});
  keep_shown_info(task, info);
  if (ended) {
    // Kept, uncharged, until the framework acknowledges how it ended.
    task.source = task_source::SOURCE_AGENT;
    task.latest_uuid = reported_uuid(t);
    task.end_update_due = true;
    count_task_end(self, task.state);
  } else {
    fw.used += task.res.scalars();
    agent.used += task.res;
  }
  agent.tasks.insert({fw.id, task.id});
  publish_task_added(self, fw.tasks[task.id] = std::move(task));
}

// A task the master holds as running that its agent reports ended: it takes
// that state and frees its resources. The framework hears of it from the
// agent's own update, which follows and is acknowledged as any other.
void take_reported_end(master_ptr self, agent_record& agent, framework_record& fw,
                       task_record& task, Call::Reregister::Task::Reader t) {
  auto state = t.getState();
  assert(is_terminal(state) && !task.terminal());
  if (task.state != task_state::TASK_UNREACHABLE)
    fw.used -= task.res.scalars();
  agent.used -= task.res;
  task.state = state;
  task.reason = task_reason::NONE;
  task.source = task_source::SOURCE_AGENT;
  task.message.clear();
  task.timestamp = wall_clock_seconds();
  // An earlier update's acknowledgement must not complete it; the terminal one's does.
  task.latest_uuid = reported_uuid(t);
  task.end_update_due = true;
  keep_status(task, {state, task.timestamp});
  count_task_end(self, state);
  publish_task_updated(self, task);
  assert(task.terminal());
}

// Brings the master's view of the agent's tasks in line with what it reports:
// known tasks run again (partition-aware frameworks hear TASK_RUNNING);
// tasks this master did not know are taken over, unless their framework is
// gone or was told they were lost while the agent was unreachable (those are
// killed); tasks the agent no longer has are gone. Ended tasks whose
// updates wait for acknowledgement are kept in the state they ended in, as
// Mesos' master keeps them: reconciliation answers that state, not
// TASK_LOST, until the framework acknowledges the agent's update.
void reconcile_agent_tasks(master_ptr self, agent_record& agent, Call::Reregister::Reader r,
                           bool was_unreachable) {
  auto& st = self->state;
  std::set<std::pair<std::string, std::string>> reported;
  for (auto t : r.getTasks()) {
    std::string framework_id = t.getFrameworkId().getValue();
    std::string task_id = t.getInfo().getTaskId().getValue();
    bool ended = is_terminal(t.getState());
    reported.insert({framework_id, task_id});
    auto fw = st.frameworks.find(framework_id);
    if (fw == st.frameworks.end() && ended)
      continue; // its update is acknowledged for the removed framework when it comes
    if (fw == st.frameworks.end()) {
      logger("master")->info("agent {} runs task {} of framework {}, which was removed: "
                             "killing it",
                             agent.id, task_id, framework_id);
      kill_on_agent(self, agent.sink, framework_id, task_id);
      continue;
    }
    auto task = fw->second.tasks.find(task_id);
    if (task == fw->second.tasks.end()) {
      if (was_unreachable && !fw->second.partition_aware && ended)
        continue; // the framework was told it was lost; nothing runs to kill
      if (was_unreachable && !fw->second.partition_aware) {
        logger("master")->info("agent {} runs task {}, reported lost while the agent was "
                               "unreachable: killing it",
                               agent.id, task_id);
        kill_on_agent(self, agent.sink, framework_id, task_id);
      } else {
        adopt_task(self, agent, fw->second, t);
      }
      continue;
    }
    auto& rec = task->second;
    if (rec.terminal())
      continue; // its end is known; its update waits for acknowledgement
    if (ended) {
      take_reported_end(self, agent, fw->second, rec, t);
      continue;
    }
    if (rec.state == task_state::TASK_UNREACHABLE) {
      fw->second.used += rec.res.scalars();
      change_task_state(self, fw->second, rec, t.getState(), task_reason::AGENT_REREGISTERED,
                        "Agent re-registered", true);
    }
  }
  std::vector<std::pair<std::string, std::string>> vanished;
  for (const auto& key : agent.tasks)
    if (reported.count(key) == 0)
      vanished.push_back(key);
  for (const auto& [framework_id, task_id] : vanished) {
    auto& fw = st.frameworks.at(framework_id);
    auto& rec = fw.tasks.at(task_id);
    if (rec.terminal())
      continue; // it ended; its update still waits for acknowledgement
    if (rec.state != task_state::TASK_UNREACHABLE)
      fw.used -= rec.res.scalars();
    agent.used -= rec.res;
    auto state = fw.partition_aware ? task_state::TASK_GONE : task_state::TASK_LOST;
    change_task_state(self, fw, rec, state, task_reason::AGENT_REREGISTERED,
                      "Task is no longer on its agent", true);
    agent.tasks.erase({framework_id, task_id});
    keep_completed_task(self, fw, std::move(rec));
    fw.tasks.erase(task_id);
  }
}

// The registry knows the agent is back: take it in.
void accept_reregistration(master_ptr self, const agent_sink& sink, const agent_call& msg,
                           bool was_unreachable) {
  auto& st = self->state;
  auto r = msg->getReregister();
  std::string id = r.getAgentInfo().getId().getValue();
  auto total = check_agent_info(r.getAgentInfo());
  assert(total && "checked before the registry was written");
  st.recovered_agents.erase(id);
  auto existing = st.agents.find(id);
  bool known = existing != st.agents.end();
  auto& agent = st.agents[id];
  if (known && agent.status == agent_status::active && agent.sink == sink)
    return send_registered(self, agent, true); // a retry of one we took already
  if (!known) {
    agent.id = id;
    agent.registered_time = wall_clock_seconds();
  } else if (agent.status == agent_status::active) {
    // A new connection while the old looked alive: the old one is stale. Its
    // offers go with it: left out, they were offered again by the allocator
    // that forgot them, and accepting both took more from the agent's books
    // than they held (an assertion ended the master).
    stop_offering(self, agent);
  }
  agent.marking_unreachable = false;
  agent.info = with_id(r.getAgentInfo(), id);
  agent.version = r.getVersion();
  agent.total = std::move(*total);
  attach(self, agent, sink);
  reconcile_agent_tasks(self, agent, r, was_unreachable);
  logger("master")->info("agent {} at {} re-registered with {} task(s)", id,
                         r.getAgentInfo().getHostname().cStr(), agent.tasks.size());
  send_registered(self, agent, true);
  allocator_add_agent(self, agent);
  publish_agent_added(self, agent);
}

void on_reregister(master_ptr self, const agent_call& msg) {
  auto& st = self->state;
  auto sink = caf::actor_cast<agent_sink>(self->current_sender());
  if (!sink)
    return;
  auto r = msg->getReregister();
  std::string id = r.getAgentInfo().getId().getValue();
  if (was_removed(st, id)) {
    self->send(sink, make_wire<AgentEvent>([](AgentEvent::Builder e) {
                 e.setType(AgentEvent::Type::SHUTDOWN_AGENT);
                 e.initShutdownAgent().setMessage("Agent was removed after being away too long");
               }));
    return;
  }
  auto total = check_agent_info(r.getAgentInfo());
  if (!total || id.empty()) {
    logger("master")->warn("refusing agent re-registration: {}",
                           !total ? error_message(total.error()) : "no agent id");
    return;
  }
  if (st.pending_admissions.count(sink.address()) > 0)
    return; // a retry while the first is being recorded
  // What the registry must learn before the agent hears it is back.
  std::string entry;
  bool was_unreachable = false;
  if (auto a = st.agents.find(id); a != st.agents.end()) {
    if (a->second.status == agent_status::active && a->second.sink == sink)
      return send_registered(self, a->second, true); // a retry of one we took already
    was_unreachable =
      a->second.status == agent_status::unreachable || a->second.marking_unreachable;
    if (was_unreachable)
      entry = mark_reachable_entry(id);
  } else if (auto rec = st.recovered_agents.find(id); rec != st.recovered_agents.end()) {
    was_unreachable = !rec->second.reachable;
    if (was_unreachable)
      entry = mark_reachable_entry(id);
  } else {
    // Not in the registry (it was removed, and this master has not kept
    // that): it is admitted again under its id.
    if (st.agents.size() + st.recovered_agents.size() + st.pending_admissions.size()
        >= limits::max_agents) {
      logger("master")->warn("refusing agent re-registration: too many agents");
      return;
    }
    entry = admit_agent_entry(*with_id(r.getAgentInfo(), id));
  }
  if (entry.empty())
    return accept_reregistration(self, sink, msg, was_unreachable);
  st.pending_admissions.insert(sink.address());
  write_registry(self, std::move(entry), [=](bool ok, const std::string&) {
    self->state.pending_admissions.erase(sink.address());
    if (ok)
      accept_reregistration(self, sink, msg, was_unreachable);
  });
}

// A call from an agent this master does not hold as registered on that
// connection: it took a stale answer for its registration, or this master
// forgot it. As Mesos' master does, the call is dropped and the agent told:
// one that was removed is shut down; any other hears a ping that says it is
// not connected, on which it registers again. A PONG is not answered: the
// agent answers every ping, and the two would play on for ever.
void answer_unknown_agent(master_ptr self, const agent_sink& sink, Call::Reader call) {
  auto& st = self->state;
  std::string id = call.getAgentId().getValue();
  if (!sink || call.getType() == Call::Type::PONG)
    return;
  if (was_removed(st, id)) {
    self->send(sink, make_wire<AgentEvent>([](AgentEvent::Builder e) {
                 e.setType(AgentEvent::Type::SHUTDOWN_AGENT);
                 e.initShutdownAgent().setMessage("Agent was removed");
               }));
    return;
  }
  if (st.pending_admissions.count(sink.address()) > 0)
    return; // it is being taken in; the answer to its registration is on its way
  self->send(sink, make_wire<AgentEvent>([](AgentEvent::Builder e) {
               e.setType(AgentEvent::Type::PING);
               e.initPing().setConnected(false);
             }));
}

agent_record* sender_agent(master_ptr self, Call::Reader call) {
  auto& st = self->state;
  auto sink = caf::actor_cast<agent_sink>(self->current_sender());
  auto i = st.agents.find(call.getAgentId().getValue());
  if (i == st.agents.end() || !sink || sink != i->second.sink) {
    logger("master")->info("a call from an unknown agent '{}': telling it to register",
                           call.getAgentId().getValue().cStr());
    answer_unknown_agent(self, sink, call);
    return nullptr;
  }
  return &i->second;
}

} // namespace

void send_registered(master_ptr self, const agent_record& agent, bool again) {
  auto& st = self->state;
  self->send(agent.sink, make_wire<AgentEvent>([&](AgentEvent::Builder e) {
               e.setType(again ? AgentEvent::Type::REREGISTERED : AgentEvent::Type::REGISTERED);
               auto r = e.initRegistered();
               r.initAgentId().setValue(agent.id);
               r.setPingTimeoutSeconds(to_seconds(st.options.agent_ping_timeout));
               r.setMaxPingTimeouts(st.options.max_agent_ping_timeouts);
               fill_master_info(self, r.initMasterInfo());
             }));
}

void on_agent_call(master_ptr self, const agent_call& msg) {
  auto call = *msg;
  switch (call.getType()) {
    case Call::Type::REGISTER:
      if (call.hasRegister())
        on_register(self, call.getRegister());
      return;
    case Call::Type::REREGISTER:
      if (call.hasReregister())
        on_reregister(self, msg);
      return;
    default:
      break;
  }
  auto* agent = sender_agent(self, call);
  if (agent == nullptr)
    return;
  if (call.getType() == Call::Type::PONG)
    return on_pong(self, *agent);
  if (agent->status != agent_status::active) {
    // It re-registers first; what it sends until then comes again later.
    // It may not know that it must: told as an unknown agent is.
    answer_unknown_agent(self, agent->sink, call);
    return;
  }
  switch (call.getType()) {
    case Call::Type::UPDATE:
      if (call.hasUpdate())
        on_status_update(self, *agent, call.getUpdate());
      return;
    case Call::Type::EXITED_EXECUTOR:
      if (call.hasExitedExecutor())
        on_executor_exited(self, *agent, call.getExitedExecutor());
      return;
    case Call::Type::MESSAGE:
      if (call.hasMessage())
        on_executor_message(self, *agent, call.getMessage());
      return;
    case Call::Type::UNREGISTER: {
      auto sink = agent->sink;
      remove_agent(self, agent->id, task_reason::AGENT_REMOVED, "Agent shut down gracefully");
      self->send(sink, make_wire<AgentEvent>([](AgentEvent::Builder e) {
                   e.setType(AgentEvent::Type::SHUTDOWN_AGENT);
                   e.initShutdownAgent().setMessage("Agent unregistered");
                 }));
      return;
    }
    default:
      return;
  }
}

} // namespace cairn
