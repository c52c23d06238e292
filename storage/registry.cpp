#include "storage/registry.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

#include <capnp/any.h>
#include <fmt/format.h>

#include "storage/registry_checks.hpp"

namespace cairn {

namespace {

namespace sr = schema::registry;
using namespace registry_detail;
using result = registry::result;

result refused(std::string why) {
  assert(!why.empty());
  return {false, std::move(why), 0};
}

result done(uint64_t version = 0) {
  return {true, {}, version};
}

// An agent's or framework's info from an entry, checked and copied.
template <class T>
struct checked_info {
  std::string error;  // empty when the info may be kept
  std::string id;
  wire<T> info;
  uint64_t bytes = 0;  // as the bounds count it
};

template <class T>
checked_info<T> check_info(typename T::Reader info) {
  checked_info<T> out;
  out.error = info_problem<T>(info);
  if (!out.error.empty())
    return out;
  out.id = std::string(view(info.getId().getValue()));
  // A segment of just the right size: a registry holds up to 100,000 of these.
  wire_builder<T> copy(static_cast<unsigned>(info_bytes(info) / sizeof(capnp::word) + 1));
  copy.message().setRoot(info);
  out.info = std::move(copy).finish();
  out.bytes = info_record_bytes(out.info.get());
  assert(out.info && out.bytes > record_overhead_bytes);
  return out;
}

// -- snapshots: every record checked as the operations check it

std::string load_agents(registry_state& next, capnp::List<sr::Registry::Agent>::Reader list) {
  if (list.size() > max_agents)
    return fmt::format("{} agents, more than {}", list.size(), max_agents);
  for (auto a : list) {
    auto in = check_info<schema::AgentInfo>(a.getInfo());
    if (!in.error.empty())
      return in.error;
    double since = a.getUnreachableSince();
    if (auto why = check_time(since); !why.empty())
      return "agent " + quoted(in.id) + ": " + why;
    if (a.getReachable() && since != 0)
      return "agent " + quoted(in.id) + " is reachable but unreachable since " +
             std::to_string(since);
    if (auto why = over_bounds(next, record_kind::agent, 0, in.bytes); !why.empty())
      return why;
    registered_agent agent{std::move(in.info), a.getReachable(), since};
    if (!next.agents.emplace(in.id, std::move(agent)).second)
      return "agent " + quoted(in.id) + " twice";
    account(next, record_kind::agent, 0, in.bytes);
  }
  return {};
}

std::string load_frameworks(registry_state& next,
                            capnp::List<sr::Registry::Framework>::Reader list) {
  if (list.size() > max_frameworks)
    return fmt::format("{} frameworks, more than {}", list.size(), max_frameworks);
  for (auto f : list) {
    auto in = check_info<schema::FrameworkInfo>(f.getInfo());
    if (!in.error.empty())
      return in.error;
    if (auto why = over_bounds(next, record_kind::framework, 0, in.bytes); !why.empty())
      return why;
    if (!next.frameworks.emplace(in.id, std::move(in.info)).second)
      return "framework " + quoted(in.id) + " twice";
    account(next, record_kind::framework, 0, in.bytes);
  }
  return {};
}

std::string load_weights(registry_state& next, capnp::List<schema::WeightInfo>::Reader list) {
  if (list.size() > max_weighted_roles)
    return fmt::format("{} weighted roles, more than {}", list.size(), max_weighted_roles);
  for (auto w : list) {
    auto role = view(w.getRole());
    if (auto why = check_weight(role, w.getWeight()); !why.empty())
      return why;
    uint64_t bytes = weight_record_bytes(role);
    if (auto why = over_bounds(next, record_kind::weight, 0, bytes); !why.empty())
      return why;
    if (!next.weights.emplace(std::string(role), w.getWeight()).second)
      return "role " + quoted(role) + " twice";
    account(next, record_kind::weight, 0, bytes);
  }
  return {};
}

std::string load_kv(registry_state& next, capnp::List<sr::Registry::KvEntry>::Reader list) {
  if (list.size() > max_keys)
    return fmt::format("{} keys, more than {}", list.size(), max_keys);
  for (auto e : list) {
    auto key = view(e.getKey());
    auto value = view(e.getValue());
    if (auto why = check_kv(key, value); !why.empty())
      return why;
    if (e.getVersion() == 0)
      return "key " + quoted(key) + " at version 0";
    uint64_t bytes = kv_record_bytes(key, value);
    if (auto why = over_bounds(next, record_kind::kv, 0, bytes); !why.empty())
      return why;
    if (!next.kv.emplace(std::string(key), kv_value{e.getVersion(), std::string(value)}).second)
      return "key " + quoted(key) + " twice";
    account(next, record_kind::kv, 0, bytes);
  }
  return {};
}

} // namespace

// -- applying entries

registry::result registry::apply(std::string_view entry) {
  result r;
  auto why = with_operation(entry, [&](operation::Reader op) { r = apply(op); });
  return why.empty() ? r : refused(why);
}

registry::result registry::apply(operation::Reader op) {
  result r;
  try {
    switch (op.which()) {
      case operation::ADMIT_AGENT: r = admit_agent(op.getAdmitAgent()); break;
      case operation::MARK_UNREACHABLE: r = mark_unreachable(op.getMarkUnreachable()); break;
      case operation::MARK_REACHABLE: r = mark_reachable(op.getMarkReachable()); break;
      case operation::REMOVE_AGENT: r = remove_agent(op.getRemoveAgent()); break;
      case operation::ADD_FRAMEWORK: r = add_framework(op.getAddFramework()); break;
      case operation::REMOVE_FRAMEWORK: r = remove_framework(op.getRemoveFramework()); break;
      case operation::SET_WEIGHTS: r = set_weights(op.getSetWeights()); break;
      case operation::KV_SET: r = kv_set(op.getKvSet()); break;
      case operation::KV_DELETE: r = kv_delete(op.getKvDelete()); break;
      case operation::SNAPSHOT: r = load(op.getSnapshot()); break;
      default:
        return refused(fmt::format("an unknown operation ({})", static_cast<int>(op.which())));
    }
  } catch (const kj::Exception& e) {
    // Thrown while reading the entry, before anything changed.
    r = refused(std::string("a malformed operation: ") + e.getDescription().cStr());
  }
  assert(r.ok == r.error.empty());
  check_invariants();
  return r;
}

registry::result registry::admit_agent(operation::AdmitAgent::Reader op) {
  auto in = check_info<schema::AgentInfo>(op.getAgentInfo());
  if (!in.error.empty())
    return refused("admitAgent: " + in.error);
  auto found = state_.agents.find(in.id);
  bool known = found != state_.agents.end();
  if (!known && state_.agents.size() >= max_agents)
    return refused(fmt::format("admitAgent: {} agents are admitted, the most there may be",
                               max_agents));
  uint64_t old_bytes = known ? info_record_bytes(found->second.info.get()) : 0;
  if (auto why = over_bounds(state_, record_kind::agent, old_bytes, in.bytes); !why.empty())
    return refused("admitAgent: " + why);
  account(state_, record_kind::agent, old_bytes, in.bytes);
  state_.agents[in.id] = registered_agent{std::move(in.info), true, 0};
  assert(state_.agents.size() <= max_agents);
  return done();
}

registry::result registry::mark_unreachable(operation::MarkUnreachable::Reader op) {
  auto id = view(op.getAgentId().getValue());
  double time = op.getTime();
  if (auto why = check_time(time); !why.empty())
    return refused("markUnreachable: " + why);
  auto found = state_.agents.find(id);
  if (found == state_.agents.end())
    return refused("markUnreachable: agent " + quoted(id) + " is not admitted");
  auto& agent = found->second;
  // Marked again (a new leader deciding again): unreachable since the first time.
  if (agent.reachable) {
    agent.reachable = false;
    agent.unreachable_since_seconds = time;
  }
  assert(!agent.reachable && std::isfinite(agent.unreachable_since_seconds));
  return done();
}

registry::result registry::mark_reachable(operation::MarkReachable::Reader op) {
  auto id = view(op.getAgentId().getValue());
  auto found = state_.agents.find(id);
  if (found == state_.agents.end())
    return refused("markReachable: agent " + quoted(id) + " is not admitted");
  found->second.reachable = true;
  found->second.unreachable_since_seconds = 0;
  assert(find_agent(id) == &found->second && found->second.reachable);
  return done();
}

registry::result registry::remove_agent(operation::RemoveAgent::Reader op) {
  auto id = view(op.getAgentId().getValue());
  auto found = state_.agents.find(id);
  if (found == state_.agents.end())
    return refused("removeAgent: agent " + quoted(id) + " is not admitted");
  account(state_, record_kind::agent, info_record_bytes(found->second.info.get()), 0);
  state_.agents.erase(found);
  assert(find_agent(id) == nullptr);
  return done();
}

registry::result registry::add_framework(operation::AddFramework::Reader op) {
  auto in = check_info<schema::FrameworkInfo>(op.getFrameworkInfo());
  if (!in.error.empty())
    return refused("addFramework: " + in.error);
  auto found = state_.frameworks.find(in.id);
  bool known = found != state_.frameworks.end();
  if (!known && state_.frameworks.size() >= max_frameworks)
    return refused(fmt::format("addFramework: {} frameworks are added, the most there may be",
                               max_frameworks));
  uint64_t old_bytes = known ? info_record_bytes(found->second.get()) : 0;
  if (auto why = over_bounds(state_, record_kind::framework, old_bytes, in.bytes);
      !why.empty())
    return refused("addFramework: " + why);
  account(state_, record_kind::framework, old_bytes, in.bytes);
  state_.frameworks[in.id] = std::move(in.info);
  assert(state_.frameworks.size() <= max_frameworks);
  return done();
}

registry::result registry::remove_framework(operation::RemoveFramework::Reader op) {
  auto id = view(op.getFrameworkId().getValue());
  auto found = state_.frameworks.find(id);
  if (found == state_.frameworks.end())
    return refused("removeFramework: framework " + quoted(id) + " is not known");
  account(state_, record_kind::framework, info_record_bytes(found->second.get()), 0);
  state_.frameworks.erase(found);
  assert(find_framework(id) == nullptr);
  return done();
}

registry::result registry::set_weights(operation::SetWeights::Reader op) {
  auto list = op.getWeights();
  if (list.size() == 0)
    return refused("setWeights: no roles");
  if (list.size() > max_weighted_roles)
    return refused(fmt::format("setWeights: {} roles, more than {}", list.size(),
                               max_weighted_roles));
  std::vector<std::pair<std::string, double>> in;
  in.reserve(list.size());
  for (auto w : list) {
    if (auto why = check_weight(view(w.getRole()), w.getWeight()); !why.empty())
      return refused("setWeights: " + why);
    in.emplace_back(std::string(view(w.getRole())), w.getWeight());
  }
  std::sort(in.begin(), in.end());
  uint64_t add_bytes = 0;
  size_t added = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    if (i > 0 && in[i].first == in[i - 1].first)
      return refused("setWeights: role " + quoted(in[i].first) + " twice");
    if (state_.weights.count(in[i].first) == 0) {
      ++added;
      add_bytes += weight_record_bytes(in[i].first);
    }
  }
  if (state_.weights.size() + added > max_weighted_roles)
    return refused(fmt::format("setWeights: more than {} weighted roles", max_weighted_roles));
  if (auto why = over_bounds(state_, record_kind::weight, 0, add_bytes); !why.empty())
    return refused("setWeights: " + why);
  size_t before = state_.weights.size();
  for (auto& [role, weight] : in)
    state_.weights[role] = weight;
  account(state_, record_kind::weight, 0, add_bytes);
  assert(state_.weights.size() == before + added);
  return done();
}

