// The registry applies each operation, refuses bad entries unchanged, keeps shares, replays alike.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <capnp/message.h>
#include <capnp/serialize.h>

#include "actors/resources/convert.hpp"
#include "actors/resources/parse.hpp"
#include "storage/registry.hpp"

using namespace cairn;
namespace rl = cairn::registry_limits;
namespace sr = cairn::schema::registry;

namespace {

capnp::Text::Reader txt(const std::string& s) {
  return capnp::Text::Reader(s.c_str(), s.size());
}

wire<schema::AgentInfo> agent_info(const std::string& id, const std::string& hostname = "h") {
  return make_wire<schema::AgentInfo>([&](schema::AgentInfo::Builder a) {
    a.setHostname(txt(hostname));
    a.setPort(5051);
    if (!id.empty())
      a.initId().setValue(txt(id));
    auto r = a.initResources(1);
    r[0].setName("cpus");
  });
}

wire<schema::FrameworkInfo> framework_info(const std::string& id, const std::string& name = "n") {
  return make_wire<schema::FrameworkInfo>([&](schema::FrameworkInfo::Builder f) {
    f.setUser("u");
    f.setName(txt(name));
    if (!id.empty())
      f.initId().setValue(txt(id));
    f.initRoles(1).set(0, "r");
  });
}

std::string admit(const std::string& id, const std::string& hostname = "h") {
  return admit_agent_entry(*agent_info(id, hostname));
}

std::string add_framework(const std::string& id, const std::string& name = "n") {
  return add_framework_entry(*framework_info(id, name));
}

registry::result must_apply(registry& r, const std::string& entry) {
  auto res = r.apply(entry);
  INFO(res.error);
  REQUIRE(res.ok);
  CHECK(res.error.empty());
  return res;
}

// Refused with a reason, and nothing changed.
void refused(registry& r, const std::string& entry, const std::string& reason_part = "") {
  auto before = r.snapshot();
  auto bytes_before = r.state_bytes();
  auto res = r.apply(entry);
  CHECK_FALSE(res.ok);
  CHECK_FALSE(res.error.empty());
  if (!reason_part.empty()) {
    INFO(res.error);
    CHECK(res.error.find(reason_part) != std::string::npos);
  }
  CHECK(r.snapshot() == before);
  CHECK(r.state_bytes() == bytes_before);
}

std::string hostname_of(const registry& r, const std::string& id) {
  auto a = r.find_agent(id);
  REQUIRE(a != nullptr);
  return a->info->getHostname().cStr();
}

} // namespace

TEST_CASE("agents are admitted, marked unreachable and reachable, and removed") {
  registry r;
  must_apply(r, admit("a1", "h1"));
  must_apply(r, admit("a2", "h2"));
  REQUIRE(r.agents().size() == 2);
  CHECK(hostname_of(r, "a1") == "h1");
  CHECK(r.find_agent("a1")->reachable);
  CHECK(r.find_agent("a1")->info->getId().getValue() == "a1");

  must_apply(r, mark_unreachable_entry("a1", 100));
  CHECK_FALSE(r.find_agent("a1")->reachable);
  CHECK(r.find_agent("a1")->unreachable_since_seconds == 100);
  // Marked again: unreachable since the first time.
  must_apply(r, mark_unreachable_entry("a1", 200));
  CHECK(r.find_agent("a1")->unreachable_since_seconds == 100);

  must_apply(r, mark_reachable_entry("a1"));
  CHECK(r.find_agent("a1")->reachable);
  CHECK(r.find_agent("a1")->unreachable_since_seconds == 0);
  must_apply(r, mark_reachable_entry("a1"));  // already reachable: no change

  // Admitted again while unreachable: the new info, and reachable.
  must_apply(r, mark_unreachable_entry("a2", 5));
  must_apply(r, admit("a2", "h2-new"));
  CHECK(hostname_of(r, "a2") == "h2-new");
  CHECK(r.find_agent("a2")->reachable);
  CHECK(r.agents().size() == 2);

  must_apply(r, remove_agent_entry("a1"));
  CHECK(r.find_agent("a1") == nullptr);
  CHECK(r.agents().size() == 1);
}

