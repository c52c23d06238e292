// The owner record's I/O (the decisions are ownership.hpp's): read while a
// standby, compare-and-set while claiming or renewing; a claim starts the
// scheduling, and an owner whose record someone else took quits, as a Mesos
// master that lost its leadership does, for its supervisor to start it again
// as a standby.
#include <caf/event_based_actor.hpp>

#include "actors/cron/cron_state.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"

namespace cairn::cron {

void owner_step(cron_actor_ptr self);

namespace {

auto log() {
  return logger("cron");
}

std::chrono::milliseconds renew_interval(const cron_state& st) {
  auto t = std::chrono::duration_cast<std::chrono::milliseconds>(st.options.owner_timeout);
  return std::max(std::chrono::milliseconds(100), t / 5);
}

std::string owner_key(const cron_state& st) {
  return st.options.kv_prefix + "owner";
}

void after_answer(cron_actor_ptr self, bool was_claimed, const std::string& address) {
  auto& st = self->state;
  auto& o = *st.owner;
  // Once it has owned the prefix, this instance never goes back to standing by.
  if ((was_claimed || st.recovering) && !o.claimed() && !o.owner().empty()
      && o.owner() != address) {
    log()->error("cron at {} took over {}; this instance quits", o.owner(),
                 st.options.kv_prefix);
    self->quit(make_error("another cron (" + o.owner() + ") owns " + st.options.kv_prefix));
    return;
  }
  if (o.claimed() && !st.recovering) {
    st.recovering = true;
    log()->info("this cron ({}) owns {}; reading its state back", address,
                st.options.kv_prefix);
    start_owning(self);
    return;
  }
  // Writes skipped while the lease had lapsed are made again.
  if (st.recovered && take_behind(st.store))
    store_all(self);
}

} // namespace

void begin_ownership(cron_actor_ptr self, const std::string& address) {
  auto& st = self->state;
  if (st.owner)
    return;
  st.owner_address = address;
  st.owner.emplace(address,
                   std::chrono::duration_cast<std::chrono::milliseconds>(st.options.owner_timeout)
                     .count());
  self->send(self, owner_tick_atom::value);
}

void owner_tick(cron_actor_ptr self) {
  self->delayed_send(self, renew_interval(self->state), owner_tick_atom::value);
  owner_step(self);
}

void owner_step(cron_actor_ptr self) {
  auto& st = self->state;
  auto interval = renew_interval(st);
  int64_t sent = now_ms();
  auto step = st.owner->next(sent);
  std::string address = st.owner_address;
  auto failed = [self](caf::error& err) {
    log()->debug("the owner record: {}", self->system().render(err));
    find_store_master(self, self->state.store);
  };
  if (step.write) {
    self->request(st.store.master, interval, kv_set_atom::value, owner_key(st), address,
                  step.expected_version, false)
      .then(
        [=](bool written, const std::string& why, uint64_t version) {
          auto& o = *self->state.owner;
          bool was = o.claimed();
          if (!written)
            log()->info("the owner record was not written: {}", why);
          o.wrote(written, version, sent);
          after_answer(self, was, address);
        },
        failed);
    return;
  }
  self->request(st.store.master, interval, kv_get_atom::value, owner_key(st))
    .then(
      [=](uint64_t version, const std::string& value) {
        auto& o = *self->state.owner;
        bool was = o.claimed();
        auto before = o.owner();
        int64_t now = now_ms();
        o.observed(version, value, now);
        if (o.owner() != before && !o.claimed() && o.owner() != address)
          log()->info("cron at '{}' owns {}; this one stands by", o.owner(),
                      self->state.options.kv_prefix);
        after_answer(self, was, address);
        // A record to claim is claimed now rather than at the next tick.
        if (!o.claimed() && o.next(now).write)
          owner_step(self);
      },
      failed);
}

} // namespace cairn::cron