registry::result registry::kv_set(operation::KvSet::Reader op) {
  auto key = view(op.getKey());
  auto value = view(op.getValue());
  if (auto why = check_kv(key, value); !why.empty())
    return refused("kvSet: " + why);
  auto found = state_.kv.find(key);
  bool exists = found != state_.kv.end();
  uint64_t current = exists ? found->second.version : 0;
  if (!op.getAnyVersion() && op.getExpectedVersion() != current)
    return refused(fmt::format("kvSet: key {} is at version {}, not {}", quoted(key), current,
                               op.getExpectedVersion()));
  if (current == std::numeric_limits<uint64_t>::max())
    return refused("kvSet: key " + quoted(key) + " is at the last version");
  if (!exists && state_.kv.size() >= max_keys)
    return refused(fmt::format("kvSet: {} keys are stored, the most there may be", max_keys));
  uint64_t old_bytes = exists ? kv_record_bytes(key, found->second.value) : 0;
  uint64_t new_bytes = kv_record_bytes(key, value);
  if (auto why = over_bounds(state_, record_kind::kv, old_bytes, new_bytes); !why.empty())
    return refused("kvSet: " + why);
  account(state_, record_kind::kv, old_bytes, new_bytes);
  kv_value next{current + 1, std::string(value)};
  if (exists)
    found->second = std::move(next);
  else
    state_.kv.emplace(std::string(key), std::move(next));
  assert(kv_get(key).version == current + 1 && state_.kv.size() <= max_keys);
  return done(current + 1);
}

