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

void send_register(agent_ptr self) {
  auto& st = self->state;
  if (!st.agent_id.empty())
    return;
  send_to_master(self, make_wire<Call>([&](Call::Builder c) {
                   c.setType(Call::Type::REGISTER);
                   auto r = c.initRegister();
                   r.setVersion(CAIRN_VERSION);
                   auto info = r.initAgentInfo();
                   info.setHostname(st.options.hostname);
                   info.setPort(st.options.http_port);
                   set_resources(info, st.options.total);
                   write_attributes(st.options.attributes,
                                    info.initAttributes(static_cast<unsigned>(
                                      st.options.attributes.size())));
                 }));
  self->delayed_send(self, st.options.registration_backoff, register_atom::value);
}

void on_master_event(agent_ptr self, const agent_event& msg) {
  auto& st = self->state;
  auto e = *msg;
  switch (e.getType()) {
    case Event::Type::REGISTERED:
      if (st.agent_id.empty()) {
        st.agent_id = e.getRegistered().getAgentId().getValue();
        logger("agent")->info("registered as {} with master {}", st.agent_id,
                              e.getRegistered().getMasterInfo().getId().cStr());
      }
      return;
    case Event::Type::RUN_TASK:
      return run_task(self, e.getRunTask());
    case Event::Type::KILL_TASK:
      return kill_task(self, e.getKillTask());
    case Event::Type::ACKNOWLEDGE:
      return on_acknowledge(self, e.getAcknowledge());
    case Event::Type::SHUTDOWN_FRAMEWORK:
      return shutdown_framework(self, e.getShutdownFramework().getFrameworkId().getValue());
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
      return send_to_master(self, make_agent_call(self, Call::Type::PONG, [](auto) {}));
    default:
      return;
  }
}

agent_actor::behavior_type agent(agent_ptr self, agent_options options,
                                 agent_call_sink master) {
  auto& st = self->state;
  st.options = std::move(options);
  st.master = std::move(master);
  st.random = std::make_unique<random_source>(st.options.seed);
  st.containers = st.options.make_containerizer();
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& st = self->state;
    if (auto i = st.container_by_executor.find(msg.source);
        i != st.container_by_executor.end()) {
      auto container = i->second;
      st.container_by_executor.erase(i);
      on_executor_disconnected(self, container);
    }
  });
  if (!st.options.actor_endpoint.empty())
    send_register(self);
  self->delayed_send(self, st.options.reap_interval, reap_atom::value);
  return {
    [=](const agent_event& e) { on_master_event(self, e); },
    [=](const executor_call& c) { on_executor_call(self, c); },
    [=](register_atom) { send_register(self); },
    [=](state_atom) { return build_agent_state(self); },
    [=](endpoint_atom, const std::string& endpoint) {
      bool first = self->state.options.actor_endpoint.empty();
      self->state.options.actor_endpoint = endpoint;
      if (first)
        send_register(self);
    },
    [=](reap_atom) {
      for (const auto& [container, status] : self->state.containers->reap())
        on_container_ended(self, container, status);
      self->delayed_send(self, self->state.options.reap_interval, reap_atom::value);
    },
    [=](retry_atom, const std::string& framework_id, const std::string& task_id,
        const std::string& uuid) { on_update_retry(self, framework_id, task_id, uuid); },
    [=](regtimeout_atom, const std::string& container_id) {
      on_executor_registration_timeout(self, container_id);
    },
  };
}

} // namespace

void send_to_master(agent_ptr self, agent_call call) {
  self->send(self->state.master, std::move(call));
}

agent_actor spawn_agent(caf::actor_system& sys, agent_options options, agent_call_sink master) {
  return sys.spawn(agent, std::move(options), std::move(master));
}

} // namespace cairn
