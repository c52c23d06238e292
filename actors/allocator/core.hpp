// The allocation core, after Mesos' HierarchicalDRF allocator reduced to one stage:
// the cluster as the allocator sees it (agents, frameworks, roles, weights,
// suppression, decline filters) and the pass that turns free resources into grants.
// Pure: time and randomness come in as arguments; no I/O, no CAF. Unknown ids and
// impossible requests are the caller's bug and abort (the actor validates first).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "actors/allocator/filters.hpp"
#include "actors/allocator/sorter.hpp"
#include "actors/resources/resources.hpp"

namespace cairn::alloc {

using time_point = std::chrono::steady_clock::time_point;

// Resources given to one framework in one role on one agent by a pass.
struct grant {
  std::string framework_id;
  std::string role;
  std::string agent_id;
  resources res; // allocated_to(role)
};

struct options {
  // Mesos' MIN_CPUS / MIN_MEM: free resources are offered only if they hold at
  // least this many cpus or at least this much memory.
  double min_cpus = 0.01;
  double min_mem_mb = 32;
};

// The longest decline filter, as in Mesos (refuse_seconds beyond it are capped).
inline constexpr std::chrono::hours max_refuse{24 * 365};

class core {
public:
  explicit core(options opts = {});
  // Sorters point into the core: it stays where it was built.
  core(const core&) = delete;
  core& operator=(const core&) = delete;

  // -- frameworks
  // `roles`: unique, non-empty; `suppressed_roles` a subset of them.
  void add_framework(const std::string& id, const std::vector<std::string>& roles,
                     const std::vector<std::string>& suppressed_roles, bool active);
  // Its allocations return to the agents' free pool; its filters go.
  void remove_framework(const std::string& id);
  // Its roles become `roles` and exactly `suppressed_roles` of them are
  // suppressed. What it holds in a role it leaves returns to the free pool
  // (the master rescinds such offers first and keeps no tasks there).
  void update_framework(const std::string& id, const std::vector<std::string>& roles,
                        const std::vector<std::string>& suppressed_roles);
  void activate_framework(const std::string& id);
  // No offers while inactive. Clears the framework's filters, as Mesos does.
  void deactivate_framework(const std::string& id);

  // -- agents
  // `used`: framework id -> resources in allocated_to(role) form (one or more roles
  // of that framework), already held on the agent; must fit in `total`.
  void add_agent(const std::string& id, const resources& total,
                 const std::vector<std::pair<std::string, resources>>& used);
  void remove_agent(const std::string& id);
  void activate_agent(const std::string& id);
  void deactivate_agent(const std::string& id); // not offered while deactivated

  // -- resources coming back
  // `res` (allocated_to(role) form, held by the framework on the agent) returns to
  // the free pool: declined, unused by an accept, or freed by a finished task.
  // `refuse`: a decline filter; none when absent, <= 0 or NaN; capped at max_refuse.
  // A filter holds until it expires or until more is free on the agent than it
  // declined (of what its role may use there); one that does not cover what is free
  // right after the recovery is moot and dropped. A new filter on (framework, role,
  // agent) replaces an older one. Nothing coming back (empty `res`) is a no-op.
  void recover(const std::string& framework_id, const std::string& agent_id,
               const resources& res, std::optional<std::chrono::duration<double>> refuse,
               time_point now);

  // -- offer control; `roles` empty means every role of the framework
  void suppress(const std::string& framework_id, const std::vector<std::string>& roles);
  // Unsuppresses and clears the framework's filters for those roles.
  void revive(const std::string& framework_id, const std::vector<std::string>& roles);
  void set_weight(const std::string& role, double weight); // default 1; > 0

  // One pass: agents in random order, roles then frameworks in DRF order.
  std::vector<grant> allocate(time_point now, std::mt19937_64& rng);

  // -- preconditions of the calls above (core_checks.cpp)
  // The calls abort when these fail: an actor feeding them what came from
  // outside asks first, and refuses with the reason ("" when the call may go).
  std::string check_add_framework(const std::string& id, const std::vector<std::string>& roles,
                                  const std::vector<std::string>& suppressed_roles) const;
  std::string check_update_framework(const std::string& id,
                                     const std::vector<std::string>& roles,
                                     const std::vector<std::string>& suppressed_roles) const;
  std::string check_add_agent(const std::string& id, const resources& total,
                              const std::vector<std::pair<std::string, resources>>& used) const;
  std::string check_recover(const std::string& framework_id, const std::string& agent_id,
                            const resources& res) const;
  // For suppress and revive: each a role of the framework.
  std::string check_roles(const std::string& framework_id,
                          const std::vector<std::string>& roles) const;
  std::string check_weight(const std::string& role, double weight) const;

