// A framework's state store against a master that holds its answers: at
// most one write of a key is in flight, the writes asked for meanwhile make
// one write of the latest value, everyone waiting hears, and an erase drops
// a write not yet made; a change is answered once every write it made is.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/scheduler/state_store.hpp"
#include "runtime/system.hpp"

using namespace cairn;

namespace {

using release_atom = caf::atom_constant<caf::atom("release")>;
using seen_atom = caf::atom_constant<caf::atom("seen")>;
using change_atom = caf::atom_constant<caf::atom("change")>;
using forget_atom = caf::atom_constant<caf::atom("forget")>;
using heard_atom = caf::atom_constant<caf::atom("heard")>;
using call_atom = caf::atom_constant<caf::atom("call")>;
using calls_atom = caf::atom_constant<caf::atom("calls")>;
using closed_atom = caf::atom_constant<caf::atom("closed")>;

using answer = caf::typed_response_promise<bool, std::string, uint64_t>;

// The store's master: records each write (key=value, or -key for an
// erase) and answers only when released.
struct master_state {
  std::vector<std::string> seen;
  std::vector<answer> held;
};

caf::behavior holding_master(caf::stateful_actor<master_state>* self) {
  return {
    [=](kv_set_atom, const std::string& key, const std::string& value, uint64_t,
        bool) -> caf::result<bool, std::string, uint64_t> {
      self->state.seen.push_back(key + "=" + value);
      auto rp = self->make_response_promise<bool, std::string, uint64_t>();
      self->state.held.push_back(rp);
      return rp;
    },
    [=](kv_delete_atom, const std::string& key, uint64_t, bool) {
      self->state.seen.push_back("-" + key);
      return caf::make_message(true, std::string{}, uint64_t{0});
    },
    [=](release_atom) {
      for (auto& rp : self->state.held)
        rp.deliver(true, std::string{}, uint64_t{1});
      self->state.held.clear();
    },
    [=](seen_atom) { return self->state.seen; },
  };
}

// A framework: each change bumps a counter and asks for the key's write,
// rendered from the counter when made; it counts the answers it hears.
struct framework_state {
  state_store store;
  int counter = 0;
  std::vector<bool> heard;
  std::vector<std::string> calls;  // answered API calls: name=stored
  bool closed = false;             // may_write says no
};

caf::behavior framework(caf::stateful_actor<framework_state>* self, caf::actor master) {
  self->state.store.prefix = "f/";
  self->state.store.component = "test";
  self->state.store.master = caf::actor_cast<master_actor>(master);
  self->state.store.may_write = [self] { return !self->state.closed; };
  return {
    [=](change_atom, const std::string& key, int times) {
      for (int i = 0; i < times; ++i) {
        ++self->state.counter;
        store_put(
          self, self->state.store, key, [self] { return std::to_string(self->state.counter); },
          [self](bool stored) { self->state.heard.push_back(stored); });
      }
    },
    [=](forget_atom, const std::string& key) { store_erase(self, self->state.store, key); },
    [=](heard_atom) { return self->state.heard; },
    // An API call named `name` that writes `key` `times` times.
    [=](call_atom, const std::string& name, const std::string& key, int times) {
      store_change(
        self->state.store,
        [&] {
          for (int i = 0; i < times; ++i) {
            ++self->state.counter;
            store_put(self, self->state.store, key,
                      [self] { return std::to_string(self->state.counter); });
          }
        },
        [self, name](bool stored) {
          self->state.calls.push_back(name + "=" + (stored ? "stored" : "not stored"));
        });
    },
    [=](calls_atom) { return self->state.calls; },
    [=](closed_atom, bool closed) { self->state.closed = closed; },
  };
}

template <class T, class... Ts>
T ask(caf::actor_system& sys, const caf::actor& who, Ts... xs) {
  caf::scoped_actor self{sys};
  T out{};
  self->request(who, std::chrono::seconds(10), xs...)
    .receive([&](T& x) { out = std::move(x); }, [&](caf::error&) { FAIL("no answer"); });
  return out;
}

struct fixture {
  system_config cfg;
  caf::actor_system sys{cfg};
  caf::actor master = sys.spawn(holding_master);
  caf::actor fw = sys.spawn(framework, master);

