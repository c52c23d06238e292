// The master's calls to the allocator, each built in one place.
#include "actors/master/state.hpp"

#include "actors/resources/convert.hpp"

namespace cairn {

namespace sa = schema::allocator;

void allocator_add_framework(master_ptr self, const framework_record& fw) {
  wire_builder<sa::Call> b;
  auto f = b.root().initAddFramework();
  f.initFrameworkId().setValue(fw.id);
  auto roles = f.initRoles(static_cast<unsigned>(fw.roles.size()));
  for (unsigned i = 0; i < fw.roles.size(); ++i)
    roles.set(i, fw.roles[i]);
  f.setActive(fw.active);
  self->send(self->state.allocator, std::move(b).finish());
}

void allocator_update_framework(master_ptr self, const framework_record& fw,
                                capnp::List<capnp::Text>::Reader suppressed_roles) {
  wire_builder<sa::Call> b;
  auto f = b.root().initUpdateFramework();
  f.initFrameworkId().setValue(fw.id);
  auto roles = f.initRoles(static_cast<unsigned>(fw.roles.size()));
  for (unsigned i = 0; i < fw.roles.size(); ++i)
    roles.set(i, fw.roles[i]);
  f.setSuppressedRoles(suppressed_roles);
  f.setActive(fw.active);
  self->send(self->state.allocator, std::move(b).finish());
}

void allocator_simple(master_ptr self, sa::Call::Which which, const std::string& id) {
  wire_builder<sa::Call> b;
  auto c = b.root();
  switch (which) {
    case sa::Call::REMOVE_FRAMEWORK:
      c.initRemoveFramework().setValue(id);
      break;
    case sa::Call::ACTIVATE_FRAMEWORK:
      c.initActivateFramework().setValue(id);
      break;
    case sa::Call::DEACTIVATE_FRAMEWORK:
      c.initDeactivateFramework().setValue(id);
      break;
    case sa::Call::REMOVE_AGENT:
      c.initRemoveAgent().setValue(id);
      break;
    default:
      assert(false && "not a simple allocator call");
  }
  self->send(self->state.allocator, std::move(b).finish());
}

void allocator_add_agent(master_ptr self, agent_record& agent) {
  agent.generation = self->state.next_generation++;
  wire_builder<sa::Call> b;
  auto a = b.root().initAddAgent();
  a.initAgentId().setValue(agent.id);
  a.setGeneration(agent.generation);
  write_resources(agent.total, a.initTotal(static_cast<unsigned>(agent.total.items().size())));
  auto used = used_by_framework(self, agent);
  auto list = a.initUsed(static_cast<unsigned>(used.size()));
  for (unsigned i = 0; i < used.size(); ++i) {
    list[i].initFrameworkId().setValue(used[i].first);
    set_resources(list[i], used[i].second);
  }
  self->send(self->state.allocator, std::move(b).finish());
}

void allocator_recover(master_ptr self, const std::string& framework_id,
                       const std::string& agent_id, const resources& res,
                       double refuse_seconds) {
  if (res.empty())
    return;
  wire_builder<sa::Call> b;
  auto r = b.root().initRecoverResources();
  r.initFrameworkId().setValue(framework_id);
  r.initAgentId().setValue(agent_id);
  set_resources(r, res);
  r.setRefuseSeconds(refuse_seconds);
  self->send(self->state.allocator, std::move(b).finish());
}

void allocator_weights(master_ptr self,
                       const std::vector<std::pair<std::string, double>>& weights) {
  wire_builder<sa::Call> b;
  auto list = b.root().initUpdateWeights(static_cast<unsigned>(weights.size()));
  for (unsigned i = 0; i < weights.size(); ++i) {
    list[i].setRole(weights[i].first);
    list[i].setWeight(weights[i].second);
  }
  self->send(self->state.allocator, std::move(b).finish());
}

void allocator_roles(master_ptr self, bool revive, const std::string& framework_id,
                     capnp::List<capnp::Text>::Reader roles) {
  wire_builder<sa::Call> b;
  auto r = revive ? b.root().initRevive() : b.root().initSuppress();
  r.initFrameworkId().setValue(framework_id);
  r.setRoles(roles);
  self->send(self->state.allocator, std::move(b).finish());
}

} // namespace cairn
