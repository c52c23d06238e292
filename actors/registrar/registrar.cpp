#include "actors/registrar/registrar.hpp"

#include <deque>
#include <map>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "storage/registry.hpp"

namespace cairn {

namespace {

using apply_promise = caf::typed_response_promise<bool, std::string, uint64_t>;
using apply_result = caf::result<bool, std::string, uint64_t>;

constexpr auto append_timeout = std::chrono::seconds(30);
constexpr auto relearn_delay = std::chrono::milliseconds(5);
// Writes held while a snapshot is written, before new ones are refused.
constexpr size_t max_held = 100'000;

// Snapshots: `since_snapshot` entries were applied since the last one. When
// it is time, new writes are held (`draining`) until every append is
// answered and applied, so the snapshot holds everything before its
// position; then it is appended (`snapshotting`), applied in its turn, and
// the log truncated behind it.
enum class phase { normal, draining, snapshotting };

struct registrar_state {
  static inline const char* name = "registrar";
  registrar_options options;
  registry reg;
  // The state is the log's entries applied in position order, up to here.
  uint64_t applied_end = 0;
  // Appended entries whose position is known, not yet applied; each answer
  // is the result of applying its entry in that order (as a replay would).
  std::map<uint64_t, std::optional<apply_promise>> awaiting;
  // Entries applied while appends were out whose answers had not come back:
  // the log node answers an append once its batch is synced, and a read for
  // an earlier write can reach the entry first. Its answer then finds the
  // result here. Cleared whenever no append is out.
  std::map<uint64_t, registry::result> applied_early;
  size_t in_flight = 0;        // appends not yet answered
  bool reading = false;        // a read of the log is out
  bool read_again = false;     // more was appended while it was out
  uint64_t generation = 0;     // bumped by each recovery: older answers are ignored
  bool recovering = false;
  phase snapshot_phase = phase::normal;
  size_t since_snapshot = 0;
  // A snapshot the log refused (this node no longer leads it) is tried
  // again only once a new entry is applied: tried at once, it was refused
  // at once, over and over, a busy loop on a demoted master.
  bool snapshot_refused = false;
  std::deque<std::pair<std::string, apply_promise>> held;
};

using self_ptr = registrar_actor::stateful_pointer<registrar_state>;

void learn(self_ptr self);
void step_snapshot(self_ptr self);
void answer_applied(self_ptr self, uint64_t position, std::optional<apply_promise> promise);

void send_append(self_ptr self, std::string entry, std::optional<apply_promise> promise) {
  auto& st = self->state;
  ++st.in_flight;
  auto generation = st.generation;
  self->request(st.options.log, append_timeout, append_atom::value, std::move(entry))
    .then(
      [=](uint64_t position) mutable {
        auto& st = self->state;
        --st.in_flight;
        if (generation != st.generation) {
          if (promise)
            promise->deliver(make_error("the registry was recovered meanwhile: the outcome "
                                        "is unknown"));
          return;
        }
        if (position < st.applied_end) {
          answer_applied(self, position, std::move(promise));
          return;
        }
        st.awaiting.emplace(position, std::move(promise));
        learn(self);
      },
      [=](caf::error& err) mutable {
        auto& st = self->state;
        --st.in_flight;
        // Whether it was chosen is unknown: if it was, it is applied in its
        // turn when a later read reaches it, as a replay would.
        if (promise)
          promise->deliver(make_error("the outcome is unknown: " + error_message(err)));
        if (st.in_flight == 0)
          st.applied_early.clear();
        if (generation == st.generation && st.snapshot_phase == phase::snapshotting && !promise) {
          logger("registrar")->warn("snapshot not written: {}", error_message(err));
          st.snapshot_phase = phase::normal;
          st.snapshot_refused = true;
        }
        step_snapshot(self);
      });
}

void release_held(self_ptr self) {
  auto& st = self->state;
  while (!st.held.empty() && st.snapshot_phase == phase::normal) {
    auto [entry, promise] = std::move(st.held.front());
    st.held.pop_front();
    send_append(self, std::move(entry), std::move(promise));
  }
}

void truncate_behind(self_ptr self, uint64_t snapshot_position) {
  auto generation = self->state.generation;
  self->request(self->state.options.log, append_timeout, truncate_atom::value, snapshot_position)
    .then(
      [=](uint64_t) {
        if (generation == self->state.generation)
          self->state.since_snapshot = 0;
      },
      [=](caf::error& err) {
        logger("registrar")->warn("log not truncated: {}", error_message(err));
      });
}

void deliver_applied(self_ptr self, uint64_t position, std::optional<apply_promise>& promise,
                     const registry::result& r) {
  if (promise) {
    promise->deliver(r.ok, r.error, r.version);
  } else {
    // The snapshot itself: everything before it may go.
    self->state.snapshot_phase = phase::normal;
    truncate_behind(self, position);
  }
}

// Applies what the log learned from applied_end on, in order, answering the
// writes among it.
void apply_learned(self_ptr self, const std::vector<uint64_t>& positions,
                   const std::vector<std::string>& entries) {
  auto& st = self->state;
  for (size_t i = 0; i < positions.size() && i < entries.size(); ++i) {
    if (positions[i] < st.applied_end)
      continue;
    auto r = st.reg.apply(entries[i]);
    st.applied_end = positions[i] + 1;
    ++st.since_snapshot;
    st.snapshot_refused = false;
    auto waiting = st.awaiting.find(positions[i]);
    if (waiting == st.awaiting.end()) {
      // Written before this registrar's time, or its answer is not back yet.
      if (st.in_flight > 0)
        st.applied_early.emplace(positions[i], r);
      continue;
    }
    deliver_applied(self, positions[i], waiting->second, r);
    st.awaiting.erase(waiting);
  }
}

// The answer to an append whose entry was already applied.
void answer_applied(self_ptr self, uint64_t position, std::optional<apply_promise> promise) {
  auto& st = self->state;
  auto early = st.applied_early.find(position);
  if (early != st.applied_early.end()) {
    deliver_applied(self, position, promise, early->second);
    st.applied_early.erase(early);
  } else if (promise) {
    promise->deliver(make_error("the outcome is unknown: the entry was applied before its "
                                "position was known"));
  }
  if (st.in_flight == 0)
    st.applied_early.clear();
  step_snapshot(self);
}

void learn(self_ptr self) {
  auto& st = self->state;
  if (st.reading) {
    st.read_again = true;
    return;
  }
  st.reading = true;
  st.read_again = false;
  auto generation = st.generation;
  self->request(st.options.log, append_timeout, read_atom::value, st.applied_end)
    .then(
      [=](const std::vector<uint64_t>& positions, const std::vector<std::string>& entries) {
        auto& st = self->state;
        if (generation != st.generation)
          return;
        st.reading = false;
        apply_learned(self, positions, entries);
        // Still waiting: the local replica learns an entry just after the
        // append is answered, or more came in meanwhile.
        if (st.read_again)
          learn(self);
        else if (!st.awaiting.empty())
          self->delayed_send(self, relearn_delay, learn_atom::value);
        release_held(self);
        step_snapshot(self);
      },
      [=](caf::error& err) {
        auto& st = self->state;
        if (generation != st.generation)
          return;
        st.reading = false;
        logger("registrar")->warn("reading the log failed ({}); trying again",
                                  error_message(err));
        self->delayed_send(self, relearn_delay, learn_atom::value);
      });
}

void step_snapshot(self_ptr self) {
  auto& st = self->state;
  if (st.recovering)
    return;
  if (st.snapshot_phase == phase::normal && st.since_snapshot >= st.options.snapshot_every
      && !st.snapshot_refused)
    st.snapshot_phase = phase::draining;
  if (st.snapshot_phase == phase::draining && st.in_flight == 0 && st.awaiting.empty()
      && !st.reading) {
    st.snapshot_phase = phase::snapshotting;
    send_append(self, st.reg.snapshot(), std::nullopt);
  }
  release_held(self);
}

// Everything in flight from before a recovery ends with an unknown outcome.
void abandon_pending(self_ptr self, const char* why) {
  auto& st = self->state;
  for (auto& [position, promise] : st.awaiting)
    if (promise)
      promise->deliver(make_error(why));
  st.awaiting.clear();
  st.applied_early.clear();
  for (auto& [entry, promise] : st.held)
    promise.deliver(make_error(why));
  st.held.clear();
}

registrar_actor::behavior_type registrar(self_ptr self, registrar_options options) {
  self->state.options = std::move(options);
  return {
    [=](apply_atom, std::string& entry) -> apply_result {
      auto& st = self->state;
      // An object over its limit is refused before it reaches the log: a
      // refused entry would change nothing, but would still take log space.
      if (auto why = entry_problem(entry); !why.empty())
        return apply_result(false, why, 0);
      if (!st.options.log) {
        auto r = st.reg.apply(entry);
        return apply_result(r.ok, r.error, r.version);
      }
      if (st.recovering)
        return make_error("the registry is recovering");
      auto promise = self->make_response_promise<bool, std::string, uint64_t>();
      if (st.snapshot_phase != phase::normal) {
        if (st.held.size() >= max_held)
          return make_error("the registry is writing a snapshot; too many writes wait for it");
        st.held.emplace_back(std::move(entry), promise);
        return promise;
      }
      send_append(self, std::move(entry), promise);
      return promise;
    },
    [=](recover_atom) -> caf::result<std::string> {
      auto& st = self->state;
      if (!st.options.log)
        return st.reg.snapshot(); // nothing to replay: what it holds is all there is
      ++st.generation;
      abandon_pending(self, "the registry was recovered meanwhile: the outcome is unknown");
      st.reg = registry{};
      st.applied_end = 0;
      st.reading = false;
      st.read_again = false;
      st.recovering = true;
      st.snapshot_phase = phase::normal;
      st.since_snapshot = 0;
      st.snapshot_refused = false;
      auto generation = st.generation;
      auto promise = self->make_response_promise<std::string>();
      self->request(st.options.log, std::chrono::minutes(1), read_atom::value, uint64_t{0})
        .then(
          [=](const std::vector<uint64_t>& positions,
              const std::vector<std::string>& entries) mutable {
            auto& st = self->state;
            if (generation != st.generation) {
              promise.deliver(make_error("a newer recovery replaced this one"));
              return;
            }
            apply_learned(self, positions, entries);
            st.recovering = false;
            logger("registrar")->info("recovered from {} log entries", entries.size());
            promise.deliver(st.reg.snapshot());
            step_snapshot(self);
          },
          [=](caf::error& err) mutable { promise.deliver(std::move(err)); });
      return promise;
    },
    [=](learn_atom) {
      if (!self->state.recovering && self->state.options.log)
        learn(self);
    },
    [=](kv_get_atom, const std::string& key) -> caf::result<uint64_t, std::string> {
      if (self->state.recovering)
        return make_error("the registry is recovering");
      auto v = self->state.reg.kv_get(key);
      return caf::result<uint64_t, std::string>(v.version, v.value);
    },
    [=](registry_atom) -> caf::result<std::string> {
      if (self->state.recovering)
        return make_error("the registry is recovering");
      return self->state.reg.snapshot();
    },
  };
}

} // namespace

registrar_actor spawn_registrar(caf::actor_system& sys, registrar_options options) {
  return sys.spawn(registrar, std::move(options));
}

} // namespace cairn