registry::result registry::kv_delete(operation::KvDelete::Reader op) {
  auto key = view(op.getKey());
  if (auto why = check_name("key", key, max_key_bytes); !why.empty())
    return refused("kvDelete: " + why);
  auto found = state_.kv.find(key);
  if (found == state_.kv.end())
    return refused("kvDelete: key " + quoted(key) + " does not exist");
  uint64_t current = found->second.version;
  assert(current > 0);
  if (!op.getAnyVersion() && op.getExpectedVersion() != current)
    return refused(fmt::format("kvDelete: key {} is at version {}, not {}", quoted(key),
                               current, op.getExpectedVersion()));
  account(state_, record_kind::kv, kv_record_bytes(key, found->second.value), 0);
  state_.kv.erase(found);
  assert(kv_get(key).version == 0);
  return done(0);
}

registry::result registry::load(schema::registry::Registry::Reader snap) {
  registry_state next;
  std::string why = load_agents(next, snap.getAgents());
  if (why.empty())
    why = load_frameworks(next, snap.getFrameworks());
  if (why.empty())
    why = load_weights(next, snap.getWeights());
  if (why.empty())
    why = load_kv(next, snap.getKv());
  if (!why.empty())
    return refused("snapshot: " + why);
  assert(next.agents.size() == snap.getAgents().size());
  assert(next.kv.size() == snap.getKv().size());
  state_ = std::move(next);
  return done();
}

