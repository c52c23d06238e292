#include "actors/agent/agent.hpp"

#include <caf/actor_system.hpp>
#include <caf/system_messages.hpp>

#include "actors/agent/state.hpp"
#include "actors/resources/convert.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

using Event = schema::agent::Event;
using Call = schema::agent::Call;

// The master has let this agent go (it unregistered, or the master will not
// take it back): every executor ends, and the agent either stops or starts over.
void on_shutdown_agent(agent_ptr self, const std::string& message) {
  auto& st = self->state;
  std::vector<std::string> frameworks;
  for (const auto& [id, fw] : st.frameworks)
    frameworks.push_back(id);
  for (const auto& id : frameworks)
    shutdown_framework(self, id);
  if (st.shutting_down) {
    self->quit(caf::exit_reason::user_shutdown);
    return;
  }
  logger("agent")->warn("the master shut this agent down ({}); registering anew", message);
  st.agent_id.clear();
  st.registered = false;
  start_registration(self);
}

void on_master_event(agent_ptr self, const agent_event& msg) {
  auto& st = self->state;
  auto e = *msg;
  heard_from_master(self);
  switch (e.getType()) {
    case Event::Type::REGISTERED:
    case Event::Type::REREGISTERED:
      // An answer from a master this agent has left since (it lost its lead
      // while the answer was on its way): taken, the agent would count as
      // registered with the master it talks to now, which never heard of it.
      if (st.master && self->current_sender()
          && self->current_sender()->address() != st.master.address()) {
        logger("agent")->info("ignoring a registration answer from a former master");
        return;
      }
      return on_registered(self, e.getRegistered(), e.getType() == Event::Type::REREGISTERED);
    case Event::Type::SHUTDOWN_AGENT:
      return on_shutdown_agent(self, e.getShutdownAgent().getMessage());
    case Event::Type::NEW_MASTER:
      return on_new_master(self, caf::actor_cast<agent_call_sink>(self->current_sender()));
    case Event::Type::RUN_TASK:
      return run_task(self, e.getRunTask());
    case Event::Type::KILL_TASK:
      return kill_task(self, e.getKillTask());
    case Event::Type::ACKNOWLEDGE:
      return on_acknowledge(self, e.getAcknowledge());
    case Event::Type::SHUTDOWN_FRAMEWORK:
      return shutdown_framework(self, e.getShutdownFramework().getFrameworkId().getValue());
    case Event::Type::SHUTDOWN_EXECUTOR:
      return shutdown_executor(self, e.getShutdownExecutor().getFrameworkId().getValue(),
                               e.getShutdownExecutor().getExecutorId().getValue());
    case Event::Type::MESSAGE: {
      auto m = e.getMessage();
      auto fw = st.frameworks.find(m.getFrameworkId().getValue());
      if (fw == st.frameworks.end())
        return;
      auto ex = fw->second.executors.find(m.getExecutorId().getValue());
      if (ex == fw->second.executors.end() || !ex->second.registered)
        return;
      self->send(ex->second.sink, make_wire<schema::executor::Event>([&](auto ev) {
                   ev.setType(schema::executor::Event::Type::MESSAGE);
                   ev.initMessage().setData(m.getData());
                 }));
      return;
    }
    case Event::Type::PING:
      if (!e.getPing().getConnected() && st.registered) {
        // The master took this agent for unreachable: re-register.
        logger("agent")->warn("the master does not count this agent as registered");
        st.registered = false;
        start_registration(self);
      }
      return send_to_master(self, make_agent_call(self, Call::Type::PONG, [](auto) {}));
    default:
      return;
  }
}

