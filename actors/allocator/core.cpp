#include "actors/allocator/core.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace cairn::alloc {

namespace {

// Splits resources in allocated form by the role they are allocated to.
std::vector<std::pair<std::string, resources>> by_allocation_role(const resources& res) {
  std::vector<std::pair<std::string, resources>> out;
  for (const resource& r : res.items()) {
    assert(!r.allocation_role.empty() && "resources coming back must be in allocated form");
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const auto& p) { return p.first == r.allocation_role; });
    if (it == out.end()) {
      out.emplace_back(r.allocation_role, resources{});
      it = out.end() - 1;
    }
    it->second += r;
  }
  return out;
}

// Mesos' refuse_seconds: absent, NaN, zero or negative mean no filter.
std::optional<time_point> filter_expiry(std::optional<std::chrono::duration<double>> refuse,
                                        time_point now) {
  if (!refuse || !(refuse->count() > 0))
    return std::nullopt;
  const double cap = std::chrono::duration<double>(max_refuse).count();
  const std::chrono::duration<double> capped{std::min(refuse->count(), cap)};
  const auto expiry = now + std::chrono::duration_cast<time_point::duration>(capped);
  assert(expiry > now || capped.count() < 1e-9);
  return expiry;
}

} // namespace

core::core(options opts)
  : min_cpus_milli_(to_milli(opts.min_cpus)),
    min_mem_milli_(to_milli(opts.min_mem_mb)),
    role_sorter_(&totals_) {
  assert(opts.min_cpus >= 0 && opts.min_mem_mb >= 0);
  cpus_index_ = intern_scalar("cpus");
  mem_index_ = intern_scalar("mem");
  assert(cpus_index_ == 0 && mem_index_ == 1);
}

// -- lookups

uint32_t core::agent_index(const std::string& id) const {
  auto it = agent_ids_.find(id);
  assert(it != agent_ids_.end() && "unknown agent");
  assert(agents_[it->second].live && agents_[it->second].id == id);
  return it->second;
}

const core::framework_state& core::framework(const std::string& id) const {
  auto it = frameworks_.find(id);
  assert(it != frameworks_.end() && "unknown framework");
  return it->second;
}

core::framework_state& core::framework(const std::string& id) {
  auto it = frameworks_.find(id);
  assert(it != frameworks_.end() && "unknown framework");
  return it->second;
}

uint32_t core::client_of(const framework_state& f, const std::string& role) const {
  for (uint32_t c : f.clients)
    if (roles_[clients_[c].role].name == role)
      return c;
  assert(false && "the framework is not subscribed to that role");
  return no_index;
}

uint32_t core::client_of(const std::string& framework_id, const std::string& role) const {
  return client_of(framework(framework_id), role);
}

std::vector<uint32_t> core::clients_for(const framework_state& f,
                                        const std::vector<std::string>& roles) const {
  if (roles.empty())
    return f.clients;
  std::vector<uint32_t> out;
  for (const auto& role : roles)
    out.push_back(client_of(f, role));
  return out;
}

// -- small helpers

uint32_t core::intern_scalar(const std::string& name) {
  auto [it, inserted] = scalar_index_.emplace(name, static_cast<uint32_t>(scalar_names_.size()));
  if (inserted)
    scalar_names_.push_back(name);
  assert(scalar_names_[it->second] == name);
  return it->second;
}

quantities core::amounts_of(const resources& res) const {
  quantities q(scalar_names_.size(), 0);
  for (const resource& r : res.items()) {
    if (r.kind != value_kind::scalar)
      continue;
    // A handful of names: a scan beats hashing on the pass's path.
    size_t i = 0;
    while (i < scalar_names_.size() && scalar_names_[i] != r.name)
      ++i;
    assert(i < scalar_names_.size() && "a scalar no agent's total has");
    q[i] += r.scalar;
  }
  return q;
}

