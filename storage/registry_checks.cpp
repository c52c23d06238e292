#include "storage/registry_checks.hpp"

#include <cmath>

namespace cairn {

namespace registry_detail {

std::string quoted(std::string_view s) {
  constexpr size_t shown = 64;
  if (s.size() <= shown)
    return fmt::format("'{}'", s);
  return fmt::format("'{}...' ({} bytes)", s.substr(0, shown), s.size());
}

std::string check_name(std::string_view what, std::string_view name, size_t max_bytes) {
  if (name.empty())
    return fmt::format("the {} is empty", what);
  if (name.size() > max_bytes)
    return fmt::format("the {} {} is longer than the limit of {} bytes", what, quoted(name),
                       max_bytes);
  if (name.find('\0') != std::string_view::npos)
    return fmt::format("the {} {} holds a NUL byte", what, quoted(name));
  return {};
}

std::string check_time(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0)
    return fmt::format("the time {} is not a number of seconds since the epoch", seconds);
  return {};
}

std::string check_weight(std::string_view role, double weight) {
  if (auto why = check_name("role", role, max_name_bytes); !why.empty())
    return why;
  if (!std::isfinite(weight) || weight <= 0)
    return fmt::format("the weight {} of role {} is not a positive number", weight, quoted(role));
  return {};
}

std::string check_kv(std::string_view key, std::string_view value) {
  if (auto why = check_name("key", key, max_key_bytes); !why.empty())
    return why;
  if (value.size() > max_value_bytes)
    return fmt::format("the value for key {} is {} bytes, more than the limit of {} bytes on "
                       "one value",
                       quoted(key), value.size(), max_value_bytes);
  return {};
}

std::string info_size_problem(std::string_view type, uint64_t size_bytes, uint64_t limit_bytes) {
  if (size_bytes <= limit_bytes)
    return {};
  return fmt::format("the {} is {} bytes, more than the limit of {} bytes on one {}", type,
                     size_bytes, limit_bytes, type);
}

namespace {

// The bytes of one kind of record now.
uint64_t kind_bytes(const registry_state& s, record_kind kind) {
  switch (kind) {
    case record_kind::kv: return s.kv_bytes;
    case record_kind::framework: return s.frameworks_bytes;
    case record_kind::weight: return s.weights_bytes;
    case record_kind::agent: break;
  }
  return s.total_bytes - s.kv_bytes - s.frameworks_bytes - s.weights_bytes;
}

uint64_t* kind_counter(registry_state& s, record_kind kind) {
  switch (kind) {
    case record_kind::kv: return &s.kv_bytes;
    case record_kind::framework: return &s.frameworks_bytes;
    case record_kind::weight: return &s.weights_bytes;
    case record_kind::agent: break;
  }
  return nullptr;  // agents are what the others leave of total_bytes
}

} // namespace

std::string over_bounds(const registry_state& s, record_kind kind, uint64_t remove,
                        uint64_t add) {
  assert(remove <= kind_bytes(s, kind));
  uint64_t mine = kind_bytes(s, kind) - remove + add;
  switch (kind) {
    case record_kind::kv:
      // The store's own quota, apart from the rest: a full store refuses keys only.
      if (mine > max_kv_bytes)
        return fmt::format("the key-value store would hold {} bytes, more than its quota of {}",
                           mine, max_kv_bytes);
      return {};
    case record_kind::framework:
      if (mine > max_frameworks_bytes)
        return fmt::format("the frameworks would hold {} bytes, more than their share of {} "
                           "bytes of the registry",
                           mine, max_frameworks_bytes);
      break;
    case record_kind::weight:
      if (mine > max_weights_bytes)
        return fmt::format("the role weights would hold {} bytes, more than their share of {} "
                           "bytes of the registry",
                           mine, max_weights_bytes);
      break;
    case record_kind::agent: break;
  }
  uint64_t records = s.total_bytes - s.kv_bytes - remove + add;
  if (records > max_records_bytes)
    return fmt::format("the registry would hold {} bytes of agents, frameworks and weights, "
                       "more than {}",
                       records, max_records_bytes);
  return {};
}

void account(registry_state& s, record_kind kind, uint64_t remove, uint64_t add) {
  assert(remove <= kind_bytes(s, kind));
  s.total_bytes = s.total_bytes - remove + add;
  if (auto* counter = kind_counter(s, kind))
    *counter = *counter - remove + add;
  assert(s.kv_bytes + s.frameworks_bytes + s.weights_bytes <= s.total_bytes);
}

} // namespace registry_detail

using namespace registry_detail;

std::string weight_problem(std::string_view role, double weight) {
  return check_weight(role, weight);
}

std::string framework_info_problem(schema::FrameworkInfo::Reader info) {
  return info_size_problem("FrameworkInfo", info_bytes(info), max_framework_info_bytes);
}

std::string agent_info_problem(schema::AgentInfo::Reader info) {
  return info_size_problem("AgentInfo", info_bytes(info), max_agent_info_bytes);
}

std::string kv_key_problem(std::string_view key) {
  return check_name("key", key, max_key_bytes);
}

std::string kv_problem(std::string_view key, std::string_view value) {
  return check_kv(key, value);
}

namespace {

std::string operation_problem(schema::registry::Operation::Reader op) {
  using operation = schema::registry::Operation;
  switch (op.which()) {
    case operation::ADMIT_AGENT:
      return info_problem<schema::AgentInfo>(op.getAdmitAgent().getAgentInfo());
    case operation::ADD_FRAMEWORK:
      return info_problem<schema::FrameworkInfo>(op.getAddFramework().getFrameworkInfo());
    case operation::KV_SET:
      return check_kv(view(op.getKvSet().getKey()), view(op.getKvSet().getValue()));
    case operation::KV_DELETE: return check_name("key", view(op.getKvDelete().getKey()),
                                                 max_key_bytes);
    case operation::SET_WEIGHTS: {
      auto list = op.getSetWeights().getWeights();
      if (list.size() > max_weighted_roles)
        return fmt::format("{} roles, more than {}", list.size(), max_weighted_roles);
      for (auto w : list)
        if (auto why = check_weight(view(w.getRole()), w.getWeight()); !why.empty())
          return why;
      return {};
    }
    default:
      // The others store nothing new (a snapshot is checked as it loads).
      return {};
  }
}

} // namespace

std::string entry_problem(std::string_view entry) {
  std::string problem;
  auto why = with_operation(entry, [&](schema::registry::Operation::Reader op) {
    problem = operation_problem(op);
  });
  return why.empty() ? problem : why;
}

} // namespace cairn
