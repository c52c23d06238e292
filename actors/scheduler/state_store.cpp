#include "actors/scheduler/state_store.hpp"

#include <utility>

#include "runtime/connector.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

constexpr auto store_timeout = std::chrono::seconds(10);
constexpr auto read_again_after = std::chrono::seconds(1);
constexpr auto find_master_within = std::chrono::seconds(30);

bool writable(const state_store& store) {
  return !store.may_write || store.may_write();
}

} // namespace

void find_store_master(caf::event_based_actor* self, state_store& store) {
  if (store.finding_master || store.master_addresses.empty())
    return;
  store.finding_master = true;
  auto addresses = store.master_addresses;
  auto back = caf::actor_cast<caf::actor>(self);
  self->system().spawn<caf::detached>([addresses, back](caf::event_based_actor* finder) {
    auto found = connect_within<master_actor>(finder->system(), addresses, find_master_within);
    finder->send(back, store_master_found_atom::value, found ? *found : master_actor{});
    finder->quit();
  });
}

void store_master_found(caf::event_based_actor* self, state_store& store, master_actor master) {
  store.finding_master = false;
  if (!master) {
    find_store_master(self, store);
    return;
  }
  logger(store.component)->info("the key-value store's master found");
  store.master = std::move(master);
}

bool take_behind(state_store& store) {
  if (!store.behind || store.finding_master || !writable(store))
    return false;
  store.behind = false;
  return true;
}