bool core::allocatable(const quantities& q) const {
  assert(q.size() > mem_index_);
  const milli cpus = q[cpus_index_];
  const milli mem = q[mem_index_];
  return (cpus > 0 && cpus >= min_cpus_milli_) || (mem > 0 && mem >= min_mem_milli_);
}

void core::note_time(time_point now) {
  assert((!latest_ || now >= *latest_) && "time went backwards");
  latest_ = now;
}

// -- roles and clients

uint32_t core::open_role(const std::string& name) {
  auto it = role_index_.find(name);
  if (it != role_index_.end())
    return it->second;
  uint32_t r;
  if (!free_roles_.empty()) {
    r = free_roles_.back();
    free_roles_.pop_back();
  } else {
    r = static_cast<uint32_t>(roles_.size());
    roles_.push_back(role_state{false, {}, drf_sorter(&totals_), 0, 0});
  }
  role_state& rs = roles_[r];
  assert(!rs.live && rs.frameworks.size() == 0);
  rs.live = true;
  rs.name = name;
  role_index_.emplace(name, r);
  role_sorter_.add(r, name, weight(name));
  return r;
}

void core::close_role(uint32_t r) {
  role_state& rs = roles_[r];
  assert(rs.live && rs.clients == 0 && rs.frameworks.size() == 0);
  role_sorter_.remove(r);
  role_index_.erase(rs.name);
  rs.live = false;
  rs.name.clear();
  free_roles_.push_back(r);
}

uint32_t core::open_client(const std::string& framework_id, uint32_t role) {
  uint32_t c;
  if (!free_clients_.empty()) {
    c = free_clients_.back();
    free_clients_.pop_back();
  } else {
    c = static_cast<uint32_t>(clients_.size());
    clients_.emplace_back();
  }
  client_state& cs = clients_[c];
  assert(!cs.live && cs.agents.empty() && filters_.count_of_client(c) == 0);
  cs = client_state{true, framework_id, role, false, {}};
  roles_[role].frameworks.add(c, framework_id);
  ++roles_[role].clients;
  blocked_.set(c); // set_blocked() then opens it if it may be offered
  return c;
}

void core::close_client(uint32_t c) {
  client_state& cs = clients_[c];
  assert(cs.live && cs.agents.empty() && "closing a client that still holds resources");
  filters_.drop_client(c);
  set_blocked(c, true);
  role_state& rs = roles_[cs.role];
  rs.frameworks.remove(c);
  assert(rs.clients > 0);
  --rs.clients;
  if (rs.clients == 0)
    close_role(cs.role);
  blocked_.reset(c);
  cs = client_state{};
  free_clients_.push_back(c);
}

void core::set_blocked(uint32_t c, bool blocked) {
  if (blocked_.test(c) == blocked)
    return;
  role_state& rs = roles_[clients_[c].role];
  if (blocked) {
    blocked_.set(c);
    assert(rs.unblocked > 0);
    --rs.unblocked;
  } else {
    blocked_.reset(c);
    ++rs.unblocked;
  }
  assert(rs.unblocked <= rs.clients);
}

// -- frameworks

void core::add_framework(const std::string& id, const std::vector<std::string>& roles,
                         const std::vector<std::string>& suppressed_roles, bool active) {
  assert(!id.empty() && !has_framework(id) && "framework added twice");
  assert(!roles.empty() && "a framework needs at least one role");
  framework_state& f = frameworks_[id];
  f.active = active;
  for (const auto& role : roles) {
    assert(!role.empty());
    assert(std::count(roles.begin(), roles.end(), role) == 1 && "duplicate role");
    f.clients.push_back(open_client(id, open_role(role)));
  }
  for (const auto& role : suppressed_roles)
    clients_[client_of(f, role)].suppressed = true;
  for (uint32_t c : f.clients)
    set_blocked(c, !active || clients_[c].suppressed);
  assert(f.clients.size() == roles.size());
}

