// The registry: the master's durable state (admitted agents, frameworks,
// weights), as Mesos' registrar keeps it, and the frameworks' key-value store.
//
// A pure state machine over the entries of the replicated log: no I/O, no
// clock, no actors. Every decision (a compare-and-set that lost, an unknown
// agent, a full store) is taken when an entry is applied, from the state and
// the entry alone, so replaying the same entries in order gives the same state
// and the same answers on every master. An entry that is refused changes
// nothing, on the leader and on every replay alike.
//
// Snapshots: `snapshot()` covers every entry applied so far. The caller appends
// it only when none of its own appends is in flight (an entry appended before
// the snapshot but applied after it would be replaced by it on replay), then
// may truncate the log before the snapshot's position.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <capnp/common.h>
#include <caf/expected.hpp>

#include "runtime/limits.hpp"
#include "runtime/wire.hpp"
#include "schema/mesos.capnp.h"
#include "schema/registry.capnp.h"

namespace cairn {

// Every bound of the registry (runtime/limits.hpp gives the reason for each).
// Past one, an operation is refused; the state never grows beyond them.
namespace registry_limits {

// A log entry is a message like any other (runtime/limits.hpp).
inline constexpr size_t max_entry_bytes = limits::wire_max_words * sizeof(capnp::word);
// The whole state as state_bytes() counts it; its snapshot must fit one entry.
inline constexpr uint64_t max_state_bytes = limits::max_registry_bytes;
static_assert(max_state_bytes <= max_entry_bytes / 4 * 3);
// Shares of it: the key-value store has its own quota; agents, frameworks and
// weights share the rest, frameworks and weights each up to their share, so
// that what they leave for agents is at least limits::agents_reserved_bytes.
inline constexpr uint64_t max_kv_bytes = limits::kv_quota_bytes;
inline constexpr uint64_t max_records_bytes = max_state_bytes - max_kv_bytes;
inline constexpr uint64_t max_frameworks_bytes = limits::frameworks_quota_bytes;
inline constexpr uint64_t max_weights_bytes = limits::weights_quota_bytes;
static_assert(max_records_bytes - max_frameworks_bytes - max_weights_bytes ==
              limits::agents_reserved_bytes);
// What each agent, framework, weight or key costs beyond its own bytes (its
// record in the snapshot, and far pointers): more than it takes, so that the
// count above bounds the snapshot.
inline constexpr uint64_t record_overhead_bytes = 64;
// The master's own bounds.
inline constexpr size_t max_agents = limits::max_agents;
inline constexpr size_t max_frameworks = limits::max_frameworks;
inline constexpr uint64_t max_agent_info_bytes = limits::max_agent_info_bytes;
inline constexpr uint64_t max_framework_info_bytes = limits::max_framework_info_bytes;
inline constexpr size_t max_name_bytes = limits::max_registry_name_bytes;
inline constexpr size_t max_weighted_roles = limits::max_weighted_roles;
inline constexpr size_t max_key_bytes = limits::max_kv_key_bytes;
inline constexpr size_t max_value_bytes = limits::max_kv_value_bytes;
inline constexpr size_t max_keys = limits::max_kv_keys;
inline constexpr size_t max_kv_list_keys = limits::max_kv_list_keys;

} // namespace registry_limits

struct registered_agent {
  wire<schema::AgentInfo> info;  // an owned copy
  bool reachable = true;
  double unreachable_since_seconds = 0;  // 0 while reachable
};

struct kv_value {
  uint64_t version = 0;  // 0: the key does not exist
  std::string value;
};

// For kv_set_entry / kv_delete_entry: whatever version the key has.
inline constexpr std::optional<uint64_t> any_version = std::nullopt;

template <class V>
using registry_map = std::map<std::string, V, std::less<>>;

// What the registry holds; read it through registry's views.
struct registry_state {
  registry_map<registered_agent> agents;
  registry_map<wire<schema::FrameworkInfo>> frameworks;
  registry_map<double> weights;
  registry_map<kv_value> kv;
  uint64_t total_bytes = 0;       // every record, as the bounds count them
  uint64_t kv_bytes = 0;          // the records of `kv`
  uint64_t frameworks_bytes = 0;  // the records of `frameworks`
  uint64_t weights_bytes = 0;     // the records of `weights`
};

class registry {
public:
  struct result {
    bool ok = false;
    std::string error;     // why not, when not ok
    uint64_t version = 0;  // kv ops: the key's version now (0 after a delete)
  };

