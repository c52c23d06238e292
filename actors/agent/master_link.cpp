// The agent's side of its master: registration (or re-registration with what
// it still runs), noticing that the master is gone (no pings for
// ping_timeout x max_ping_timeouts, or a broken connection, as Mesos' agent
// does), and finding it again.
#include "actors/agent/state.hpp"

#include <algorithm>
#include <random>

#include <caf/event_based_actor.hpp>

#include <algorithm>
#include <cassert>

#include "actors/resources/convert.hpp"
#include "runtime/connector.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

using Call = schema::agent::Call;
using Event = schema::agent::Event;

void fill_info(const agent_state& st, schema::AgentInfo::Builder info) {
  info.setHostname(st.options.hostname);
  info.setPort(st.options.http_port);
  set_resources(info, st.options.total);
  write_attributes(st.options.attributes,
                   info.initAttributes(static_cast<unsigned>(st.options.attributes.size())));
  if (!st.agent_id.empty())
    info.initId().setValue(st.agent_id);
}

} // namespace

agent_call reregister_call(const agent_state& st) {
  wire_builder<Call> b;
  b->setType(Call::Type::REREGISTER);
  b->initAgentId().setValue(st.agent_id);
  auto r = b->initReregister();
  r.setVersion(CAIRN_VERSION);
  fill_info(st, r.initAgentInfo());
  auto reported = [](const agent_task& task) { return !task.end_acknowledged; };
  size_t tasks = st.ended_unacknowledged.size();
  for (const auto& [fid, fw] : st.frameworks)
    for (const auto& [eid, ex] : fw.executors)
      tasks += static_cast<size_t>(std::count_if(
        ex.tasks.begin(), ex.tasks.end(), [&](const auto& t) { return reported(t.second); }));
  auto frameworks = r.initFrameworks(static_cast<unsigned>(st.frameworks.size()));
  auto list = r.initTasks(static_cast<unsigned>(tasks));
  unsigned f = 0;
  unsigned t = 0;
  auto add = [&](const std::string& fid, const std::string& eid,
                 const wire<schema::TaskInfo>& info, schema::TaskState state,
                 const std::string& uuid) {
    auto entry = list[t++];
    entry.initFrameworkId().setValue(fid);
    entry.initExecutorId().setValue(eid);
    entry.setInfo(*info);
    entry.setState(state);
    if (is_terminal(state) && !uuid.empty())
      entry.setUuid(kj::arrayPtr(reinterpret_cast<const kj::byte*>(uuid.data()), uuid.size()));
  };
  auto latest = [](const agent_task& task) {
    return task.received.empty() ? std::string() : task.received.back();
  };
  for (const auto& [fid, fw] : st.frameworks) {
    frameworks.setWithCaveats(f++, *fw.info);
    for (const auto& [eid, ex] : fw.executors)
      for (const auto& [tid, task] : ex.tasks)
        if (reported(task))
          add(fid, eid, task.info, task.state, latest(task));
  }
  // Gone with their executors, their terminal updates not yet acknowledged:
  // a new master learns how they ended instead of calling them lost.
  for (const auto& [key, ended] : st.ended_unacknowledged)
    add(key.first, ended.executor_id, ended.info, ended.state, ended.uuid);
  assert(t == tasks);
  return std::move(b).finish();
}

namespace {

void on_master_found(agent_ptr self, caf::strong_actor_ptr master) {
  auto& st = self->state;
  st.master = caf::actor_cast<agent_call_sink>(master);
  ++st.connection;
  self->monitor(st.master);
  st.last_heard = self->clock().now();
  start_registration(self);
  self->delayed_send(self, st.master_ping_timeout, check_master_atom::value, st.connection);
}

} // namespace