void core::remove_framework(const std::string& id) {
  const framework_state& f = framework(id);
  for (uint32_t c : f.clients) {
    // Copy: give_back() edits the set.
    const std::vector<uint32_t> held_on(clients_[c].agents.begin(), clients_[c].agents.end());
    for (uint32_t a : held_on) {
      auto it = held_by(agents_[a], c);
      assert(it != agents_[a].held.end());
      give_back(a, c, resources(it->second));
      sweep_if_grown(a);
    }
    close_client(c);
  }
  frameworks_.erase(id);
  assert(!has_framework(id));
}

void core::update_framework(const std::string& id, const std::vector<std::string>& roles,
                            const std::vector<std::string>& suppressed_roles) {
  assert(!roles.empty() && "a framework needs at least one role");
  framework_state& f = framework(id);
  auto listed = [](const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  std::vector<uint32_t> kept;
  for (uint32_t c : f.clients) {
    if (listed(roles, roles_[clients_[c].role].name)) {
      kept.push_back(c);
      continue;
    }
    const std::vector<uint32_t> held_on(clients_[c].agents.begin(), clients_[c].agents.end());
    for (uint32_t a : held_on) {
      auto it = held_by(agents_[a], c);
      assert(it != agents_[a].held.end());
      give_back(a, c, resources(it->second));
      sweep_if_grown(a);
    }
    close_client(c);
  }
  f.clients = std::move(kept);
  for (const auto& role : roles) {
    bool known = false;
    for (uint32_t c : f.clients)
      known = known || roles_[clients_[c].role].name == role;
    if (!known)
      f.clients.push_back(open_client(id, open_role(role)));
  }
  for (uint32_t c : f.clients) {
    clients_[c].suppressed = listed(suppressed_roles, roles_[clients_[c].role].name);
    set_blocked(c, !f.active || clients_[c].suppressed);
  }
  assert(f.clients.size() == roles.size());
}

void core::activate_framework(const std::string& id) {
  framework_state& f = framework(id);
  f.active = true;
  for (uint32_t c : f.clients)
    set_blocked(c, clients_[c].suppressed);
  assert(f.active);
}

void core::deactivate_framework(const std::string& id) {
  framework_state& f = framework(id);
  f.active = false;
  for (uint32_t c : f.clients) {
    set_blocked(c, true);
    filters_.drop_client(c);
  }
  assert(!f.active);
}

void core::suppress(const std::string& framework_id, const std::vector<std::string>& roles) {
  const framework_state& f = framework(framework_id);
  for (uint32_t c : clients_for(f, roles)) {
    clients_[c].suppressed = true;
    set_blocked(c, true);
  }
}

void core::revive(const std::string& framework_id, const std::vector<std::string>& roles) {
  const framework_state& f = framework(framework_id);
  for (uint32_t c : clients_for(f, roles)) {
    clients_[c].suppressed = false;
    set_blocked(c, !f.active);
    filters_.drop_client(c);
    assert(filters_.count_of_client(c) == 0);
  }
}

void core::set_weight(const std::string& role, double weight) {
  assert(!role.empty() && weight > 0 && std::isfinite(weight));
  weights_[role] = weight;
  auto it = role_index_.find(role);
  if (it != role_index_.end())
    role_sorter_.set_weight(it->second, weight);
  assert(this->weight(role) == weight);
}

// -- agents

void core::add_agent(const std::string& id, const resources& total,
                     const std::vector<std::pair<std::string, resources>>& used) {
  assert(!id.empty() && !has_agent(id) && "agent added twice");
  uint32_t a;
  if (!free_agents_.empty()) {
    a = free_agents_.back();
    free_agents_.pop_back();
  } else {
    a = static_cast<uint32_t>(agents_.size());
    agents_.emplace_back();
  }
  agent_state& ag = agents_[a];
  assert(!ag.live && filters_.count_on_agent(a) == 0);
  ag = agent_state{};
  ag.live = true;
  ag.id = id;
  ag.total = total.unallocated();
  ag.free = ag.total;
  for (const resource& r : ag.total.items())
    if (r.kind == value_kind::scalar)
      intern_scalar(r.name);
  ag.total_amounts = amounts_of(ag.total);
  ag.free_amounts = ag.total_amounts;
  add_to(totals_.amount, ag.total_amounts);
  ++totals_.version;
  ag.order_pos = static_cast<uint32_t>(agent_order_.size());
  agent_order_.push_back(a);
  agent_ids_.emplace(id, a);
  for (const auto& [framework_id, res] : used) {
    const framework_state& f = framework(framework_id);
    for (const auto& [role, part] : by_allocation_role(res)) {
      assert(ag.free.contains(part.unallocated()) && "used resources exceed the agent's total");
      const uint32_t c = client_of(f, role);
      const quantities q = amounts_of(part);
      hold(a, c, part, part.unallocated(), q, false);
      charge(c, q);
    }
  }
  ag.sweep_basis = ag.free;
  assert(agent_index(id) == a && ag.total.contains(ag.free));
}

void core::remove_agent(const std::string& id) {
  const uint32_t a = agent_index(id);
  agent_state& ag = agents_[a];
  for (const auto& [c, res] : ag.held) {
    const quantities q = amounts_of(res);
    role_sorter_.unallocate(clients_[c].role, q);
    roles_[clients_[c].role].frameworks.unallocate(c, q);
    const size_t erased = clients_[c].agents.erase(a);
    assert(erased == 1);
    (void) erased;
  }
  filters_.drop_agent(a);
  subtract_from(totals_.amount, ag.total_amounts);
  ++totals_.version;
  const uint32_t moved = agent_order_.back();
  agent_order_[ag.order_pos] = moved;
  agents_[moved].order_pos = ag.order_pos;
  agent_order_.pop_back();
  agent_ids_.erase(id);
  ag = agent_state{};
  free_agents_.push_back(a);
  assert(!has_agent(id) && agent_order_.size() == agent_ids_.size());
}

void core::activate_agent(const std::string& id) {
  agents_[agent_index(id)].active = true;
}

void core::deactivate_agent(const std::string& id) {
  agents_[agent_index(id)].active = false;
}

// -- holding and giving back

std::vector<std::pair<uint32_t, resources>>::iterator core::held_by(agent_state& ag,
                                                                   uint32_t c) {
  return std::find_if(ag.held.begin(), ag.held.end(), [c](const auto& h) { return h.first == c; });
}

// `given` (allocated form; `plain` is the same unallocated, with amounts `q`) leaves
// the agent's free pool for the client; `all_free` says that it is all of free (the
// pass knows, and saves the subtraction). The shares are the caller's to move
// (charge()), so that a pass can move them after each agent.
void core::hold(uint32_t a, uint32_t c, const resources& given, const resources& plain,
                const quantities& q, bool all_free) {
  agent_state& ag = agents_[a];
  client_state& cs = clients_[c];
  assert(cs.live && !given.empty() && plain.items().size() == given.items().size());
  assert(fits_in(q, ag.free_amounts) && "granting resources that are not free");
  assert(!all_free || plain.items().size() == ag.free.items().size());
  if (all_free)
    ag.free = resources{};
  else
    ag.free -= plain; // asserts that plain is there
  subtract_from(ag.free_amounts, q);
  ag.allocated += given;
  auto it = held_by(ag, c);
  if (it == ag.held.end())
    ag.held.emplace_back(c, given);
  else
    it->second += given;
  cs.agents.insert(a);
  assert(!ag.held.empty() && cs.agents.count(a) == 1);
}

void core::charge(uint32_t c, const quantities& q) {
  const uint32_t role = clients_[c].role;
  role_sorter_.allocate(role, q);
  roles_[role].frameworks.allocate(c, q);
  assert(role_sorter_.share(role) >= 0 && roles_[role].frameworks.share(c) >= 0);
}

// `res` (allocated form, held by the client on the agent) returns to the free pool.
void core::give_back(uint32_t a, uint32_t c, const resources& res) {
  agent_state& ag = agents_[a];
  client_state& cs = clients_[c];
  auto it = held_by(ag, c);
  assert(it != ag.held.end() && it->second.contains(res)
         && "recovering resources the framework does not hold there");
  it->second -= res;
  if (it->second.empty()) {
    ag.held.erase(it);
    const size_t erased = cs.agents.erase(a);
    assert(erased == 1);
    (void) erased;
  }
  ag.allocated -= res;
  ag.free += res.unallocated();
  const quantities q = amounts_of(res);
  add_to(ag.free_amounts, q);
  role_sorter_.unallocate(cs.role, q);
  roles_[cs.role].frameworks.unallocate(c, q);
  assert(fits_in(ag.free_amounts, ag.total_amounts) && "more free than the agent has");
}

// Free grew: if beyond the sweep basis, drop the filters that no longer decline all of
// what their role could be offered there, and make the basis the new free.
void core::sweep_if_grown(uint32_t a) {
  agent_state& ag = agents_[a];
  if (ag.sweep_basis.contains(ag.free))
    return;
  std::vector<std::pair<uint32_t, resources>> usable; // per role, computed once
  filters_.sweep(a, [&](const resources& declined, uint32_t role) {
    auto it = std::find_if(usable.begin(), usable.end(),
                           [role](const auto& u) { return u.first == role; });
    if (it == usable.end()) {
      usable.emplace_back(role, ag.free.usable_by(roles_[role].name));
      it = usable.end() - 1;
    }
    return declined.contains(it->second);
  });
  ag.sweep_basis = ag.free;
  assert(ag.sweep_basis.contains(ag.free));
}

// A filter is kept only while it declines everything its role could be offered on
// the agent; the basis shrinks to the current free when that is what it takes.
void core::add_filter(uint32_t a, uint32_t c, const resources& declined, time_point expiry) {
  agent_state& ag = agents_[a];
  const std::string& role = roles_[clients_[c].role].name;
  assert(ag.sweep_basis.contains(ag.free));
  if (!declined.contains(ag.sweep_basis.usable_by(role))) {
    if (!declined.contains(ag.free.usable_by(role)))
      return; // moot: more is free there than was declined
    ag.sweep_basis = ag.free; // safe: every filter declines the old, larger basis
  }
  filters_.add(a, c, clients_[c].role, declined, expiry);
  assert(filters_.filtered(a, c));
}

void core::recover(const std::string& framework_id, const std::string& agent_id,
                   const resources& res, std::optional<std::chrono::duration<double>> refuse,
                   time_point now) {
  note_time(now);
  const framework_state& f = framework(framework_id);
  const uint32_t a = agent_index(agent_id);
  if (res.empty())
    return; // as Mesos: nothing came back, so nothing to filter
  const auto parts = by_allocation_role(res);
  for (const auto& [role, part] : parts)
    give_back(a, client_of(f, role), part);
  sweep_if_grown(a);
  if (const auto expiry = filter_expiry(refuse, now))
    for (const auto& [role, part] : parts)
      add_filter(a, client_of(f, role), part.unallocated(), *expiry);
  assert(agents_[a].sweep_basis.contains(agents_[a].free));
}

// -- the pass

std::vector<grant> core::allocate(time_point now, std::mt19937_64& rng) {
  note_time(now);
  filters_.expire(now);
  std::vector<uint32_t> order = agent_order_;
  std::shuffle(order.begin(), order.end(), rng);
  role_sorter_.order(); // one re-sort if the totals changed
  for (uint32_t r : role_sorter_.sorted_keys())
    roles_[r].frameworks.order();
  std::vector<grant> out;
  for (uint32_t a : order)
    allocate_on(a, out);
  assert(out.size() <= agent_order_.size() * std::max<size_t>(role_sorter_.size(), 1));
  return out;
}

// The first client of the role, in DRF order, that may be offered this agent.
uint32_t core::first_eligible(role_state& role, uint32_t a) {
  const dense_bits& filtered = filters_.bits(a);
  for (const drf_sorter::entry& e : role.frameworks.order())
    if (!blocked_.test(e.key) && !filtered.test(e.key))
      return e.key;
  return no_index;
}

void core::allocate_on(uint32_t a, std::vector<grant>& out) {
  agent_state& ag = agents_[a];
  assert(ag.live);
  if (!ag.active || !allocatable(ag.free_amounts))
    return;
  pending_.clear();
  for (const drf_sorter::entry& re : role_sorter_.order()) {
    if (ag.free.empty())
      break;
    role_state& rs = roles_[re.key];
    // Everyone blocked or filtered here: O(1) instead of a walk over the role.
    if (rs.unblocked == 0 || filters_.filtered_in_role(a, re.key) == rs.clients)
      continue;
    const uint32_t c = first_eligible(rs, a);
    if (c == no_index)
      continue;
    resources offer = ag.free.usable_by(rs.name);
    quantities q = amounts_of(offer);
    if (!allocatable(q))
      continue;
    resources given = offer.allocated_to(rs.name);
    // usable_by() keeps or drops whole items: as many items means all of free.
    hold(a, c, given, offer, q, offer.items().size() == ag.free.items().size());
    // Shares move after this agent, so that this walk over roles stays valid.
    pending_.push_back(pending_share{c, std::move(q)});
    out.push_back(grant{clients_[c].framework_id, rs.name, ag.id, std::move(given)});
  }
  for (const pending_share& p : pending_)
    charge(p.client, p.amounts);
  assert(pending_.size() <= role_sorter_.size());
  assert(fits_in(ag.free_amounts, ag.total_amounts));
}

// -- views

bool core::has_agent(const std::string& id) const {
  return agent_ids_.count(id) > 0;
}

bool core::has_framework(const std::string& id) const {
  return frameworks_.count(id) > 0;
}

const resources& core::agent_total(const std::string& agent_id) const {
  return agents_[agent_index(agent_id)].total;
}

const resources& core::agent_allocated(const std::string& agent_id) const {
  return agents_[agent_index(agent_id)].allocated;
}

const resources& core::agent_free(const std::string& agent_id) const {
  return agents_[agent_index(agent_id)].free;
}

bool core::agent_active(const std::string& agent_id) const {
  return agents_[agent_index(agent_id)].active;
}

resources core::framework_allocation(const std::string& framework_id) const {
  resources out;
  for (uint32_t c : framework(framework_id).clients)
    for (uint32_t a : clients_[c].agents)
      for (const auto& [holder, res] : agents_[a].held)
        if (holder == c)
          out += res;
  return out;
}

resources core::framework_allocation(const std::string& framework_id,
                                     const std::string& agent_id) const {
  const framework_state& f = framework(framework_id);
  resources out;
  for (const auto& [holder, res] : agents_[agent_index(agent_id)].held)
    if (std::find(f.clients.begin(), f.clients.end(), holder) != f.clients.end())
      out += res;
  return out;
}

bool core::framework_active(const std::string& framework_id) const {
  return framework(framework_id).active;
}

bool core::suppressed(const std::string& framework_id, const std::string& role) const {
  return clients_[client_of(framework_id, role)].suppressed;
}

double core::cluster_total(const std::string& scalar_name) const {
  auto it = scalar_index_.find(scalar_name);
  if (it == scalar_index_.end() || it->second >= totals_.amount.size())
    return 0;
  return from_milli(totals_.amount[it->second]);
}

double core::role_share(const std::string& role) const {
  auto it = role_index_.find(role);
  return it == role_index_.end() ? 0.0 : role_sorter_.share(it->second);
}

double core::framework_share(const std::string& framework_id, const std::string& role) const {
  const uint32_t c = client_of(framework_id, role);
  return roles_[clients_[c].role].frameworks.share(c);
}

double core::weight(const std::string& role) const {
  auto it = weights_.find(role);
  return it == weights_.end() ? 1.0 : it->second;
}

bool core::filtered(const std::string& framework_id, const std::string& role,
                    const std::string& agent_id) const {
  return filters_.filtered(agent_index(agent_id), client_of(framework_id, role));
}

// -- invariants

std::optional<std::string> core::check_agent(uint32_t a) const {
  const agent_state& ag = agents_[a];
  const auto fail = [&](const char* what) { return "agent " + ag.id + ": " + what; };
  if (!ag.total.contains(ag.allocated.unallocated()))
    return fail("allocated exceeds total");
  if (ag.free + ag.allocated.unallocated() != ag.total)
    return fail("free + allocated != total");
  if (!same_amounts(ag.free_amounts, amounts_of(ag.free)))
    return fail("free amounts disagree with free");
  resources sum;
  for (const auto& [c, res] : ag.held) {
    if (res.empty() || !clients_[c].live || clients_[c].agents.count(a) == 0)
      return fail("a held entry is empty or its client does not know it");
    for (const resource& r : res.items())
      if (r.allocation_role != roles_[clients_[c].role].name)
        return fail("held resources are allocated to another role");
    sum += res;
  }
  if (sum != ag.allocated)
    return fail("allocated != the sum of what frameworks hold");
  if (!ag.sweep_basis.contains(ag.free))
    return fail("free grew beyond the sweep basis");
  for (uint32_t slot : filters_.slots_on_agent(a)) {
    const auto& f = filters_.at(slot);
    if (!clients_[f.client].live || clients_[f.client].role != f.role)
      return fail("a filter of a dead client");
    if (!filters_.declined(f).contains(ag.sweep_basis.usable_by(roles_[f.role].name)))
      return fail("a filter does not decline the sweep basis");
  }
  return std::nullopt;
}

std::optional<std::string> core::check_clients() const {
  std::vector<quantities> role_sums(roles_.size());
  std::vector<uint32_t> role_clients(roles_.size(), 0);
  std::vector<uint32_t> role_unblocked(roles_.size(), 0);
  for (uint32_t c = 0; c < clients_.size(); ++c) {
    const client_state& cs = clients_[c];
    if (!cs.live)
      continue;
    const auto fail = [&](const char* what) {
      return "framework " + cs.framework_id + ": " + what;
    };
    quantities sum;
    for (uint32_t a : cs.agents)
      for (const auto& [holder, res] : agents_[a].held)
        if (holder == c)
          add_to(sum, amounts_of(res));
    const role_state& rs = roles_[cs.role];
    if (!rs.live || !rs.frameworks.contains(c))
      return fail("not in its role's sorter");
    if (!same_amounts(sum, rs.frameworks.allocation(c)))
      return fail("sorter allocation != what it holds");
    const framework_state& f = framework(cs.framework_id);
    if (blocked_.test(c) != (!f.active || cs.suppressed))
      return fail("blocked bit is wrong");
    add_to(role_sums[cs.role], sum);
    ++role_clients[cs.role];
    role_unblocked[cs.role] += blocked_.test(c) ? 0 : 1;
  }
  for (uint32_t r = 0; r < roles_.size(); ++r) {
    const role_state& rs = roles_[r];
    if (!rs.live)
      continue;
    if (rs.clients == 0 || rs.clients != role_clients[r] || rs.unblocked != role_unblocked[r])
      return "role " + rs.name + ": client counts are wrong";
    if (!same_amounts(role_sums[r], role_sorter_.allocation(r)))
      return "role " + rs.name + ": sorter allocation != its frameworks' allocations";
  }
  return std::nullopt;
}

std::optional<std::string> core::check_invariants() const {
  quantities totals;
  for (uint32_t a : agent_order_) {
    if (auto bad = check_agent(a))
      return bad;
    add_to(totals, agents_[a].total_amounts);
  }
  if (!same_amounts(totals, totals_.amount))
    return "cluster totals != the sum of the agents' totals";
  if (agent_order_.size() != agent_ids_.size())
    return "agent order and agent ids disagree";
  if (auto bad = check_clients())
    return bad;
  if (auto bad = filters_.check(); !bad.empty())
    return "filters: " + bad;
  return std::nullopt;
}

} // namespace cairn::alloc