TEST_CASE("agent operations that name no admitted agent, or say nonsense, are refused") {
  registry r;
  must_apply(r, admit("a1"));
  refused(r, mark_unreachable_entry("nope", 1), "not admitted");
  refused(r, mark_reachable_entry("nope"), "not admitted");
  refused(r, remove_agent_entry("nope"), "not admitted");
  refused(r, admit(""), "agent id is empty");
  refused(r, admit(std::string(rl::max_name_bytes + 1, 'x')), "longer than");
  refused(r, admit(std::string("a\0b", 3)), "NUL");
  refused(r, mark_unreachable_entry("a1", -1), "seconds");
  refused(r, mark_unreachable_entry("a1", std::nan("")), "seconds");
  refused(r, mark_unreachable_entry("a1", INFINITY), "seconds");
  refused(r, admit("a2", std::string(rl::max_agent_info_bytes, 'h')), "limit of");
  must_apply(r, remove_agent_entry("a1"));
  refused(r, remove_agent_entry("a1"), "not admitted");
}

TEST_CASE("frameworks are added, replaced and removed") {
  registry r;
  must_apply(r, add_framework("f1", "one"));
  must_apply(r, add_framework("f2", "two"));
  must_apply(r, add_framework("f1", "uno"));
  REQUIRE(r.frameworks().size() == 2);
  CHECK((*r.find_framework("f1"))->getName() == "uno");
  CHECK((*r.find_framework("f1"))->getRoles()[0] == "r");
  must_apply(r, remove_framework_entry("f1"));
  CHECK(r.find_framework("f1") == nullptr);
  refused(r, remove_framework_entry("f1"), "not known");
  refused(r, add_framework(""), "framework id is empty");
  CHECK(r.frameworks().size() == 1);
}

TEST_CASE("weights are set per role, and nonsense weights are refused") {
  registry r;
  must_apply(r, set_weights_entry({{"a", 2}, {"b", 0.5}}));
  must_apply(r, set_weights_entry({{"b", 3}}));
  CHECK(r.weights() == registry_map<double>{{"a", 2}, {"b", 3}});
  refused(r, set_weights_entry({}), "no roles");
  refused(r, set_weights_entry({{"c", 1}, {"c", 2}}), "twice");
  refused(r, set_weights_entry({{"c", 0}}), "positive");
  refused(r, set_weights_entry({{"c", -1}}), "positive");
  refused(r, set_weights_entry({{"c", std::nan("")}}), "positive");
  refused(r, set_weights_entry({{"", 1}}), "role is empty");
  // One bad role refuses the whole operation.
  refused(r, set_weights_entry({{"a", 7}, {"c", -1}}));
  CHECK(r.weights().at("a") == 2);
}

TEST_CASE("kv: compare-and-set, any version, delete and recreate") {
  registry r;
  CHECK(r.kv_get("k").version == 0);
  CHECK(must_apply(r, kv_set_entry("k", "v1", 0)).version == 1);
  refused(r, kv_set_entry("k", "x", 0), "at version 1, not 0");
  CHECK(must_apply(r, kv_set_entry("k", "v2", 1)).version == 2);
  refused(r, kv_set_entry("k", "x", 1), "at version 2, not 1");
  refused(r, kv_set_entry("k", "x", 5));
  CHECK(must_apply(r, kv_set_entry("k", "v3", any_version)).version == 3);
  CHECK(r.kv_get("k").version == 3);
  CHECK(r.kv_get("k").value == "v3");

  refused(r, kv_delete_entry("k", 2), "at version 3, not 2");
  refused(r, kv_delete_entry("other", any_version), "does not exist");
  refused(r, kv_delete_entry("other", 0), "does not exist");
  CHECK(must_apply(r, kv_delete_entry("k", 3)).version == 0);
  CHECK(r.kv_get("k").version == 0);
  CHECK(r.kv_get("k").value.empty());
  refused(r, kv_delete_entry("k", any_version), "does not exist");

  // Recreated: versions start again at 1.
  refused(r, kv_set_entry("k", "x", 3));
  CHECK(must_apply(r, kv_set_entry("k", "again", 0)).version == 1);
  CHECK(must_apply(r, kv_delete_entry("k", any_version)).version == 0);
  CHECK(must_apply(r, kv_set_entry("k", "", any_version)).version == 1);
  CHECK(r.kv_get("k").value.empty());

  // Values are bytes, NULs and all.
  std::string binary("\0\1\2\xff", 4);
  must_apply(r, kv_set_entry("bin", binary, 0));
  CHECK(r.kv_get("bin").value == binary);
  CHECK(r.kv_size() == 2);
}

