#include "actors/master/master.hpp"

#include <arpa/inet.h>

#include <caf/actor_system.hpp>
#include <caf/system_messages.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/master/roles_view.hpp"
#include "actors/master/state.hpp"
#include "runtime/clock.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "storage/registry.hpp"

namespace cairn {

void fill_master_info(master_ptr self, schema::MasterInfo::Builder m) {
  auto& st = self->state;
  m.setId(st.master_id);
  m.setHostname(st.options.hostname);
  m.setPort(st.options.http_port);
  m.setVersion(CAIRN_VERSION);
  // Mesos packs the IPv4 address into 4 bytes in network order.
  in_addr packed{};
  if (inet_pton(AF_INET, st.options.ip.c_str(), &packed) == 1)
    m.setIp(packed.s_addr);
  auto a = m.initAddress();
  a.setHostname(st.options.hostname);
  a.setIp(st.options.ip);
  a.setPort(st.options.http_port);
}

namespace {

void send_heartbeats(master_ptr self) {
  auto beat = make_wire<schema::Event>(
    [](schema::Event::Builder e) { e.setType(schema::Event::Type::HEARTBEAT); });
  for (auto& [id, fw] : self->state.frameworks)
    if (fw.connected)
      self->send(fw.sink, beat);
}

master_actor::behavior_type master(master_ptr self, master_options options) {
  auto& st = self->state;
  st.options = options;
  st.random = std::make_unique<random_source>(options.seed);
  st.master_id = st.random->uuid();
  st.start_time = wall_clock_seconds();
  allocator_options alloc_options;
  alloc_options.allocation_interval = options.allocation_interval;
  alloc_options.seed = st.random->engine()();
  st.allocator = self->spawn<caf::linked>(allocator, caf::actor_cast<allocation_sink>(self),
                                          alloc_options);
  if (!st.options.registrar) {
    st.options.registrar = spawn_registrar(self->home_system(), registrar_options{});
    self->link_to(st.options.registrar);
  }
  logger("master")->info("master {} starting", st.master_id);
  recover_from_registry(self);
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& st = self->state;
    if (auto i = st.framework_by_addr.find(msg.source); i != st.framework_by_addr.end()) {
      auto id = i->second;
      st.framework_by_addr.erase(i);
      on_framework_disconnected(self, id);
    }
    if (auto i = st.agent_by_addr.find(msg.source); i != st.agent_by_addr.end()) {
      auto id = i->second;
      st.agent_by_addr.erase(i);
      on_agent_disconnected(self, id);
    }
    on_subscriber_gone(self, msg.source);
  });
  self->delayed_send(self, options.framework_heartbeat_interval, heartbeat_atom::value);
  self->delayed_send(self, options.agent_ping_timeout, ping_atom::value);
  return {
    [=](const scheduler_call& call) { on_scheduler_call(self, call); },
    [=](update_framework_atom, const scheduler_call& call) {
      return on_update_framework_request(self, call);
    },
    [=](const agent_call& call) { on_agent_call(self, call); },
    [=](const allocation& grants) { on_allocation(self, grants); },
    [=](const operator_call& call) { return on_operator_call(self, call); },
    [=](state_atom) { return build_state(self); },
    [=](roles_atom) { return build_roles(self); },
    [=](kv_get_atom a, std::string& key) {
      return self->delegate(self->state.options.registrar, a, std::move(key));
    },
    [=](kv_set_atom, const std::string& key, const std::string& value, uint64_t expected,
        bool any) -> caf::result<bool, std::string, uint64_t> {
      if (auto why = kv_problem(key, value); !why.empty())
        return caf::result<bool, std::string, uint64_t>(false, why, uint64_t{0});
      return self->delegate(self->state.options.registrar, apply_atom::value,
                            kv_set_entry(key, value, any ? std::nullopt
                                                         : std::optional<uint64_t>(expected)));
    },
    [=](kv_delete_atom, const std::string& key, uint64_t expected,
        bool any) -> caf::result<bool, std::string, uint64_t> {
      if (auto why = kv_key_problem(key); !why.empty())
        return caf::result<bool, std::string, uint64_t>(false, why, uint64_t{0});
      return self->delegate(self->state.options.registrar, apply_atom::value,
                            kv_delete_entry(key, any ? std::nullopt
                                                     : std::optional<uint64_t>(expected)));
    },
    [=](registry_atom a) { return self->delegate(self->state.options.registrar, a); },
    [=](heartbeat_atom) {
      send_heartbeats(self);
      heartbeat_subscribers(self);
      self->delayed_send(self, self->state.options.framework_heartbeat_interval,
                         heartbeat_atom::value);
    },
    [=](ping_atom) {
      ping_agents(self);
      self->delayed_send(self, self->state.options.agent_ping_timeout, ping_atom::value);
    },
    [=](failover_atom, const std::string& framework_id, uint64_t epoch) {
      on_failover_timeout(self, framework_id, epoch);
    },
    [=](reregister_timeout_atom) { on_reregister_timeout(self); },
  };
}

} // namespace

master_actor spawn_master(caf::actor_system& sys, master_options options) {
  return sys.spawn(master, std::move(options));
}

} // namespace cairn
