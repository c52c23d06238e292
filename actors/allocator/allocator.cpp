#include "actors/allocator/allocator.hpp"

#include "actors/resources/convert.hpp"
#include "runtime/clock.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

using self_ptr = allocator_actor::stateful_pointer<allocator_state>;
namespace sa = schema::allocator;

std::vector<std::string> strings(capnp::List<capnp::Text>::Reader list) {
  std::vector<std::string> out;
  for (auto s : list)
    out.emplace_back(s.cStr());
  return out;
}

// A call the core cannot take (its resources unreadable, or breaking the
// core's preconditions): the master built it from what a framework or an
// agent said, so it is refused and logged, and the allocator carries on.
void refuse(self_ptr self, const char* call, const std::string& why) {
  ++self->state.refused_calls;
  logger("allocator")->error("refusing {}: {}", call, why);
}

std::optional<resources> readable(self_ptr self, const char* call, resource_list_reader list) {
  auto rs = read_resources(list);
  if (!rs) {
    refuse(self, call, "invalid resources: " + error_message(rs.error()));
    return std::nullopt;
  }
  return std::move(*rs);
}

void request_pass(self_ptr self) {
  if (self->state.pass_pending)
    return;
  self->state.pass_pending = true;
  self->send(self, allocate_atom::value);
}

void run_pass(self_ptr self) {
  auto& st = self->state;
  double started = monotonic_ms();
  auto grants = st.core->allocate(self->clock().now(), *st.rng);
  st.last_pass_ms = monotonic_ms() - started;
  ++st.passes;
  if (grants.empty())
    return;
  wire_builder<sa::Allocation> b;
  auto list = b.root().initGrants(static_cast<unsigned>(grants.size()));
  for (unsigned i = 0; i < grants.size(); ++i) {
    auto g = list[i];
    g.initFrameworkId().setValue(grants[i].framework_id);
    g.initAgentId().setValue(grants[i].agent_id);
    g.setRole(grants[i].role);
    g.setAgentGeneration(st.generations.at(grants[i].agent_id));
    set_resources(g, grants[i].res);
  }
  self->send(st.master, std::move(b).finish());
}

// Calls race with passes: a grant may come back for an agent or framework the
// master has removed meanwhile. Such calls find nothing to change here.
bool applies(const alloc::core& core, sa::Call::Reader call) {
  switch (call.which()) {
    case sa::Call::ADD_FRAMEWORK:
      return !core.has_framework(call.getAddFramework().getFrameworkId().getValue());
    case sa::Call::REMOVE_FRAMEWORK:
      return core.has_framework(call.getRemoveFramework().getValue());
    case sa::Call::ACTIVATE_FRAMEWORK:
      return core.has_framework(call.getActivateFramework().getValue());
    case sa::Call::DEACTIVATE_FRAMEWORK:
      return core.has_framework(call.getDeactivateFramework().getValue());
    case sa::Call::ADD_AGENT:
      return !core.has_agent(call.getAddAgent().getAgentId().getValue());
    case sa::Call::REMOVE_AGENT:
      return core.has_agent(call.getRemoveAgent().getValue());
    case sa::Call::RECOVER_RESOURCES:
      return core.has_framework(call.getRecoverResources().getFrameworkId().getValue())
             && core.has_agent(call.getRecoverResources().getAgentId().getValue());
    case sa::Call::SUPPRESS:
      return core.has_framework(call.getSuppress().getFrameworkId().getValue());
    case sa::Call::REVIVE:
      return core.has_framework(call.getRevive().getFrameworkId().getValue());
    case sa::Call::UPDATE_FRAMEWORK:
      return core.has_framework(call.getUpdateFramework().getFrameworkId().getValue());
    default:
      return true;
  }
}

void add_framework(self_ptr self, sa::Call::Framework::Reader f) {
  auto& core = *self->state.core;
  std::string id = f.getFrameworkId().getValue();
  auto roles = strings(f.getRoles());
  auto suppressed = strings(f.getSuppressedRoles());
  if (auto why = core.check_add_framework(id, roles, suppressed); !why.empty())
    return refuse(self, "ADD_FRAMEWORK", why);
  core.add_framework(id, roles, suppressed, f.getActive());
  request_pass(self);
}

void update_framework(self_ptr self, sa::Call::Framework::Reader f) {
  auto& core = *self->state.core;
  std::string id = f.getFrameworkId().getValue();
  auto roles = strings(f.getRoles());
  auto suppressed = strings(f.getSuppressedRoles());
  if (auto why = core.check_update_framework(id, roles, suppressed); !why.empty())
    return refuse(self, "UPDATE_FRAMEWORK", why);
  core.update_framework(id, roles, suppressed);
  request_pass(self);
}