namespace {

using waiters = std::vector<std::function<void(bool stored)>>;
using ops = std::vector<uint64_t>;

uint64_t open_op(state_store& store) {
  store.ops_open.insert(++store.ops_asked);
  return store.ops_asked;
}

// Answers the changes none of whose puts and erases is open any more.
void answer_changes(state_store& store) {
  std::vector<store_change_wait> ready;
  auto& all = store.changes;
  for (auto it = all.begin(); it != all.end();) {
    auto open = store.ops_open.lower_bound(it->first);
    bool done = it->last != UINT64_MAX && (open == store.ops_open.end() || *open > it->last);
    if (done) {
      ready.push_back(std::move(*it));
      it = all.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& c : ready)
    c.then(c.stored);
}

void close_ops(state_store& store, const ops& answered, bool stored) {
  for (auto n : answered) {
    store.ops_open.erase(n);
    if (!stored)
      for (auto& c : store.changes)
        if (c.first <= n && n <= c.last)
          c.stored = false;
  }
  answer_changes(store);
}

void tell(const waiters& w, bool stored) {
  for (const auto& then : w)
    if (then)
      then(stored);
}

void send_write(caf::event_based_actor* self, state_store& store, const std::string& key,
                std::string value, waiters waiting, ops numbers);

// The write in flight was answered: its waiters hear, then the next write of
// the key, if one was asked for meanwhile, is made with the latest value.
void write_answered(caf::event_based_actor* self, state_store& store, const std::string& key,
                    bool stored, const waiters& waiting, const ops& numbers) {
  tell(waiting, stored);  // may ask for more writes of the key: they queue
  close_ops(store, numbers, stored);
  auto it = store.writes.find(key);
  if (it == store.writes.end())
    return;
  auto next = std::move(it->second.next);
  auto next_waiting = std::move(it->second.next_waiting);
  auto next_ops = std::move(it->second.next_ops);
  store.writes.erase(it);
  if (!next)
    return;
  if (!writable(store)) {
    store.behind = true;
    tell(next_waiting, false);
    close_ops(store, next_ops, false);
    return;
  }
  send_write(self, store, key, next(), std::move(next_waiting), std::move(next_ops));
}

void send_write(caf::event_based_actor* self, state_store& store, const std::string& key,
                std::string value, waiters waiting, ops numbers) {
  store.writes[key].in_flight = true;
  auto* s = &store;  // lives in the actor's state, as long as its answers
  self->request(store.master, store_timeout, kv_set_atom::value, store.prefix + key,
                std::move(value), uint64_t{0}, true)
    .then(
      [self, s, key, waiting, numbers](bool ok, const std::string& why, uint64_t) {
        if (!ok)
          logger(s->component)->error("cannot store {}{}: {}", s->prefix, key, why);
        write_answered(self, *s, key, ok, waiting, numbers);
      },
      [self, s, key, waiting, numbers](caf::error& err) {
        logger(s->component)->warn("cannot store {}{}: {}; looking for the master", s->prefix,
                                   key, self->system().render(err));
        s->behind = true;
        find_store_master(self, *s);
        write_answered(self, *s, key, false, waiting, numbers);
      });
}

} // namespace

void store_put(caf::event_based_actor* self, state_store& store, const std::string& key,
               std::function<std::string()> render, std::function<void(bool stored)> then) {
  // Cron outside its lease: another instance may own the prefix by now, so
  // the value waits until writes may be made again.
  auto number = open_op(store);
  if (!writable(store)) {
    store.behind = true;
    if (then)
      then(false);
    close_ops(store, {number}, false);
    return;
  }
  auto it = store.writes.find(key);
  if (it != store.writes.end() && it->second.in_flight) {
    it->second.next = std::move(render);
    if (then)
      it->second.next_waiting.push_back(std::move(then));
    it->second.next_ops.push_back(number);
    return;
  }
  waiters waiting;
  if (then)
    waiting.push_back(std::move(then));
  send_write(self, store, key, render(), std::move(waiting), {number});
}

void store_erase(caf::event_based_actor* self, state_store& store, const std::string& key) {
  auto number = open_op(store);
  if (auto it = store.writes.find(key); it != store.writes.end() && it->second.next) {
    it->second.next = nullptr;
    tell(std::exchange(it->second.next_waiting, {}), false);
    close_ops(store, std::exchange(it->second.next_ops, {}), true);  // the erase answers for them
  }
  if (!writable(store)) {
    store.behind = true;
    close_ops(store, {number}, false);
    return;
  }
  auto* s = &store;
  self->request(store.master, store_timeout, kv_delete_atom::value, store.prefix + key,
                uint64_t{0}, true)
    // Refused only when the key is absent already (the keys are ours):
    // either way it is gone.
    .then([s, number](bool, const std::string&, uint64_t) { close_ops(*s, {number}, true); },
          [s, number](caf::error&) {
            s->behind = true;
            close_ops(*s, {number}, false);
          });
}

void store_change(state_store& store, const std::function<void()>& change,
                  std::function<void(bool stored)> then) {
  store.changes.push_back({store.ops_asked + 1, UINT64_MAX, true, std::move(then)});
  change();
  for (auto& c : store.changes)
    if (c.last == UINT64_MAX)
      c.last = store.ops_asked;  // before `first` when it made none
  answer_changes(store);
}

void begin_read_back(state_store& store, std::function<void()> done) {
  store.pending_reads = 0;
  store.on_read_back = std::move(done);
}

void store_read(caf::event_based_actor* self, state_store& store, const std::string& key,
                std::function<void(const std::string& value)> got) {
  auto* s = &store;
  auto generation = store.generation;
  ++store.pending_reads;
  auto full = store.prefix + key;
  self->request(store.master, store_timeout, kv_get_atom::value, full)
    .then(
      [s, generation, got](uint64_t, const std::string& value) {
        if (s->generation != generation)
          return;
        got(value);  // may read more keys of this read-back
        if (--s->pending_reads == 0 && s->on_read_back) {
          auto done = std::move(s->on_read_back);
          s->on_read_back = nullptr;
          done();
        }
      },
      [self, s, generation, full](caf::error& err) {
        if (s->generation != generation)
          return;
        logger(s->component)->info("cannot read {} yet ({}); reading again shortly", full,
                                   self->system().render(err));
        ++s->generation;
        self->delayed_send(self, read_again_after, store_read_again_atom::value);
        find_store_master(self, *s);
      });
}

} // namespace cairn