namespace {

// Sends the registration if one is due; false when none is (registered, no
// master, or no endpoint yet: the retries stop).
bool send_register(agent_ptr self) {
  auto& st = self->state;
  if (st.registered || !st.master || st.options.actor_endpoint.empty())
    return false;
  if (st.agent_id.empty()) {
    send_to_master(self, make_wire<Call>([&](Call::Builder c) {
                     c.setType(Call::Type::REGISTER);
                     auto r = c.initRegister();
                     r.setVersion(CAIRN_VERSION);
                     fill_info(st, r.initAgentInfo());
                   }));
  } else {
    send_to_master(self, reregister_call(st));
  }
  return true;
}

// Thousands of agents that lost their master at one instant register at
// one instant; a new leader answers them one after another. Retried every
// second without backoff, each unanswered registration (with every task
// the agent runs) came again every second while the master was still
// working through the first ones, and the backlog grew faster than it
// shrank.
void arm_register_retry(agent_ptr self, bool first) {
  auto& st = self->state;
  double u = std::uniform_real_distribution<double>(0, 1)(st.random->engine());
  if (first && st.options.registration_first_retry < st.registration_backoff) {
    self->delayed_send(self, jittered_backoff(st.options.registration_first_retry, u),
                       register_atom::value, st.registration_round);
    return;
  }
  self->delayed_send(self, jittered_backoff(st.registration_backoff, u), register_atom::value,
                     st.registration_round);
  st.registration_backoff =
    std::min(st.registration_backoff * 2, std::max(st.options.registration_backoff_max,
                                                   st.options.registration_backoff));
}

} // namespace

void start_registration(agent_ptr self) {
  auto& st = self->state;
  ++st.registration_round;
  st.registration_backoff = st.options.registration_backoff;
  if (send_register(self))
    arm_register_retry(self, true);
}

void on_register_retry(agent_ptr self, uint64_t round) {
  if (round != self->state.registration_round)
    return; // a newer round replaced this one
  if (send_register(self))
    arm_register_retry(self, false);
}

void on_registered(agent_ptr self, schema::agent::Event::Registered::Reader r, bool again) {
  auto& st = self->state;
  if (st.registered)
    return; // an answer to a retried registration
  std::string id = r.getAgentId().getValue();
  if (!st.agent_id.empty() && id != st.agent_id)
    logger("agent")->warn("the master gave a new id {} (was {})", id, st.agent_id);
  st.agent_id = id;
  st.registered = true;
  // Who this agent is, for its next start (frameworks that checkpoint are
  // written under it).
  checkpoint_agent(self);
  if (r.getPingTimeoutSeconds() > 0) {
    st.master_ping_timeout = from_seconds(r.getPingTimeoutSeconds());
    st.max_ping_timeouts = std::max(1u, r.getMaxPingTimeouts());
  }
  logger("agent")->info("{} as {} with master {}", again ? "re-registered" : "registered",
                        st.agent_id, r.getMasterInfo().getId().cStr());
  if (again)
    flush_updates(self); // what waited for acknowledgement goes out again now
}

void heard_from_master(agent_ptr self) {
  self->state.last_heard = self->clock().now();
}

void on_check_master(agent_ptr self, uint64_t connection) {
  auto& st = self->state;
  if (connection != st.connection)
    return; // armed for a connection that is already replaced
  auto silence = self->clock().now() - st.last_heard;
  if (silence > st.master_ping_timeout * st.max_ping_timeouts)
    return on_master_lost(self, "no ping from the master for " +
                                  format_duration(std::chrono::duration_cast<duration>(silence)));
  self->delayed_send(self, st.master_ping_timeout, check_master_atom::value, connection);
}

void on_master_lost(agent_ptr self, const std::string& why) {
  auto& st = self->state;
  if (!st.connector)
    return; // one process: the master never goes away on its own
  logger("agent")->warn("lost the master ({}); looking for it again", why);
  if (st.master)
    self->demonitor(st.master.address());
  st.master = nullptr;
  st.registered = false;
  ++st.connection;
  find_master(self);
}

void on_new_master(agent_ptr self, agent_call_sink master) {
  auto& st = self->state;
  if (!master || master == st.master)
    return;
  logger("agent")->info("a new master reached out; re-registering with it");
  if (st.master)
    self->demonitor(st.master.address());
  st.registered = false;
  on_master_found(self, caf::actor_cast<caf::strong_actor_ptr>(master));
}

void find_master(agent_ptr self) {
  auto connection = self->state.connection;
  request_connection(
    self, self->state.connector,
    [&] {
      connector_options options;
      options.addresses = self->state.options.master_addresses;
      options.connect = connect_as<agent_call_sink>();
      return options;
    },
    [=](const caf::strong_actor_ptr& master) {
      if (connection == self->state.connection)
        on_master_found(self, master);
    });
}

} // namespace cairn