  // Applies one entry: the flat Cap'n Proto words of an Operation, as read from
  // the log. An entry that is not well-formed is refused with a reason.
  result apply(std::string_view entry);
  result apply(schema::registry::Operation::Reader op);

  // The whole state as an entry (an Operation{snapshot}); applied to any
  // registry it gives one equal to this.
  std::string snapshot() const;

  // -- views for the master

  const registry_map<registered_agent>& agents() const {
    return state_.agents;
  }
  const registered_agent* find_agent(std::string_view id) const;
  const registry_map<wire<schema::FrameworkInfo>>& frameworks() const {
    return state_.frameworks;
  }
  const wire<schema::FrameworkInfo>* find_framework(std::string_view id) const;
  const registry_map<double>& weights() const {
    return state_.weights;
  }

  // -- views for frameworks

  kv_value kv_get(std::string_view key) const;
  // Keys beginning with `prefix`, in order, after `after` (to page on), at most
  // `max_keys` (and at most max_kv_list_keys).
  std::vector<std::string> kv_list(std::string_view prefix, std::string_view after = {},
                                   size_t max_keys = registry_limits::max_kv_list_keys) const;
  size_t kv_size() const {
    return state_.kv.size();
  }

  // The size the bounds count: each record's bytes and its overhead.
  uint64_t state_bytes() const {
    return state_.total_bytes;
  }
  uint64_t kv_bytes() const {
    return state_.kv_bytes;
  }
  uint64_t frameworks_bytes() const {
    return state_.frameworks_bytes;
  }
  uint64_t weights_bytes() const {
    return state_.weights_bytes;
  }
  uint64_t agents_bytes() const {
    return state_.total_bytes - state_.kv_bytes - state_.frameworks_bytes - state_.weights_bytes;
  }

  // Same agents, frameworks, weights and keys (infos compared field by field).
  friend bool operator==(const registry& a, const registry& b);
  friend bool operator!=(const registry& a, const registry& b) {
    return !(a == b);
  }

private:
  using operation = schema::registry::Operation;

  // Each reads all it needs from the entry (which throws if it is malformed)
  // before it changes anything.
  result admit_agent(operation::AdmitAgent::Reader op);
  result mark_unreachable(operation::MarkUnreachable::Reader op);
  result mark_reachable(operation::MarkReachable::Reader op);
  result remove_agent(operation::RemoveAgent::Reader op);
  result add_framework(operation::AddFramework::Reader op);
  result remove_framework(operation::RemoveFramework::Reader op);
  result set_weights(operation::SetWeights::Reader op);
  result kv_set(operation::KvSet::Reader op);
  result kv_delete(operation::KvDelete::Reader op);
  result load(schema::registry::Registry::Reader snap);
  void check_invariants() const;

  registry_state state_;
};

// -- the entries the master appends

std::string admit_agent_entry(schema::AgentInfo::Reader info);
std::string mark_unreachable_entry(std::string_view agent_id, double time_seconds);
std::string mark_reachable_entry(std::string_view agent_id);
std::string remove_agent_entry(std::string_view agent_id);
std::string add_framework_entry(schema::FrameworkInfo::Reader info);
std::string remove_framework_entry(std::string_view framework_id);
std::string set_weights_entry(const std::vector<std::pair<std::string, double>>& weights);
// `expected_version`: the key's current version (0: it must not exist), or
// any_version.
std::string kv_set_entry(std::string_view key, std::string_view value,
                         std::optional<uint64_t> expected_version);
std::string kv_delete_entry(std::string_view key, std::optional<uint64_t> expected_version);

// The checks the registry makes of one object, whatever it already holds, for
// the edges (master, HTTP, registrar) to refuse it before anything is
// written; "" when there is nothing wrong, else the reason, naming the limit.
std::string weight_problem(std::string_view role, double weight);
std::string framework_info_problem(schema::FrameworkInfo::Reader info);
std::string agent_info_problem(schema::AgentInfo::Reader info);
std::string kv_key_problem(std::string_view key);
std::string kv_problem(std::string_view key, std::string_view value);
// Every such check of the objects in one entry; a malformed entry is a problem.
std::string entry_problem(std::string_view entry);

// The Registry a snapshot entry holds, as JSON (what /registrar(1)/registry serves).
caf::expected<std::string> registry_json(std::string_view snapshot_entry);

} // namespace cairn