void add_agent(self_ptr self, sa::Call::Agent::Reader a) {
  auto& core = *self->state.core;
  std::vector<std::pair<std::string, resources>> used;
  for (auto u : a.getUsed()) {
    if (!core.has_framework(u.getFrameworkId().getValue()))
      continue;
    auto res = readable(self, "ADD_AGENT", u.getResources());
    if (!res)
      return;
    used.emplace_back(u.getFrameworkId().getValue(), std::move(*res));
  }
  auto total = readable(self, "ADD_AGENT", a.getTotal());
  if (!total)
    return;
  std::string id = a.getAgentId().getValue();
  if (auto why = core.check_add_agent(id, *total, used); !why.empty())
    return refuse(self, "ADD_AGENT", why);
  core.add_agent(id, *total, used);
  self->state.generations[id] = a.getGeneration();
  request_pass(self);
}

void recover(self_ptr self, sa::Call::Recover::Reader r) {
  // As in Mesos, recovered resources wait for the next batch pass.
  auto& core = *self->state.core;
  auto res = readable(self, "RECOVER_RESOURCES", r.getResources());
  if (!res)
    return;
  std::string framework_id = r.getFrameworkId().getValue();
  std::string agent_id = r.getAgentId().getValue();
  if (auto why = core.check_recover(framework_id, agent_id, *res); !why.empty())
    return refuse(self, "RECOVER_RESOURCES", why);
  std::optional<std::chrono::duration<double>> refuse_for;
  if (r.getRefuseSeconds() > 0)
    refuse_for = std::chrono::duration<double>(r.getRefuseSeconds());
  core.recover(framework_id, agent_id, *res, refuse_for, self->clock().now());
}

// Suppress or revive.
void offer_control(self_ptr self, bool revive, sa::Call::Roles::Reader r) {
  auto& core = *self->state.core;
  std::string id = r.getFrameworkId().getValue();
  auto roles = strings(r.getRoles());
  if (auto why = core.check_roles(id, roles); !why.empty())
    return refuse(self, revive ? "REVIVE" : "SUPPRESS", why);
  if (!revive)
    return core.suppress(id, roles);
  core.revive(id, roles);
  request_pass(self);
}

void update_weights(self_ptr self, capnp::List<sa::Call::Weight>::Reader weights) {
  auto& core = *self->state.core;
  for (auto w : weights)
    if (auto why = core.check_weight(w.getRole(), w.getWeight()); !why.empty())
      return refuse(self, "UPDATE_WEIGHTS", why);
  for (auto w : weights)
    core.set_weight(w.getRole(), w.getWeight());
}

void apply(self_ptr self, sa::Call::Reader call) {
  auto& core = *self->state.core;
  if (!applies(core, call))
    return;
  switch (call.which()) {
    case sa::Call::ADD_FRAMEWORK:
      return add_framework(self, call.getAddFramework());
    case sa::Call::REMOVE_FRAMEWORK:
      core.remove_framework(call.getRemoveFramework().getValue());
      return request_pass(self);
    case sa::Call::ACTIVATE_FRAMEWORK:
      core.activate_framework(call.getActivateFramework().getValue());
      return request_pass(self);
    case sa::Call::DEACTIVATE_FRAMEWORK:
      return core.deactivate_framework(call.getDeactivateFramework().getValue());
    case sa::Call::ADD_AGENT:
      return add_agent(self, call.getAddAgent());
    case sa::Call::REMOVE_AGENT:
      core.remove_agent(call.getRemoveAgent().getValue());
      self->state.generations.erase(call.getRemoveAgent().getValue());
      return;
    case sa::Call::RECOVER_RESOURCES:
      return recover(self, call.getRecoverResources());
    case sa::Call::SUPPRESS:
      return offer_control(self, false, call.getSuppress());
    case sa::Call::REVIVE:
      return offer_control(self, true, call.getRevive());
    case sa::Call::UPDATE_WEIGHTS:
      return update_weights(self, call.getUpdateWeights());
    case sa::Call::UPDATE_FRAMEWORK:
      return update_framework(self, call.getUpdateFramework());
  }
}

} // namespace

allocator_actor::behavior_type allocator(self_ptr self, allocation_sink master,
                                         allocator_options options) {
  auto& st = self->state;
  st.core = std::make_unique<alloc::core>(options.core);
  st.rng = std::make_unique<std::mt19937_64>(options.seed);
  st.master = std::move(master);
  st.options = options;
  self->send(self, tick_atom::value);
  return {
    [=](const allocator_call& call) { apply(self, *call); },
    [=](allocate_atom) {
      self->state.pass_pending = false;
      run_pass(self);
    },
    [=](metrics_atom) {
      return caf::result<uint64_t, double>(self->state.passes, self->state.last_pass_ms);
    },
    [=](tick_atom) {
      run_pass(self);
      self->delayed_send(self, self->state.options.allocation_interval, tick_atom::value);
    },
  };
}

} // namespace cairn