// An agent ends with user_shutdown, never a normal exit: the actors linked
// to it (its containerizer, the connector looking for its master) end with
// it only on an abnormal one.
caf::result<bool> shut_down(agent_ptr self) {
  auto& st = self->state;
  if (st.shutting_down || !st.registered) {
    self->quit(caf::exit_reason::user_shutdown);
    return true;
  }
  st.shutting_down = true;
  send_to_master(self, make_agent_call(self, Call::Type::UNREGISTER, [](auto) {}));
  // The master answers with SHUTDOWN_AGENT; do not wait for it forever.
  self->delayed_send(self, std::chrono::seconds(5), shutdown_atom::value, true);
  return true;
}

agent_actor::behavior_type agent(agent_ptr self, agent_options options,
                                 agent_call_sink master) {
  auto& st = self->state;
  st.options = std::move(options);
  st.master = std::move(master);
  st.random = std::make_unique<random_source>(st.options.seed);
  // Shared, so not linked: it outlives any one agent.
  st.connector = st.options.shared_connector;
  st.containers = st.options.make_containerizer(self->system(),
                                                 caf::actor_cast<caf::strong_actor_ptr>(self));
  // The containerizer lives and dies with its agent.
  self->link_to(st.containers);
  start_sandbox_gc(self);
  start_checkpointer(self);
  // What the checkpoints name is taken back before the agent registers: it
  // re-registers with it.
  recover(self);
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& st = self->state;
    if (st.master && msg.source == st.master.address())
      return on_master_lost(self, "the connection broke");
    if (on_subscriber_gone(self, msg.source))
      return;
    if (auto i = st.container_by_executor.find(msg.source);
        i != st.container_by_executor.end()) {
      auto container = i->second;
      st.container_by_executor.erase(i);
      on_executor_disconnected(self, container);
    }
  });
  if (st.options.master_addresses.empty()) {
    st.last_heard = self->clock().now();
    start_registration(self);
  } else {
    find_master(self);
  }
  self->delayed_send(self, st.options.sweep_interval, sweep_atom::value);
  return {
    [=](const agent_event& e) { on_master_event(self, e); },
    [=](const executor_call& c) { on_executor_call(self, c); },
    [=](register_atom, uint64_t round) { on_register_retry(self, round); },
    [=](state_atom) { return build_agent_state(self); },
    [=](const operator_call& call) { return on_agent_operator_call(self, call); },
    [=](endpoint_atom, const std::string& endpoint) {
      self->state.options.actor_endpoint = endpoint;
      start_registration(self);
    },
    [=](check_master_atom, uint64_t connection) { on_check_master(self, connection); },
    [=](shutdown_atom) { return shut_down(self); },
    [=](shutdown_atom, bool) { self->quit(caf::exit_reason::user_shutdown); }, // the master never answered
    [=](sweep_atom) {
      destroy_disconnected(self);
      self->delayed_send(self, self->state.options.sweep_interval, sweep_atom::value);
    },
    [=](op_heartbeat_atom) { heartbeat_subscribers(self); },
    [=](retry_atom, const std::string& framework_id, const std::string& task_id,
        const std::string& uuid) { on_update_retry(self, framework_id, task_id, uuid); },
    [=](regtimeout_atom, const std::string& container_id) {
      on_executor_registration_timeout(self, container_id);
    },
    [=](reregtimeout_atom, const std::string& container_id) {
      on_executor_reregistration_timeout(self, container_id);
    },
    [=](shuttimeout_atom, const std::string& container_id) {
      on_executor_shutdown_timeout(self, container_id);
    },
  };
}

} // namespace

void send_to_master(agent_ptr self, agent_call call) {
  self->send(self->state.master, std::move(call));
}

agent_actor spawn_agent(caf::actor_system& sys, agent_options options, agent_call_sink master) {
  if (!options.recovered && !options.work_dir.empty()) {
    auto store = options.checkpoints ? options.checkpoints
                                     : std::make_shared<file_checkpoint_store>();
    options.recovered =
      std::make_shared<const recovered_agent>(recover_agent(*store, options.work_dir));
  }
  return sys.spawn(agent, std::move(options), std::move(master));
}

} // namespace cairn