TEST_CASE("kv: keys are listed by prefix, in order, a page at a time") {
  registry r;
  for (auto k : {"a/3", "a/1", "b/1", "a/2", "a", "ab"})
    must_apply(r, kv_set_entry(k, "v", 0));
  using keys = std::vector<std::string>;
  CHECK(r.kv_list("a/") == keys{"a/1", "a/2", "a/3"});
  CHECK(r.kv_list("a/", "", 2) == keys{"a/1", "a/2"});
  CHECK(r.kv_list("a/", "a/2", 2) == keys{"a/3"});
  CHECK(r.kv_list("a/", "a/3").empty());
  CHECK(r.kv_list("a/", "zzz").empty());
  CHECK(r.kv_list("a") == keys{"a", "a/1", "a/2", "a/3", "ab"});
  CHECK(r.kv_list("") == keys{"a", "a/1", "a/2", "a/3", "ab", "b/1"});
  CHECK(r.kv_list("c").empty());
  // `after` before the prefix starts at the prefix.
  CHECK(r.kv_list("b", "a") == keys{"b/1"});

  // One answer holds at most max_kv_list_keys, whatever is asked for.
  for (size_t i = 0; i < rl::max_kv_list_keys + 5; ++i)
    must_apply(r, kv_set_entry("many/" + std::to_string(1000000 + i), "", 0));
  auto page = r.kv_list("many/", "", 1'000'000);
  CHECK(page.size() == rl::max_kv_list_keys);
  CHECK(r.kv_list("many/", page.back(), 1'000'000).size() == 5);
}

TEST_CASE("malformed entries are refused without change") {
  registry r;
  must_apply(r, admit("a1"));
  must_apply(r, kv_set_entry("k", "v", 0));
  auto good = kv_set_entry("k", "w", 1);

  refused(r, "", "empty");
  refused(r, "abc", "whole words");
  refused(r, good.substr(0, good.size() - 8), "malformed");
  refused(r, good.substr(0, good.size() - 3), "whole words");
  refused(r, good.substr(0, 8), "malformed");
  refused(r, good + std::string(8, '\0'), "after the operation");
  refused(r, std::string(rl::max_entry_bytes + 8, '\0'), "more than");

  std::mt19937_64 rng(42);
  for (size_t size : {8, 16, 24, 64, 256, 4096}) {
    for (int round = 0; round < 50; ++round) {
      std::string noise(size, '\0');
      for (auto& c : noise)
        c = static_cast<char>(rng());
      refused(r, noise);
    }
  }

  // An operation this build does not know: the union's tag, in the root
  // struct's data section just after the segment table and root pointer.
  auto unknown = kv_set_entry("k", "w", 1);
  REQUIRE(unknown.size() > 18);
  uint16_t tag = 99;
  std::memcpy(&unknown[16], &tag, sizeof(tag));
  refused(r, unknown, "unknown operation");

  // Every byte of a good entry changed: either still an operation, or refused
  // without change; never a crash.
  for (size_t i = 0; i < good.size(); ++i) {
    registry copy = r;
    auto bad = good;
    bad[i] = static_cast<char>(bad[i] ^ static_cast<char>(1 + rng() % 255));
    auto before = copy.snapshot();
    if (!copy.apply(bad).ok)
      CHECK(copy.snapshot() == before);
  }

  CHECK(r.kv_get("k").version == 1);
  must_apply(r, good);
  CHECK(r.kv_get("k").value == "w");
}

TEST_CASE("an operation built in memory applies as its entry does") {
  registry r;
  capnp::MallocMessageBuilder message;
  auto op = message.initRoot<sr::Operation>();
  auto set = op.initKvSet();
  set.setKey("k");
  set.setValue(capnp::Data::Reader(reinterpret_cast<const kj::byte*>("v"), 1));
  auto res = r.apply(op.asReader());
  CHECK(res.ok);
  CHECK(res.version == 1);
  CHECK(r.kv_get("k").value == "v");
}