  std::vector<std::string> seen() {
    return ask<std::vector<std::string>>(sys, master, seen_atom::value);
  }
  std::vector<bool> heard() {
    return ask<std::vector<bool>>(sys, fw, heard_atom::value);
  }
  std::vector<std::string> calls() {
    return ask<std::vector<std::string>>(sys, fw, calls_atom::value);
  }
  void wait_for_calls(size_t n) {
    for (int i = 0; i < 200 && calls().size() < n; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ~fixture() {
    caf::anon_send_exit(fw, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(master, caf::exit_reason::user_shutdown);
  }
};

} // namespace

TEST_CASE("five changes while a write is in flight make one more write, of the latest value") {
  fixture f;
  caf::anon_send(f.fw, change_atom::value, std::string("app"), 1);
  f.heard();  // the framework has handled the change
  CHECK(f.seen() == std::vector<std::string>{"f/app=1"});
  caf::anon_send(f.fw, change_atom::value, std::string("app"), 5);
  f.heard();
  CHECK(f.seen().size() == 1);  // the first is still unanswered
  caf::anon_send(f.master, release_atom::value);
  // The first answer releases one write of the latest value, 6.
  for (int i = 0; i < 100 && f.seen().size() < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(f.seen() == std::vector<std::string>{"f/app=1", "f/app=6"});
  CHECK(f.heard() == std::vector<bool>{true});
  caf::anon_send(f.master, release_atom::value);
  for (int i = 0; i < 100 && f.heard().size() < 6; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(f.heard() == std::vector<bool>(6, true));
  // Another key is not held up by this one.
  caf::anon_send(f.fw, change_atom::value, std::string("index"), 1);
  f.heard();
  CHECK(f.seen().back() == "f/index=7");
}

TEST_CASE("an erase drops the write not yet made; its waiters hear false") {
  fixture f;
  caf::anon_send(f.fw, change_atom::value, std::string("app"), 2);
  caf::anon_send(f.fw, forget_atom::value, std::string("app"));
  f.heard();
  CHECK(f.seen() == std::vector<std::string>{"f/app=1", "-f/app"});
  CHECK(f.heard() == std::vector<bool>{false});
  caf::anon_send(f.master, release_atom::value);
  for (int i = 0; i < 100 && f.heard().size() < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(f.heard() == std::vector<bool>{false, true});
  CHECK(f.seen() == std::vector<std::string>{"f/app=1", "-f/app"});  // nothing written after
}

TEST_CASE("a call is answered once the master has answered every write it made") {
  fixture f;
  caf::anon_send(f.fw, call_atom::value, std::string("read"), std::string("app"), 0);
  caf::anon_send(f.fw, call_atom::value, std::string("first"), std::string("app"), 1);
  // Coalesced behind the first write: answered only by the next one.
  caf::anon_send(f.fw, call_atom::value, std::string("second"), std::string("app"), 2);
  caf::anon_send(f.fw, call_atom::value, std::string("other"), std::string("index"), 1);
  CHECK(f.calls() == std::vector<std::string>{"read=stored"});  // wrote nothing
  CHECK(f.seen() == std::vector<std::string>{"f/app=1", "f/index=4"});
  caf::anon_send(f.master, release_atom::value);
  f.wait_for_calls(3);
  CHECK(f.calls() == std::vector<std::string>{"read=stored", "first=stored", "other=stored"});
  CHECK(f.seen().back() == "f/app=4");  // the second call's write, not yet answered
  caf::anon_send(f.master, release_atom::value);
  f.wait_for_calls(4);
  CHECK(f.calls().back() == "second=stored");
}

TEST_CASE("a call whose write may not be made is answered as not stored") {
  fixture f;
  caf::anon_send(f.fw, closed_atom::value, true);
  caf::anon_send(f.fw, call_atom::value, std::string("late"), std::string("app"), 1);
  CHECK(f.calls() == std::vector<std::string>{"late=not stored"});
  CHECK(f.seen().empty());
  caf::anon_send(f.fw, closed_atom::value, false);
  caf::anon_send(f.fw, call_atom::value, std::string("again"), std::string("app"), 1);
  CHECK(f.calls().size() == 1);
  caf::anon_send(f.master, release_atom::value);
  f.wait_for_calls(2);
  CHECK(f.calls().back() == "again=stored");
}

TEST_CASE("a write overtaken by an erase of its key counts as stored") {
  fixture f;
  caf::anon_send(f.fw, call_atom::value, std::string("put"), std::string("app"), 1);
  caf::anon_send(f.fw, call_atom::value, std::string("queued"), std::string("app"), 1);
  caf::anon_send(f.fw, forget_atom::value, std::string("app"));
  f.wait_for_calls(1);
  CHECK(f.calls() == std::vector<std::string>{"queued=stored"});
  CHECK(f.seen() == std::vector<std::string>{"f/app=1", "-f/app"});
  caf::anon_send(f.master, release_atom::value);
  f.wait_for_calls(2);
  CHECK(f.calls().back() == "put=stored");
}
