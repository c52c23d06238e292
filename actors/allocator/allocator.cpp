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

// Resources from the master are built by the master itself; a failure here is
// a bug in the master, not bad input from outside.
resources checked(resource_list_reader list) {
  auto rs = read_resources(list);
  if (!rs) {
    logger("allocator")->critical("master sent invalid resources: {}", error_message(rs.error()));
    std::abort();
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
    default:
      return true;
  }
}

void apply(self_ptr self, sa::Call::Reader call) {
  auto& core = *self->state.core;
  auto now = self->clock().now();
  if (!applies(core, call))
    return;
  switch (call.which()) {
    case sa::Call::ADD_FRAMEWORK: {
      auto f = call.getAddFramework();
      core.add_framework(f.getFrameworkId().getValue(), strings(f.getRoles()),
                         strings(f.getSuppressedRoles()), f.getActive());
      request_pass(self);
      break;
    }
    case sa::Call::REMOVE_FRAMEWORK:
      core.remove_framework(call.getRemoveFramework().getValue());
      request_pass(self);
      break;
    case sa::Call::ACTIVATE_FRAMEWORK:
      core.activate_framework(call.getActivateFramework().getValue());
      request_pass(self);
      break;
    case sa::Call::DEACTIVATE_FRAMEWORK:
      core.deactivate_framework(call.getDeactivateFramework().getValue());
      break;
    case sa::Call::ADD_AGENT: {
      auto a = call.getAddAgent();
      std::vector<std::pair<std::string, resources>> used;
      for (auto u : a.getUsed())
        if (core.has_framework(u.getFrameworkId().getValue()))
          used.emplace_back(u.getFrameworkId().getValue(), checked(u.getResources()));
      core.add_agent(a.getAgentId().getValue(), checked(a.getTotal()), used);
      self->state.generations[a.getAgentId().getValue()] = a.getGeneration();
      request_pass(self);
      break;
    }
    case sa::Call::REMOVE_AGENT:
      core.remove_agent(call.getRemoveAgent().getValue());
      self->state.generations.erase(call.getRemoveAgent().getValue());
      break;
    case sa::Call::RECOVER_RESOURCES: {
      // As in Mesos, recovered resources wait for the next batch pass.
      auto r = call.getRecoverResources();
      std::optional<std::chrono::duration<double>> refuse;
      if (r.getRefuseSeconds() > 0)
        refuse = std::chrono::duration<double>(r.getRefuseSeconds());
      core.recover(r.getFrameworkId().getValue(), r.getAgentId().getValue(),
                   checked(r.getResources()), refuse, now);
      break;
    }
    case sa::Call::SUPPRESS:
      core.suppress(call.getSuppress().getFrameworkId().getValue(),
                    strings(call.getSuppress().getRoles()));
      break;
    case sa::Call::REVIVE:
      core.revive(call.getRevive().getFrameworkId().getValue(),
                  strings(call.getRevive().getRoles()));
      request_pass(self);
      break;
    case sa::Call::UPDATE_WEIGHTS:
      for (auto w : call.getUpdateWeights())
        core.set_weight(w.getRole(), w.getWeight());
      break;
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
