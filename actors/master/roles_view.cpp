// The roles the master knows, for GET_ROLES and /master/roles: every role
// with a framework, a task, an offer, a reservation or a weight of its own,
// as Mesos lists them.
#include "actors/master/roles_view.hpp"

#include "actors/resources/convert.hpp"

namespace cairn {

std::map<std::string, role_view> collect_roles(master_ptr self) {
  auto& st = self->state;
  std::map<std::string, role_view> roles;
  for (const auto& [id, fw] : st.frameworks) {
    for (const auto& r : fw.roles)
      roles[r].frameworks.push_back(id);
    for (const auto& [tid, t] : fw.tasks)
      if (!t.terminal())
        roles[t.role].allocated += t.res.unallocated();
  }
  for (const auto& [id, offer] : st.offers)
    roles[offer.role].offered += offer.res.unallocated();
  for (const auto& [id, agent] : st.agents)
    for (const auto& r : agent.total.items())
      if (r.reserved())
        roles[r.role].reserved += r;
  for (const auto& [role, weight] : st.options.weights)
    roles[role].weight = weight;
  for (auto& [name, view] : roles)
    assert(view.weight > 0);
  return roles;
}

wire<schema::state::Roles> build_roles(master_ptr self) {
  auto roles = collect_roles(self);
  wire_builder<schema::state::Roles> w{4096};
  auto list = w->initRoles(static_cast<unsigned>(roles.size()));
  unsigned i = 0;
  for (const auto& [name, view] : roles) {
    auto r = list[i++];
    r.setName(name);
    r.setWeight(view.weight);
    auto fws = r.initFrameworks(static_cast<unsigned>(view.frameworks.size()));
    for (unsigned k = 0; k < view.frameworks.size(); ++k)
      fws.set(k, view.frameworks[k]);
    write_summary(view.allocated, r.initResources());
    write_summary(view.allocated, r.initAllocated());
    write_summary(view.offered, r.initOffered());
    write_summary(view.reserved, r.initReserved());
    auto quota = r.initQuota();
    quota.setRole(name);
    quota.initGuarantee();
    quota.initLimit();
    // What counts against a quota in Mesos: reservations and what is
    // allocated beyond them.
    write_summary(view.reserved + view.allocated.unreserved(), quota.initConsumed());
  }
  return std::move(w).finish();
}

} // namespace cairn