namespace {

template <class F>
std::string snapshot_entry(F&& fill) {
  capnp::MallocMessageBuilder message;
  fill(message.initRoot<sr::Operation>().initSnapshot());
  auto words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

registry varied_state() {
  registry r;
  must_apply(r, admit("a1", "h1"));
  must_apply(r, admit("a2", "h2"));
  must_apply(r, admit("a3", "h3"));
  must_apply(r, mark_unreachable_entry("a2", 1234.5));
  must_apply(r, add_framework("f1", "one"));
  must_apply(r, add_framework("f2", "two"));
  must_apply(r, set_weights_entry({{"r1", 2.5}, {"r2", 0.25}}));
  must_apply(r, kv_set_entry("k1", std::string("\0bin\xff", 5), 0));
  must_apply(r, kv_set_entry("k1", "second", 1));
  must_apply(r, kv_set_entry("k2", "", 0));
  return r;
}

bool same(const registry::result& x, const registry::result& y) {
  return x.ok == y.ok && x.error == y.error && x.version == y.version;
}

// Operations over a small world of ids and keys, so that many apply and many
// are refused (unknown ids, lost compare-and-sets, a malformed entry now and then).
class op_generator {
public:
  explicit op_generator(uint64_t seed) : rng_(seed) {
  }

  std::string next() {
    auto agent = "a" + std::to_string(pick(20));
    auto framework = "f" + std::to_string(pick(10));
    auto key = "k/" + std::to_string(pick(30));
    switch (pick(13)) {
      case 0:
      case 1: return admit(agent, "h" + std::to_string(pick(1000)));
      case 2: return mark_unreachable_entry(agent, static_cast<double>(pick(100000)));
      case 3: return mark_reachable_entry(agent);
      case 4: return remove_agent_entry(agent);
      case 5: return add_framework(framework, "n" + std::to_string(pick(1000)));
      case 6: return remove_framework_entry(framework);
      case 7: return set_weights_entry({{"r" + std::to_string(pick(5)), 0.5 + pick(8)}});
      case 8:
      case 9:
      case 10: return kv_set_entry(key, value(), version());
      case 11: return kv_delete_entry(key, version());
      default: {
        auto e = kv_set_entry(key, value(), version());
        return e.substr(0, e.size() - 8 * (1 + pick(2)));
      }
    }
  }

private:
  size_t pick(size_t n) {
    return rng_() % n;
  }
  std::optional<uint64_t> version() {
    auto v = pick(6);
    return v == 5 ? any_version : std::optional<uint64_t>(v);
  }
  std::string value() {
    std::string s(pick(64), '\0');
    for (auto& c : s)
      c = static_cast<char>(rng_());
    return s;
  }

  std::mt19937_64 rng_;
};

std::vector<std::string> sequence(uint64_t seed, size_t n) {
  op_generator gen(seed);
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back(gen.next());
  return out;
}

} // namespace

TEST_CASE("a snapshot round-trips, and replaces whatever came before it") {
  auto a = varied_state();
  registry b;
  must_apply(b, a.snapshot());
  CHECK(b == a);
  CHECK(b.snapshot() == a.snapshot());
  CHECK(b.state_bytes() == a.state_bytes());
  CHECK(b.kv_bytes() == a.kv_bytes());
  CHECK_FALSE(b.find_agent("a2")->reachable);
  CHECK(b.find_agent("a2")->unreachable_since_seconds == 1234.5);
  CHECK(hostname_of(b, "a3") == "h3");
  CHECK((*b.find_framework("f2"))->getName() == "two");
  CHECK(b.weights().at("r2") == 0.25);
  CHECK(b.kv_get("k1").version == 2);
  CHECK(b.kv_get("k1").value == "second");
  CHECK(b.kv_get("k2").version == 1);

  registry c;
  must_apply(c, admit("other"));
  must_apply(c, kv_set_entry("other", "x", 0));
  must_apply(c, a.snapshot());
  CHECK(c == a);
  CHECK(c.find_agent("other") == nullptr);
  CHECK(c.kv_get("other").version == 0);

  must_apply(c, registry{}.snapshot());
  CHECK(c == registry{});
  CHECK(c.state_bytes() == 0);
  CHECK(c.agents().empty());

  // Equality sees every difference.
  registry d = a;
  CHECK(d == a);
  must_apply(d, admit("a1", "another-host"));
  CHECK(d != a);
  d = a;
  must_apply(d, kv_set_entry("k2", "", any_version));
  CHECK(d != a);
  d = a;
  must_apply(d, mark_reachable_entry("a2"));
  CHECK(d != a);
  CHECK(a.find_agent("a2")->reachable == false);  // copies share nothing that changes
}

TEST_CASE("a snapshot with records out of order loads; one that breaks a rule is refused") {
  auto unsorted = snapshot_entry([](sr::Registry::Builder s) {
    auto agents = s.initAgents(2);
    agents[0].setInfo(*agent_info("b"));
    agents[0].setReachable(true);
    agents[1].setInfo(*agent_info("a"));
    auto kv = s.initKv(1);
    kv[0].setKey("k");
    kv[0].setVersion(7);
  });
  registry r;
  must_apply(r, unsorted);
  CHECK(r.agents().begin()->first == "a");
  CHECK_FALSE(r.find_agent("a")->reachable);
  CHECK(r.kv_get("k").version == 7);

  auto base = varied_state();
  auto check_refused = [&](auto fill, const char* reason) {
    INFO(reason);
    registry copy = base;
    refused(copy, snapshot_entry(fill), reason);
    CHECK(copy == base);
  };
  check_refused([](sr::Registry::Builder s) {
    auto agents = s.initAgents(2);
    agents[0].setInfo(*agent_info("a"));
    agents[1].setInfo(*agent_info("a"));
  }, "twice");
  check_refused([](sr::Registry::Builder s) { s.initAgents(1)[0].setInfo(*agent_info("")); },
                "agent id is empty");
  check_refused([](sr::Registry::Builder s) {
    auto a = s.initAgents(1)[0];
    a.setInfo(*agent_info("a"));
    a.setReachable(true);
    a.setUnreachableSince(5);
  }, "reachable but");
  check_refused([](sr::Registry::Builder s) {
    auto a = s.initAgents(1)[0];
    a.setInfo(*agent_info("a"));
    a.setUnreachableSince(-5);
  }, "seconds");
  check_refused([](sr::Registry::Builder s) {
    auto f = s.initFrameworks(2);
    f[0].setInfo(*framework_info("f"));
    f[1].setInfo(*framework_info("f"));
  }, "twice");
  check_refused([](sr::Registry::Builder s) { s.initKv(1)[0].setKey("k"); }, "version 0");
  check_refused([](sr::Registry::Builder s) {
    auto kv = s.initKv(2);
    kv[0].setKey("k");
    kv[0].setVersion(1);
    kv[1].setKey("k");
    kv[1].setVersion(2);
  }, "twice");
  check_refused([](sr::Registry::Builder s) {
    auto kv = s.initKv(1);
    kv[0].setKey(txt(std::string(rl::max_key_bytes + 1, 'k')));
    kv[0].setVersion(1);
  }, "longer than");
  check_refused([](sr::Registry::Builder s) {
    auto w = s.initWeights(1);
    w[0].setRole("r");
    w[0].setWeight(-1);
  }, "positive");
  check_refused([](sr::Registry::Builder s) {
    auto w = s.initWeights(2);
    w[0].setRole("r");
    w[0].setWeight(1);
    w[1].setRole("r");
    w[1].setWeight(2);
  }, "twice");
}

TEST_CASE("replaying the same entries gives the same answers and the same state") {
  auto entries = sequence(7, 3000);
  registry a;
  registry b;
  size_t applied = 0;
  for (auto& e : entries) {
    auto x = a.apply(e);
    auto y = b.apply(e);
    CHECK(same(x, y));
    applied += x.ok ? 1 : 0;
  }
  // The sequence exercises both outcomes.
  CHECK(applied > entries.size() / 4);
  CHECK(applied < entries.size() * 3 / 4);
  CHECK(a == b);
  CHECK(a.snapshot() == b.snapshot());
  CHECK_FALSE(a.agents().empty());
  CHECK(a.kv_size() > 0);
}

TEST_CASE("a snapshot taken midway, then the rest, ends where the whole sequence ends") {
  for (uint64_t seed : {1, 2, 3, 4, 5}) {
    CAPTURE(seed);
    auto entries = sequence(seed, 4000);
    size_t mid = 500 * seed;
    registry a;
    registry log_replay;  // the log: entries before the snapshot, the snapshot, the rest
    for (size_t i = 0; i < mid; ++i) {
      CHECK(same(a.apply(entries[i]), log_replay.apply(entries[i])));
    }
    auto snap = a.snapshot();
    registry b;
    must_apply(b, snap);
    must_apply(log_replay, snap);
    CHECK(b == a);
    for (size_t i = mid; i < entries.size(); ++i) {
      auto x = a.apply(entries[i]);
      CHECK(same(x, b.apply(entries[i])));
      CHECK(same(x, log_replay.apply(entries[i])));
    }
    CHECK(a == b);
    CHECK(a == log_replay);
    CHECK(a.snapshot() == b.snapshot());
    // The sizes kept as the state changed agree with a count from scratch.
    registry fresh;
    must_apply(fresh, a.snapshot());
    CHECK(fresh.state_bytes() == a.state_bytes());
    CHECK(fresh.kv_bytes() == a.kv_bytes());
  }
}

TEST_CASE("kv bounds: key length and value size") {
  registry r;
  must_apply(r, kv_set_entry(std::string(rl::max_key_bytes, 'k'), "", 0));
  refused(r, kv_set_entry(std::string(rl::max_key_bytes + 1, 'k'), "", 0), "longer than");
  refused(r, kv_delete_entry(std::string(rl::max_key_bytes + 1, 'k'), any_version), "longer than");
  refused(r, kv_set_entry("", "v", 0), "key is empty");
  refused(r, kv_set_entry(std::string("a\0b", 3), "v", 0), "NUL");
  must_apply(r, kv_set_entry("big", std::string(rl::max_value_bytes, 'v'), 0));
  refused(r, kv_set_entry("big2", std::string(rl::max_value_bytes + 1, 'v'), 0), "limit of");
  refused(r, kv_set_entry("big", std::string(rl::max_value_bytes + 1, 'v'), any_version));
  CHECK(r.kv_get("big").version == 1);
}

TEST_CASE("kv bounds: the store's bytes") {
  registry r;
  size_t stored = 0;
  while (true) {
    REQUIRE(stored < 100);
    auto res = r.apply(kv_set_entry("fill/" + std::to_string(stored),
                                    std::string(rl::max_value_bytes, 'v'), 0));
    if (!res.ok) {
      CHECK(res.error.find("key-value store would hold") != std::string::npos);
      break;
    }
    ++stored;
  }
  CHECK(stored == rl::max_kv_bytes / rl::max_value_bytes - 1);
  CHECK(r.kv_bytes() <= rl::max_kv_bytes);
  CHECK(r.kv_size() == stored);
  // Smaller values make room again.
  must_apply(r, kv_set_entry("fill/0", "small", 1));
  must_apply(r, kv_set_entry("one-more", std::string(rl::max_value_bytes, 'v'), 0));
  registry copy;
  must_apply(copy, r.snapshot());
  CHECK(copy == r);
}

TEST_CASE("kv bounds: the number of keys") {
  registry r;
  size_t stored = 0;
  for (size_t i = 0; i < rl::max_keys; ++i)
    stored += r.apply(kv_set_entry("k" + std::to_string(i), "", 0)).ok ? 1 : 0;
  CHECK(stored == rl::max_keys);
  refused(r, kv_set_entry("one-more", "", 0), "keys are stored");
  must_apply(r, kv_set_entry("k0", "changed", any_version));  // an existing key may change
  must_apply(r, kv_delete_entry("k0", any_version));
  must_apply(r, kv_set_entry("one-more", "", 0));
  CHECK(r.kv_size() == rl::max_keys);
}

TEST_CASE("bounds: agents, weighted roles, and the whole state") {
  registry r;
  size_t admitted = 0;
  for (size_t i = 0; i < rl::max_agents; ++i)
    admitted += r.apply(admit("agent-" + std::to_string(i))).ok ? 1 : 0;
  CHECK(admitted == rl::max_agents);
  refused(r, admit("one-more"), "agents are admitted");
  must_apply(r, admit("agent-0", "new-host"));  // an admitted agent may come back

  registry w;
  std::vector<std::pair<std::string, double>> roles;
  for (size_t i = 0; i <= rl::max_weighted_roles; ++i)
    roles.emplace_back("role-" + std::to_string(i), 1);
  refused(w, set_weights_entry(roles), "more than");
  roles.pop_back();
  must_apply(w, set_weights_entry(roles));
  refused(w, set_weights_entry({{"one-more", 1}}), "weighted roles");
  must_apply(w, set_weights_entry({{"role-0", 3}}));

  // Agents of nearly max_agent_info_bytes each fill all the registry but the
  // key-value store's quota; its snapshot still fits one entry and loads.
  registry big;
  size_t fat = 0;
  while (true) {
    REQUIRE(fat < 1000);
    auto res = big.apply(admit("fat-" + std::to_string(fat),
                               std::string(rl::max_agent_info_bytes - 1024, 'h')));
    if (!res.ok) {
      CHECK(res.error.find("registry would hold") != std::string::npos);
      break;
    }
    ++fat;
  }
  CHECK(fat >= rl::max_records_bytes / rl::max_agent_info_bytes - 1);
  CHECK(big.agents_bytes() <= rl::max_records_bytes);
  CHECK(big.state_bytes() <= rl::max_state_bytes);
  auto snap = big.snapshot();
  CHECK(snap.size() <= rl::max_entry_bytes);
  registry loaded;
  must_apply(loaded, snap);
  CHECK(loaded == big);
}

// -- object limits and shares (issue 16: hostile input never fills the registry)

namespace {

// A framework whose labels make its info about `bytes` long.
wire<schema::FrameworkInfo> labelled_framework(const std::string& id, size_t bytes) {
  return make_wire<schema::FrameworkInfo>([&](schema::FrameworkInfo::Builder f) {
    f.setUser("u");
    f.setName("big");
    f.initId().setValue(txt(id));
    auto label = f.initLabels().initLabels(1)[0];
    label.setKey("k");
    label.setValue(txt(std::string(bytes - 256, 'l')));
  });
}

// Both the edge's check and the registry refuse it, and nothing is stored.
void refused_everywhere(registry& r, const std::string& entry, const std::string& reason) {
  auto why = entry_problem(entry);
  INFO(why);
  CHECK(why.find(reason) != std::string::npos);
  refused(r, entry, reason);
}

} // namespace

TEST_CASE("each stored object has a size limit; over it, it is refused and nothing is stored") {
  registry r;
  auto near = labelled_framework("f1", rl::max_framework_info_bytes - 512);
  CHECK(framework_info_problem(*near).empty());
  must_apply(r, add_framework_entry(*near));
  auto over = labelled_framework("f2", rl::max_framework_info_bytes + 1024);
  CHECK(framework_info_problem(*over).find("limit of 65536 bytes on one FrameworkInfo") !=
        std::string::npos);
  refused_everywhere(r, add_framework_entry(*over), "FrameworkInfo");
  // A framework that exists may not grow past the limit either.
  refused_everywhere(r, add_framework_entry(*labelled_framework("f1", 900 * 1024)),
                     "more than the limit of");
  CHECK(r.find_framework("f2") == nullptr);
  CHECK(r.find_framework("f1")->get().totalSize().wordCount ==
        near.get().totalSize().wordCount);

  auto agent = agent_info("a1", std::string(rl::max_agent_info_bytes, 'h'));
  CHECK(agent_info_problem(*agent).find("AgentInfo") != std::string::npos);
  refused_everywhere(r, admit_agent_entry(*agent), "limit of");

  CHECK(kv_problem("k", std::string(rl::max_value_bytes, 'v')).empty());
  refused_everywhere(r, kv_set_entry("k", std::string(rl::max_value_bytes + 1, 'v'), 0),
                     "limit of 1048576 bytes on one value");
  refused_everywhere(r, kv_set_entry(std::string(rl::max_key_bytes + 1, 'k'), "v", 0),
                     "limit of 1024 bytes");
  CHECK(r.kv_size() == 0);
  // What is within the limits passes the edge's check.
  CHECK(entry_problem(kv_set_entry("k", "v", 0)).empty());
  CHECK(entry_problem(admit("a1")).empty());
  CHECK(entry_problem("not an entry") != "");
}

TEST_CASE("with frameworks and weights at their shares, agents are still admitted") {
  registry r;
  size_t frameworks = 0;
  while (true) {
    REQUIRE(frameworks < 1000);
    auto res = r.apply(add_framework_entry(*labelled_framework(
      "f" + std::to_string(frameworks), rl::max_framework_info_bytes - 512)));
    if (!res.ok) {
      CHECK(res.error.find("their share") != std::string::npos);
      break;
    }
    ++frameworks;
  }
  CHECK(r.frameworks_bytes() <= rl::max_frameworks_bytes);
  CHECK(r.frameworks_bytes() > rl::max_frameworks_bytes - rl::max_framework_info_bytes);
  size_t batches = 0;
  for (; batches < 100; ++batches) {
    std::vector<std::pair<std::string, double>> roles;
    for (size_t i = 0; i < 100; ++i)
      roles.emplace_back(std::to_string(batches * 100 + i) + std::string(500, 'r'), 1);
    if (!r.apply(set_weights_entry(roles)).ok)
      break;
  }
  CHECK(batches < 100);
  CHECK(r.weights_bytes() > rl::max_weights_bytes - 100 * 600);
  // The rest holds at least the agents' reserve.
  size_t agents = 0;
  while (true) {
    REQUIRE(agents < 1000);
    auto res = r.apply(admit("agent-" + std::to_string(agents),
                             std::string(rl::max_agent_info_bytes - 1024, 'h')));
    if (!res.ok) {
      CHECK(res.error.find("registry would hold") != std::string::npos);
      break;
    }
    ++agents;
  }
  CHECK(agents > 0);
  CHECK(r.agents_bytes() > limits::agents_reserved_bytes - rl::max_agent_info_bytes);
  registry copy;
  must_apply(copy, r.snapshot());
  CHECK(copy == r);
}

TEST_CASE("a full key-value store refuses keys only; frameworks and agents are admitted") {
  registry r;
  size_t keys = 0;
  while (r.apply(kv_set_entry("fill/" + std::to_string(keys),
                              std::string(rl::max_value_bytes, 'v'), 0)).ok)
    REQUIRE(++keys < 100);
  refused(r, kv_set_entry("one-more", std::string(rl::max_value_bytes, 'v'), 0), "its quota");
  must_apply(r, add_framework("f1"));
  must_apply(r, admit("a1"));
  must_apply(r, set_weights_entry({{"web", 2}}));
  // Agents fill all they may of the rest; the store's bytes are not theirs.
  while (r.apply(admit("fat-" + std::to_string(keys++),
                       std::string(rl::max_agent_info_bytes - 1024, 'h'))).ok)
    REQUIRE(keys < 2000);
  CHECK(r.state_bytes() - r.kv_bytes() > rl::max_records_bytes - rl::max_agent_info_bytes);
}

TEST_CASE("the agents' reserve holds over 20,000 typical agents") {
  auto typical = make_wire<schema::AgentInfo>([](schema::AgentInfo::Builder a) {
    a.setHostname("agent-0042.rack-17.dc-1.example.com");
    a.setPort(5051);
    a.initId().setValue("0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-S4242");
    set_resources(a, parse_resources("cpus:64;mem:262144;disk:1000000;ports:[31000-32000];"
                                     "gpus:4").value());
    auto attributes = a.initAttributes(2);
    for (unsigned i = 0; i < 2; ++i) {
      attributes[i].setName(i == 0 ? "rack" : "zone");
      attributes[i].setType(schema::ValueType::TEXT);
      attributes[i].initText().setValue(i == 0 ? "r17" : "z1");
    }
  });
  uint64_t each = typical.get().totalSize().wordCount * 8 + rl::record_overhead_bytes;
  INFO(each);
  CHECK(limits::agents_reserved_bytes / each >= 20'000);
  CHECK(rl::max_records_bytes / each >= 30'000);
}