void registry::check_invariants() const {
  assert(state_.agents.size() <= max_agents);
  assert(state_.frameworks.size() <= max_frameworks);
  assert(state_.weights.size() <= max_weighted_roles);
  assert(state_.kv.size() <= max_keys);
  assert(state_.kv_bytes <= max_kv_bytes);
  assert(state_.frameworks_bytes <= max_frameworks_bytes);
  assert(state_.weights_bytes <= max_weights_bytes);
  assert(state_.kv_bytes + state_.frameworks_bytes + state_.weights_bytes <= state_.total_bytes);
  assert(state_.total_bytes - state_.kv_bytes <= max_records_bytes);
  assert(state_.total_bytes <= max_state_bytes);
  [[maybe_unused]] size_t records = state_.agents.size() + state_.frameworks.size() +
                                    state_.weights.size() + state_.kv.size();
  assert(state_.total_bytes >= records * record_overhead_bytes);
  assert(state_.kv_bytes >= state_.kv.size() * record_overhead_bytes);
  assert(state_.frameworks_bytes >= state_.frameworks.size() * record_overhead_bytes);
  assert(state_.weights_bytes >= state_.weights.size() * record_overhead_bytes);
}

// -- snapshots

std::string registry::snapshot() const {
  // One segment that fits the whole state (the bounds' count exceeds it).
  uint64_t words = std::min<uint64_t>(state_.total_bytes / sizeof(capnp::word) + 1024,
                                      max_entry_bytes / sizeof(capnp::word));
  capnp::MallocMessageBuilder message(static_cast<unsigned>(words));
  auto snap = message.initRoot<sr::Operation>().initSnapshot();
  auto agents = snap.initAgents(state_.agents.size());
  size_t i = 0;
  for (auto& [id, agent] : state_.agents) {
    agents[i].setInfo(agent.info.get());
    agents[i].setReachable(agent.reachable);
    agents[i++].setUnreachableSince(agent.unreachable_since_seconds);
  }
  auto frameworks = snap.initFrameworks(state_.frameworks.size());
  i = 0;
  for (auto& [id, info] : state_.frameworks)
    frameworks[i++].setInfo(info.get());
  auto weights = snap.initWeights(state_.weights.size());
  i = 0;
  for (auto& [role, weight] : state_.weights) {
    weights[i].setRole(text_of(role));
    weights[i++].setWeight(weight);
  }
  auto kv = snap.initKv(state_.kv.size());
  i = 0;
  for (auto& [key, entry] : state_.kv) {
    kv[i].setKey(text_of(key));
    kv[i].setVersion(entry.version);
    kv[i++].setValue(data_of(entry.value));
  }
  auto out = to_string(message);
  assert(out.size() <= max_entry_bytes);
  assert(out.size() % sizeof(capnp::word) == 0);
  return out;
}

