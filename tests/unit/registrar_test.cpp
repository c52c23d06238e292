// The registrar over a real log node (one replica, LevelDB in a temporary
// directory): every answer is what replaying the log computes, snapshots
// truncate the log without changing the state, and a recovery in the middle
// of writes ends them with an unknown outcome, never a wrong one; an object
// over its limit never reaches the log; a snapshot the log refuses is not
// retried in a loop.
#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/registrar/registrar.hpp"
#include "runtime/system.hpp"
#include "storage/registry.hpp"

using namespace cairn;
namespace fs = std::filesystem;

namespace {

caf::behavior ignore_leadership(caf::event_based_actor*) {
  return {[](elected_atom) {}, [](demoted_atom) {}};
}

struct written {
  bool ok = false;
  std::string why;
  uint64_t version = 0;
  bool answered = false;
  bool failed = false;
};

struct log_fixture {
  system_config cfg{false};
  caf::actor_system sys{cfg};
  fs::path dir = fs::temp_directory_path() / ("cairn-registrar-test-" + std::to_string(getpid()));
  log_actor log;
  registrar_actor registrar;

  log_fixture() {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~log_fixture() {
    caf::anon_send_exit(registrar, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(log, caf::exit_reason::user_shutdown);
    sys.await_all_actors_done();
    fs::remove_all(dir);
  }

  void start(size_t snapshot_every) {
    log_options o;
    o.addresses = {"127.0.0.1:1"};
    o.work_dir = dir.string();
    o.advertised = "127.0.0.1:1";
    log = spawn_log(sys, o, sys.spawn(ignore_leadership)).value();
    registrar_options r;
    r.log = log;
    r.snapshot_every = snapshot_every;
    registrar = spawn_registrar(sys, r);
    // The node leads once it answers that it does.
    caf::scoped_actor self{sys};
    for (int i = 0; i < 200; ++i) {
      std::string leader;
      self->request(log, std::chrono::seconds(5), leader_atom::value)
        .receive([&](const std::string& l) { leader = l; }, [](caf::error&) {});
      if (leader == o.advertised)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  // Sends every entry at once, then collects the answers in order.
  std::vector<written> apply_all(const std::vector<std::string>& entries) {
    auto out = std::make_shared<std::vector<written>>(entries.size());
    auto left = std::make_shared<size_t>(entries.size());
    caf::scoped_actor self{sys};
    auto collector = sys.spawn([=, r = registrar](caf::event_based_actor* a) {
      for (size_t i = 0; i < entries.size(); ++i)
        a->request(r, std::chrono::seconds(60), apply_atom::value, entries[i])
          .then(
            [=](bool ok, const std::string& why, uint64_t version) {
              (*out)[i] = {ok, why, version, true, false};
              --*left;
            },
            [=](caf::error& err) {
              (*out)[i].answered = true;
              (*out)[i].failed = true;
              (*out)[i].why = caf::to_string(err);
              --*left;
            });
    });
    self->wait_for(collector);
    return *out;
  }

  std::string recover() {
    caf::scoped_actor self{sys};
    std::string out;
    self->request(registrar, std::chrono::seconds(60), recover_atom::value)
      .receive([&](const std::string& s) { out = s; }, [](caf::error&) {});
    return out;
  }

  size_t log_entries() {
    caf::scoped_actor self{sys};
    size_t n = 0;
    self->request(log, std::chrono::seconds(10), read_atom::value, uint64_t{0})
      .receive([&](const std::vector<uint64_t>& p, const std::vector<std::string>&) { n = p.size(); },
               [](caf::error&) {});
    return n;
  }
};

registry replayed(const std::string& snapshot) {
  registry reg;
  REQUIRE(reg.apply(snapshot).ok);
  return reg;
}

} // namespace

TEST_CASE_FIXTURE(log_fixture, "answers to concurrent compare-and-set writes are those of the log's order") {
  start(1000);
  // Fifty writers all expect version 0: exactly one wins, the others are told
  // the version it made, as a replay of the log would say.
  std::vector<std::string> entries;
  for (int i = 0; i < 50; ++i)
    entries.push_back(kv_set_entry("k", "v" + std::to_string(i), 0));
  auto answers = apply_all(entries);
  size_t won = 0;
  for (auto& a : answers) {
    REQUIRE(a.answered);
    INFO(a.why);
    REQUIRE_FALSE(a.failed);
    if (a.ok) {
      ++won;
      CHECK(a.version == 1);
    } else {
      CHECK(a.why.find("version 1") != std::string::npos);
    }
  }
  CHECK(won == 1);
  auto state = replayed(recover());
  CHECK(state.kv_get("k").version == 1);
}

TEST_CASE_FIXTURE(log_fixture, "snapshots truncate the log and change nothing a replay sees") {
  start(10);
  std::vector<std::string> entries;
  for (int i = 0; i < 95; ++i)
    entries.push_back(kv_set_entry("key-" + std::to_string(i % 7), std::to_string(i), std::nullopt));
  auto answers = apply_all(entries);
  for (auto& a : answers)
    CHECK(a.ok);
  // Writes held for a snapshot are answered like any other.
  auto more = apply_all({kv_set_entry("last", "x", 0)});
  CHECK(more[0].ok);
  auto live = replayed(recover());
  CHECK(log_entries() < 40);  // far fewer than the 96 written
  for (int k = 0; k < 7; ++k) {
    auto v = live.kv_get("key-" + std::to_string(k));
    // Key k was last set by the largest i < 95 with i % 7 == k.
    int last = 94 - ((94 - k) % 7);
    CHECK(v.value == std::to_string(last));
  }
  CHECK(live.kv_get("last").version == 1);
  // Replayed again from the truncated log: the same state.
  CHECK(replayed(recover()).snapshot() == live.snapshot());
}

TEST_CASE_FIXTURE(log_fixture, "a recovery during writes leaves no acknowledged write out and applies nothing twice") {
  start(1000);
  std::vector<std::string> first;
  for (int i = 0; i < 50; ++i)
    first.push_back(kv_set_entry("counter", std::to_string(i), std::nullopt));
  for (auto& a : apply_all(first))
    REQUIRE(a.ok);
  // Then writes with a recovery among them: those it overtakes end with an
  // unknown outcome (or are refused while it runs), never with a wrong answer.
  std::vector<std::string> second;
  for (int i = 0; i < 100; ++i)
    second.push_back(kv_set_entry("counter", std::to_string(50 + i), std::nullopt));
  auto out = std::make_shared<std::vector<written>>(second.size());
  caf::scoped_actor self{sys};
  auto writer = sys.spawn([=, r = registrar](caf::event_based_actor* a) {
    for (size_t i = 0; i < second.size(); ++i) {
      a->request(r, std::chrono::seconds(60), apply_atom::value, second[i])
        .then([=](bool ok, const std::string& why,
                  uint64_t version) { (*out)[i] = {ok, why, version, true, false}; },
              [=](caf::error&) { (*out)[i] = {false, "", 0, true, true}; });
      if (i == 50)
        a->request(r, std::chrono::seconds(60), recover_atom::value)
          .then([](const std::string&) {}, [](caf::error&) {});
    }
  });
  self->wait_for(writer);
  auto state = replayed(recover());
  auto v = state.kv_get("counter");
  CHECK(v.version >= 50);
  CHECK(v.version <= 150);
  std::set<uint64_t> versions;
  for (auto& a : *out) {
    REQUIRE(a.answered);
    if (a.ok) {
      CHECK(versions.insert(a.version).second);
      CHECK(a.version > 50);
      CHECK(a.version <= v.version);
    }
  }
  // And it takes writes again, on top of everything the log holds.
  auto after = apply_all({kv_set_entry("counter", "after", v.version)});
  CHECK(after[0].ok);
  CHECK(after[0].version == v.version + 1);
}

TEST_CASE_FIXTURE(log_fixture, "an object over its limit is refused before anything reaches the log") {
  start(1000);
  auto written_before = apply_all({kv_set_entry("small", "v", 0)});
  REQUIRE(written_before[0].ok);
  size_t entries_before = log_entries();
  auto huge = make_wire<schema::FrameworkInfo>([](schema::FrameworkInfo::Builder f) {
    f.setName("huge");
    f.initId().setValue("f1");
    auto label = f.initLabels().initLabels(1)[0];
    label.setKey("k");
    label.setValue(std::string(900 * 1024, 'l'));
  });
  auto answers = apply_all({
    add_framework_entry(*huge),
    kv_set_entry("big", std::string(registry_limits::max_value_bytes + 1, 'v'), 0),
    kv_set_entry(std::string(registry_limits::max_key_bytes + 1, 'k'), "v", 0),
  });
  for (auto& a : answers) {
    REQUIRE(a.answered);
    CHECK_FALSE(a.failed);
    CHECK_FALSE(a.ok);
    INFO(a.why);
    CHECK(a.why.find("than the limit of") != std::string::npos);
  }
  CHECK(answers[0].why.find("FrameworkInfo") != std::string::npos);
  CHECK(log_entries() == entries_before);
  auto state = replayed(recover());
  CHECK(state.frameworks().empty());
  CHECK(state.kv_size() == 1);
}

namespace {

// A log whose node leads for one entry and then no longer: it takes the
// first append, refuses every later one, and counts the refusals.
struct demoting_log_state {
  static inline const char* name = "demoting-log";
  std::vector<std::string> entries;
  std::shared_ptr<std::atomic<size_t>> refused;
};

log_actor::behavior_type demoting_log(log_actor::stateful_pointer<demoting_log_state> self,
                                      std::shared_ptr<std::atomic<size_t>> refused) {
  self->state.refused = std::move(refused);
  return {
    [](const log_message&) {},
    [=](append_atom, std::string& data) -> caf::result<uint64_t> {
      auto& st = self->state;
      if (!st.entries.empty()) {
        ++*st.refused;
        return caf::make_error(caf::sec::runtime_error, "not the leader of the log");
      }
      st.entries.push_back(std::move(data));
      return uint64_t{0};
    },
    [](truncate_atom, uint64_t to) -> caf::result<uint64_t> { return to; },
    [=](read_atom, uint64_t first) {
      std::vector<uint64_t> positions;
      std::vector<std::string> data;
      for (uint64_t p = first; p < self->state.entries.size(); ++p) {
        positions.push_back(p);
        data.push_back(self->state.entries[p]);
      }
      return caf::result<std::vector<uint64_t>, std::vector<std::string>>(std::move(positions),
                                                                         std::move(data));
    },
    [](leader_atom) { return std::string{}; },
    [](log_tick_atom) {},
    [](log_flush_atom) {},
    [](peer_atom, uint32_t, const caf::strong_actor_ptr&) {},
  };
}

} // namespace

TEST_CASE("a snapshot the log refuses is not tried again until a new entry is applied") {
  system_config cfg{false};
  caf::actor_system sys{cfg};
  auto refused = std::make_shared<std::atomic<size_t>>(0);
  auto log = sys.spawn(demoting_log, refused);
  registrar_options r;
  r.log = log;
  r.snapshot_every = 1;  // the first entry makes a snapshot due
  auto registrar = spawn_registrar(sys, r);
  caf::scoped_actor self{sys};
  bool ok = false;
  self->request(registrar, std::chrono::seconds(10), apply_atom::value,
                kv_set_entry("k", "v", 0))
    .receive([&](bool o, const std::string&, uint64_t) { ok = o; }, [](caf::error&) {});
  REQUIRE(ok);
  // The refusal comes back at once; retried at once, it would have been
  // refused thousands of times by now.
  for (int i = 0; i < 50 && refused->load() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(refused->load() == 1);
  // The registry still answers; a write after the refusal is refused by the log
  // and reported as such, not lost.
  bool answered = false;
  self->request(registrar, std::chrono::seconds(10), apply_atom::value,
                kv_set_entry("k", "w", 1))
    .receive([&](bool, const std::string&, uint64_t) { answered = true; },
             [&](caf::error&) { answered = true; });
  CHECK(answered);
  caf::anon_send_exit(registrar, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(log, caf::exit_reason::user_shutdown);
}