  // -- read-only views
  bool has_agent(const std::string& id) const;
  bool has_framework(const std::string& id) const;
  size_t agent_count() const {
    return agent_ids_.size();
  }
  size_t framework_count() const {
    return frameworks_.size();
  }
  const resources& agent_total(const std::string& agent_id) const;
  const resources& agent_allocated(const std::string& agent_id) const; // allocated form
  const resources& agent_free(const std::string& agent_id) const;      // unallocated form
  bool agent_active(const std::string& agent_id) const;
  // What the framework holds, in allocated form: everywhere, or on one agent.
  resources framework_allocation(const std::string& framework_id) const;
  resources framework_allocation(const std::string& framework_id,
                                 const std::string& agent_id) const;
  bool framework_active(const std::string& framework_id) const;
  bool suppressed(const std::string& framework_id, const std::string& role) const;
  // Sum of the agents' totals of one scalar, across all agents.
  double cluster_total(const std::string& scalar_name) const;
  // Weighted dominant shares; 0 for a role without frameworks.
  double role_share(const std::string& role) const;
  double framework_share(const std::string& framework_id, const std::string& role) const;
  double weight(const std::string& role) const;
  // Whether a live decline filter keeps the agent from (framework, role).
  bool filtered(const std::string& framework_id, const std::string& role,
                const std::string& agent_id) const;
  size_t filter_count() const {
    return filters_.size();
  }
  // Every invariant over the whole state, O(size): the first violation, if any.
  std::optional<std::string> check_invariants() const;

private:
  // One framework's membership in one role: the unit the framework sorters order,
  // suppression applies to, and filters are kept for.
  struct client_state {
    bool live = false;
    std::string framework_id;
    uint32_t role = no_index;
    bool suppressed = false;
    std::unordered_set<uint32_t> agents; // where it holds something
  };
  struct framework_state {
    bool active = true;
    std::vector<uint32_t> clients; // one per role
  };
  struct role_state {
    bool live = false;
    std::string name;
    drf_sorter frameworks;
    uint32_t clients = 0;
    uint32_t unblocked = 0; // clients of active frameworks, not suppressed
  };
  struct agent_state {
    bool live = false;
    bool active = true;
    std::string id;
    resources total;     // unallocated form
    resources free;      // total - allocated, unallocated form
    resources allocated; // allocated form; the sum of `held`
    // Free resources when the agent's filters were last checked; free never grows
    // beyond it without a sweep, and every filter declines at least it.
    resources sweep_basis;
    std::vector<std::pair<uint32_t, resources>> held; // client -> allocated form
    quantities total_amounts;
    quantities free_amounts; // scalars of `free`, for O(1) checks on the pass's path
    uint32_t order_pos = 0; // position in agent_order_
  };
  struct pending_share {
    uint32_t client;
    quantities amounts;
  };

  // lookups (abort on unknown ids)
  uint32_t agent_index(const std::string& id) const;
  const framework_state& framework(const std::string& id) const;
  framework_state& framework(const std::string& id);
  uint32_t client_of(const framework_state& f, const std::string& role) const;
  uint32_t client_of(const std::string& framework_id, const std::string& role) const;
  std::vector<uint32_t> clients_for(const framework_state& f,
                                    const std::vector<std::string>& roles) const;

  // state changes shared by the public calls
  uint32_t intern_scalar(const std::string& name);
  quantities amounts_of(const resources& res) const;
  bool allocatable(const quantities& q) const;
  uint32_t open_role(const std::string& name);
  void close_role(uint32_t role);
  uint32_t open_client(const std::string& framework_id, uint32_t role);
  void close_client(uint32_t client);
  void set_blocked(uint32_t client, bool blocked);
  void hold(uint32_t agent, uint32_t client, const resources& given, const resources& plain,
            const quantities& q, bool all_free);
  void charge(uint32_t client, const quantities& q);
  void give_back(uint32_t agent, uint32_t client, const resources& res);
  static std::vector<std::pair<uint32_t, resources>>::iterator held_by(agent_state& agent,
                                                                       uint32_t client);
  void sweep_if_grown(uint32_t agent);
  void add_filter(uint32_t agent, uint32_t client, const resources& declined,
                  time_point expiry);
  void note_time(time_point now);

  // the pass
  void allocate_on(uint32_t agent, std::vector<grant>& out);
  uint32_t first_eligible(role_state& role, uint32_t agent);

  // invariants, by part
  std::optional<std::string> check_agent(uint32_t agent) const;
  std::optional<std::string> check_clients() const;

  milli min_cpus_milli_;
  milli min_mem_milli_;
  uint32_t cpus_index_;
  uint32_t mem_index_;
  std::unordered_map<std::string, uint32_t> scalar_index_;
  std::vector<std::string> scalar_names_;
  cluster_totals totals_;

  drf_sorter role_sorter_;
  std::unordered_map<std::string, double> weights_;
  std::unordered_map<std::string, uint32_t> role_index_;
  std::vector<role_state> roles_;
  std::vector<uint32_t> free_roles_;

  std::unordered_map<std::string, framework_state> frameworks_;
  std::vector<client_state> clients_;
  std::vector<uint32_t> free_clients_;
  dense_bits blocked_; // client of an inactive framework, or suppressed

  std::unordered_map<std::string, uint32_t> agent_ids_;
  std::vector<agent_state> agents_;
  std::vector<uint32_t> free_agents_;
  std::vector<uint32_t> agent_order_; // live agents; shuffled per pass

  filter_table filters_;
  std::vector<pending_share> pending_; // reused by the pass; at most one per role
  std::optional<time_point> latest_;   // time never goes back
};

} // namespace cairn::alloc