// -- views

const registered_agent* registry::find_agent(std::string_view id) const {
  auto found = state_.agents.find(id);
  return found == state_.agents.end() ? nullptr : &found->second;
}

const wire<schema::FrameworkInfo>* registry::find_framework(std::string_view id) const {
  auto found = state_.frameworks.find(id);
  return found == state_.frameworks.end() ? nullptr : &found->second;
}

kv_value registry::kv_get(std::string_view key) const {
  auto found = state_.kv.find(key);
  return found == state_.kv.end() ? kv_value{} : found->second;
}

std::vector<std::string> registry::kv_list(std::string_view prefix, std::string_view after,
                                           size_t max_keys) const {
  max_keys = std::min(max_keys, max_kv_list_keys);
  auto it = after < prefix ? state_.kv.lower_bound(prefix) : state_.kv.upper_bound(after);
  std::vector<std::string> out;
  for (; it != state_.kv.end() && out.size() < max_keys; ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0)
      break;
    out.push_back(it->first);
  }
  assert(out.size() <= max_kv_list_keys);
  return out;
}

bool operator==(const registry& a, const registry& b) {
  auto same_info = [](auto x, auto y) {
    return capnp::AnyStruct::Reader(x) == capnp::AnyStruct::Reader(y);
  };
  auto same_agent = [&](const auto& x, const auto& y) {
    return x.first == y.first && x.second.reachable == y.second.reachable &&
           x.second.unreachable_since_seconds == y.second.unreachable_since_seconds &&
           same_info(x.second.info.get(), y.second.info.get());
  };
  auto same_framework = [&](const auto& x, const auto& y) {
    return x.first == y.first && same_info(x.second.get(), y.second.get());
  };
  auto same_kv = [](const auto& x, const auto& y) {
    return x.first == y.first && x.second.version == y.second.version &&
           x.second.value == y.second.value;
  };
  const auto& s = a.state_;
  const auto& t = b.state_;
  return s.total_bytes == t.total_bytes && s.kv_bytes == t.kv_bytes &&
         s.frameworks_bytes == t.frameworks_bytes && s.weights_bytes == t.weights_bytes &&
         s.weights == t.weights &&
         std::equal(s.agents.begin(), s.agents.end(), t.agents.begin(), t.agents.end(),
                    same_agent) &&
         std::equal(s.frameworks.begin(), s.frameworks.end(), t.frameworks.begin(),
                    t.frameworks.end(), same_framework) &&
         std::equal(s.kv.begin(), s.kv.end(), t.kv.begin(), t.kv.end(), same_kv);
}

} // namespace cairn
