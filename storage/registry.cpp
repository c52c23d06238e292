#include "storage/registry.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>

#include <capnp/any.h>
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <fmt/format.h>
#include <kj/exception.h>

#include "runtime/errors.hpp"
#include "runtime/json.hpp"

namespace cairn {

namespace {

namespace sr = schema::registry;
using namespace registry_limits;
using result = registry::result;

result refused(std::string why) {
  assert(!why.empty());
  return {false, std::move(why), 0};
}

result done(uint64_t version = 0) {
  return {true, {}, version};
}

std::string_view view(capnp::Text::Reader text) {
  return {text.begin(), text.size()};
}

std::string_view view(capnp::Data::Reader data) {
  return {reinterpret_cast<const char*>(data.begin()), data.size()};
}

// Names from an entry go into error messages; a long one is cut.
std::string quoted(std::string_view s) {
  constexpr size_t shown = 64;
  if (s.size() <= shown)
    return fmt::format("'{}'", s);
  return fmt::format("'{}...' ({} bytes)", s.substr(0, shown), s.size());
}

// Why `name` cannot be an agent id, framework id, role or key; empty if it can.
std::string check_name(std::string_view what, std::string_view name, size_t max_bytes) {
  if (name.empty())
    return fmt::format("the {} is empty", what);
  if (name.size() > max_bytes)
    return fmt::format("the {} {} is longer than {} bytes", what, quoted(name), max_bytes);
  if (name.find('\0') != std::string_view::npos)
    return fmt::format("the {} {} holds a NUL byte", what, quoted(name));
  return {};
}

template <class Reader>
uint64_t info_record_bytes(Reader info) {
  return info.totalSize().wordCount * sizeof(capnp::word) + record_overhead_bytes;
}

uint64_t kv_record_bytes(std::string_view key, std::string_view value) {
  return key.size() + value.size() + record_overhead_bytes;
}

uint64_t weight_record_bytes(std::string_view role) {
  return role.size() + record_overhead_bytes;
}

// Why replacing a record of `remove` bytes by one of `add` would break a bound;
// empty if it would not.
std::string over_bounds(const registry_state& s, uint64_t remove, uint64_t add, bool kv) {
  assert(remove <= s.total_bytes);
  assert(!kv || remove <= s.kv_bytes);
  uint64_t total = s.total_bytes - remove + add;
  if (total > max_state_bytes)
    return fmt::format("the registry would hold {} bytes, more than {}", total, max_state_bytes);
  uint64_t kv_total = s.kv_bytes - (kv ? remove : 0) + (kv ? add : 0);
  if (kv_total > max_kv_bytes)
    return fmt::format("the key-value store would hold {} bytes, more than {}", kv_total,
                       max_kv_bytes);
  return {};
}

void account(registry_state& s, uint64_t remove, uint64_t add, bool kv) {
  assert(remove <= s.total_bytes);
  s.total_bytes = s.total_bytes - remove + add;
  if (kv)
    s.kv_bytes = s.kv_bytes - remove + add;
  assert(s.kv_bytes <= s.total_bytes);
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
checked_info<T> check_info(std::string_view what, typename T::Reader info) {
  checked_info<T> out;
  uint64_t size_bytes = info.totalSize().wordCount * sizeof(capnp::word);
  if (size_bytes > max_info_bytes) {
    out.error = fmt::format("the {} info of {} bytes is larger than {}", what, size_bytes,
                            max_info_bytes);
    return out;
  }
  out.id = std::string(view(info.getId().getValue()));
  out.error = check_name(fmt::format("{} id", what), out.id, max_name_bytes);
  if (!out.error.empty())
    return out;
  // A segment of just the right size: a registry holds up to 100,000 of these.
  wire_builder<T> copy(static_cast<unsigned>(size_bytes / sizeof(capnp::word) + 1));
  copy.message().setRoot(info);
  out.info = std::move(copy).finish();
  out.bytes = info_record_bytes(out.info.get());
  assert(out.info && out.bytes > record_overhead_bytes);
  return out;
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
    return fmt::format("the value of {} bytes for key {} is larger than {}", value.size(),
                       quoted(key), max_value_bytes);
  return {};
}

// -- snapshots: every record checked as the operations check it

std::string load_agents(registry_state& next, capnp::List<sr::Registry::Agent>::Reader list) {
  if (list.size() > max_agents)
    return fmt::format("{} agents, more than {}", list.size(), max_agents);
  for (auto a : list) {
    auto in = check_info<schema::AgentInfo>("agent", a.getInfo());
    if (!in.error.empty())
      return in.error;
    double since = a.getUnreachableSince();
    if (auto why = check_time(since); !why.empty())
      return "agent " + quoted(in.id) + ": " + why;
    if (a.getReachable() && since != 0)
      return "agent " + quoted(in.id) + " is reachable but unreachable since " +
             std::to_string(since);
    if (auto why = over_bounds(next, 0, in.bytes, false); !why.empty())
      return why;
    registered_agent agent{std::move(in.info), a.getReachable(), since};
    if (!next.agents.emplace(in.id, std::move(agent)).second)
      return "agent " + quoted(in.id) + " twice";
    account(next, 0, in.bytes, false);
  }
  return {};
}

std::string load_frameworks(registry_state& next,
                            capnp::List<sr::Registry::Framework>::Reader list) {
  if (list.size() > max_frameworks)
    return fmt::format("{} frameworks, more than {}", list.size(), max_frameworks);
  for (auto f : list) {
    auto in = check_info<schema::FrameworkInfo>("framework", f.getInfo());
    if (!in.error.empty())
      return in.error;
    if (auto why = over_bounds(next, 0, in.bytes, false); !why.empty())
      return why;
    if (!next.frameworks.emplace(in.id, std::move(in.info)).second)
      return "framework " + quoted(in.id) + " twice";
    account(next, 0, in.bytes, false);
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
    if (auto why = over_bounds(next, 0, bytes, false); !why.empty())
      return why;
    if (!next.weights.emplace(std::string(role), w.getWeight()).second)
      return "role " + quoted(role) + " twice";
    account(next, 0, bytes, false);
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
    if (auto why = over_bounds(next, 0, bytes, true); !why.empty())
      return why;
    if (!next.kv.emplace(std::string(key), kv_value{e.getVersion(), std::string(value)}).second)
      return "key " + quoted(key) + " twice";
    account(next, 0, bytes, true);
  }
  return {};
}

std::string to_string(capnp::MessageBuilder& message) {
  auto words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

capnp::Text::Reader text_of(const std::string& s) {
  return capnp::Text::Reader(s.c_str(), s.size());
}

capnp::Data::Reader data_of(std::string_view s) {
  return capnp::Data::Reader(reinterpret_cast<const kj::byte*>(s.data()), s.size());
}

template <class F>
std::string build_entry(F&& fill) {
  capnp::MallocMessageBuilder message;
  fill(message.initRoot<sr::Operation>());
  return to_string(message);
}

} // namespace

// -- applying entries

namespace {

// Reads one entry as an Operation and hands it to `use`; answers why not
// when the entry is not one ("" when `use` ran).
template <class Use>
std::string with_operation(std::string_view entry, Use&& use) {
  if (entry.empty())
    return "an empty entry";
  if (entry.size() > max_entry_bytes)
    return fmt::format("an entry of {} bytes, more than {}", entry.size(), max_entry_bytes);
  if (entry.size() % sizeof(capnp::word) != 0)
    return fmt::format("an entry of {} bytes is not whole words", entry.size());
  // Copied: the log's bytes need not be aligned as Cap'n Proto reads them.
  auto words = kj::heapArray<capnp::word>(entry.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), entry.data(), entry.size());
  try {
    capnp::ReaderOptions options;
    // Enough to check, read and copy each word a few times; a message whose
    // pointers overlap to make more of it runs out.
    options.traversalLimitInWords = words.size() * 8 + 1024;
    options.nestingLimit = limits::wire_max_nesting;
    capnp::FlatArrayMessageReader message(words, options);
    if (message.getEnd() != words.end())
      return fmt::format("{} words after the operation", words.end() - message.getEnd());
    auto op = message.getRoot<sr::Operation>();
    op.totalSize();  // walks the whole entry, bounds-checking every pointer
    use(op);
    return {};
  } catch (const kj::Exception& e) {
    return std::string("a malformed entry: ") + e.getDescription().cStr();
  }
}

} // namespace

registry::result registry::apply(std::string_view entry) {
  result r;
  auto why = with_operation(entry, [&](operation::Reader op) { r = apply(op); });
  return why.empty() ? r : refused(why);
}

std::string weight_problem(std::string_view role, double weight) {
  return check_weight(role, weight);
}

caf::expected<std::string> registry_json(std::string_view snapshot_entry) {
  std::string json;
  auto why = with_operation(snapshot_entry, [&](sr::Operation::Reader op) {
    if (op.isSnapshot())
      json = to_json(op.getSnapshot());
  });
  if (!why.empty())
    return make_error("the registry: " + why);
  if (json.empty())
    return make_error("the registry: the entry is not a snapshot");
  return json;
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
  auto in = check_info<schema::AgentInfo>("agent", op.getAgentInfo());
  if (!in.error.empty())
    return refused("admitAgent: " + in.error);
  auto found = state_.agents.find(in.id);
  bool known = found != state_.agents.end();
  if (!known && state_.agents.size() >= max_agents)
    return refused(fmt::format("admitAgent: {} agents are admitted, the most there may be",
                               max_agents));
  uint64_t old_bytes = known ? info_record_bytes(found->second.info.get()) : 0;
  if (auto why = over_bounds(state_, old_bytes, in.bytes, false); !why.empty())
    return refused("admitAgent: " + why);
  account(state_, old_bytes, in.bytes, false);
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
  account(state_, info_record_bytes(found->second.info.get()), 0, false);
  state_.agents.erase(found);
  assert(find_agent(id) == nullptr);
  return done();
}

registry::result registry::add_framework(operation::AddFramework::Reader op) {
  auto in = check_info<schema::FrameworkInfo>("framework", op.getFrameworkInfo());
  if (!in.error.empty())
    return refused("addFramework: " + in.error);
  auto found = state_.frameworks.find(in.id);
  bool known = found != state_.frameworks.end();
  if (!known && state_.frameworks.size() >= max_frameworks)
    return refused(fmt::format("addFramework: {} frameworks are added, the most there may be",
                               max_frameworks));
  uint64_t old_bytes = known ? info_record_bytes(found->second.get()) : 0;
  if (auto why = over_bounds(state_, old_bytes, in.bytes, false); !why.empty())
    return refused("addFramework: " + why);
  account(state_, old_bytes, in.bytes, false);
  state_.frameworks[in.id] = std::move(in.info);
  assert(state_.frameworks.size() <= max_frameworks);
  return done();
}

registry::result registry::remove_framework(operation::RemoveFramework::Reader op) {
  auto id = view(op.getFrameworkId().getValue());
  auto found = state_.frameworks.find(id);
  if (found == state_.frameworks.end())
    return refused("removeFramework: framework " + quoted(id) + " is not known");
  account(state_, info_record_bytes(found->second.get()), 0, false);
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
  if (auto why = over_bounds(state_, 0, add_bytes, false); !why.empty())
    return refused("setWeights: " + why);
  size_t before = state_.weights.size();
  for (auto& [role, weight] : in)
    state_.weights[role] = weight;
  account(state_, 0, add_bytes, false);
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
  if (auto why = over_bounds(state_, old_bytes, new_bytes, true); !why.empty())
    return refused("kvSet: " + why);
  account(state_, old_bytes, new_bytes, true);
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
  account(state_, kv_record_bytes(key, found->second.value), 0, true);
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
  assert(state_.kv_bytes <= max_kv_bytes && state_.kv_bytes <= state_.total_bytes);
  assert(state_.total_bytes <= max_state_bytes);
  [[maybe_unused]] size_t records = state_.agents.size() + state_.frameworks.size() +
                                    state_.weights.size() + state_.kv.size();
  assert(state_.total_bytes >= records * record_overhead_bytes);
  assert(state_.kv_bytes >= state_.kv.size() * record_overhead_bytes);
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
  return s.total_bytes == t.total_bytes && s.kv_bytes == t.kv_bytes && s.weights == t.weights &&
         std::equal(s.agents.begin(), s.agents.end(), t.agents.begin(), t.agents.end(),
                    same_agent) &&
         std::equal(s.frameworks.begin(), s.frameworks.end(), t.frameworks.begin(),
                    t.frameworks.end(), same_framework) &&
         std::equal(s.kv.begin(), s.kv.end(), t.kv.begin(), t.kv.end(), same_kv);
}

// -- entries

std::string admit_agent_entry(schema::AgentInfo::Reader info) {
  return build_entry([&](sr::Operation::Builder op) { op.initAdmitAgent().setAgentInfo(info); });
}

std::string mark_unreachable_entry(std::string_view agent_id, double time_seconds) {
  return build_entry([&](sr::Operation::Builder op) {
    auto m = op.initMarkUnreachable();
    m.initAgentId().setValue(text_of(std::string(agent_id)));
    m.setTime(time_seconds);
  });
}

std::string mark_reachable_entry(std::string_view agent_id) {
  return build_entry([&](sr::Operation::Builder op) {
    op.initMarkReachable().initAgentId().setValue(text_of(std::string(agent_id)));
  });
}

std::string remove_agent_entry(std::string_view agent_id) {
  return build_entry([&](sr::Operation::Builder op) {
    op.initRemoveAgent().initAgentId().setValue(text_of(std::string(agent_id)));
  });
}

std::string add_framework_entry(schema::FrameworkInfo::Reader info) {
  return build_entry(
    [&](sr::Operation::Builder op) { op.initAddFramework().setFrameworkInfo(info); });
}

std::string remove_framework_entry(std::string_view framework_id) {
  return build_entry([&](sr::Operation::Builder op) {
    op.initRemoveFramework().initFrameworkId().setValue(text_of(std::string(framework_id)));
  });
}

std::string set_weights_entry(const std::vector<std::pair<std::string, double>>& weights) {
  return build_entry([&](sr::Operation::Builder op) {
    auto list = op.initSetWeights().initWeights(weights.size());
    for (size_t i = 0; i < weights.size(); ++i) {
      list[i].setRole(text_of(weights[i].first));
      list[i].setWeight(weights[i].second);
    }
  });
}

std::string kv_set_entry(std::string_view key, std::string_view value,
                         std::optional<uint64_t> expected_version) {
  return build_entry([&](sr::Operation::Builder op) {
    auto s = op.initKvSet();
    s.setKey(text_of(std::string(key)));
    s.setValue(data_of(value));
    s.setExpectedVersion(expected_version.value_or(0));
    s.setAnyVersion(!expected_version);
  });
}

std::string kv_delete_entry(std::string_view key, std::optional<uint64_t> expected_version) {
  return build_entry([&](sr::Operation::Builder op) {
    auto d = op.initKvDelete();
    d.setKey(text_of(std::string(key)));
    d.setExpectedVersion(expected_version.value_or(0));
    d.setAnyVersion(!expected_version);
  });
}

} // namespace cairn
