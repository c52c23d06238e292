#include "actors/registrar/registrar.hpp"

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "storage/registry.hpp"

namespace cairn {

namespace {

struct registrar_state {
  static inline const char* name = "registrar";
  registrar_options options;
  registry reg;
  size_t since_snapshot = 0;
  size_t in_flight = 0;       // appends not yet answered
  bool snapshotting = false;
  // An append failed: whether it was chosen is unknown, so this state may
  // differ from the log's until the next recovery.
  bool stale = false;
};

using self_ptr = registrar_actor::stateful_pointer<registrar_state>;
using apply_result = caf::result<bool, std::string, uint64_t>;

apply_result answer(const registry::result& r) {
  return apply_result(r.ok, r.error, r.version);
}

// Every so often: a snapshot entry, then everything before it may go. Only
// with no append in flight: an entry that is in the log but not yet applied
// here would land before the snapshot and be lost on replay.
void maybe_snapshot(self_ptr self) {
  auto& st = self->state;
  if (!st.options.log || st.snapshotting || st.in_flight > 0 || st.stale
      || st.since_snapshot < st.options.snapshot_every)
    return;
  st.snapshotting = true;
  self->request(st.options.log, std::chrono::seconds(30), append_atom::value, st.reg.snapshot())
    .then(
      [=](uint64_t position) {
        self->state.since_snapshot = 0;
        self->request(self->state.options.log, std::chrono::seconds(30), truncate_atom::value,
                      position)
          .then([=](uint64_t) { self->state.snapshotting = false; },
                [=](caf::error&) { self->state.snapshotting = false; });
      },
      [=](caf::error& err) {
        self->state.snapshotting = false;
        logger("registrar")->warn("snapshot not written: {}", error_message(err));
      });
}

registrar_actor::behavior_type registrar(self_ptr self, registrar_options options) {
  self->state.options = std::move(options);
  return {
    [=](apply_atom, std::string& entry) -> apply_result {
      auto& st = self->state;
      if (!st.options.log)
        return answer(st.reg.apply(entry));
      if (st.stale)
        return make_error("the registry is recovering");
      auto promise = self->make_response_promise<bool, std::string, uint64_t>();
      auto data = entry;
      ++st.in_flight;
      // The log answers appends in position order (one write in flight at a
      // time, answers in send order), so applying each as its answer comes
      // is the order a replay applies them in.
      self->request(st.options.log, std::chrono::seconds(30), append_atom::value, std::move(entry))
        .then(
          [=](uint64_t) mutable {
            auto& st = self->state;
            --st.in_flight;
            auto r = st.reg.apply(data);
            promise.deliver(r.ok, r.error, r.version);
            ++st.since_snapshot;
            maybe_snapshot(self);
          },
          [=](caf::error& err) mutable {
            auto& st = self->state;
            --st.in_flight;
            st.stale = true;
            promise.deliver(std::move(err));
          });
      return promise;
    },
    [=](recover_atom) -> caf::result<std::string> {
      auto& st = self->state;
      if (!st.options.log)
        return st.reg.snapshot(); // nothing to replay: what it holds is all there is
      st.reg = registry{};
      st.stale = false;
      st.since_snapshot = 0;
      auto promise = self->make_response_promise<std::string>();
      self->request(st.options.log, std::chrono::minutes(1), read_atom::value, uint64_t{0})
        .then(
          [=](const std::vector<uint64_t>& positions, const std::vector<std::string>& entries) mutable {
            auto& st = self->state;
            size_t refused = 0;
            for (const auto& e : entries)
              refused += st.reg.apply(e).ok ? 0 : 1;
            logger("registrar")->info("recovered from {} log entries ({} refused, as when first "
                                      "applied)",
                                      entries.size(), refused);
            (void) positions;
            promise.deliver(st.reg.snapshot());
          },
          [=](caf::error& err) mutable { promise.deliver(std::move(err)); });
      return promise;
    },
    [=](kv_get_atom, const std::string& key) {
      auto v = self->state.reg.kv_get(key);
      return caf::result<uint64_t, std::string>(v.version, v.value);
    },
    [=](registry_atom) -> caf::result<std::string> {
      if (self->state.stale)
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
