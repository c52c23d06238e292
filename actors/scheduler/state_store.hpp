// A framework's state in the master's replicated key-value store, as the
// built-in frameworks (cron, services) keep theirs: whole values under one
// prefix. At most one write of a key is in flight; writes asked for
// meanwhile wait for it and then make one write of the latest value, so a
// value rewritten on every change (an app with a thousand instances) costs
// a write per round trip rather than one per change. A write that fails, or that
// the framework may not make now, marks the store behind; once the leading
// master is found again the framework writes everything once more. Reading
// back is a fan of key reads; when one is not answered (no leader yet) the
// whole read-back starts again shortly and answers to the old one are
// ignored.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/event_based_actor.hpp>

#include "actors/master/master.hpp"

namespace cairn {

// Messages the framework actor handles: the finder's answer (an invalid
// handle when no master was found in time), and a read-back to start again.
using store_master_found_atom = caf::atom_constant<caf::atom("stmaster")>;
using store_read_again_atom = caf::atom_constant<caf::atom("streread")>;

// A key's writes: whether one is in flight, and the next to make once it
// is answered (what renders the latest value, and who waits for it).
struct key_writes {
  bool in_flight = false;
  std::function<std::string()> next;
  std::vector<std::function<void(bool stored)>> next_waiting;
  std::vector<uint64_t> next_ops;  // the puts the next write answers
};

// A change (an API call) waiting for its puts and erases: those numbered
// from `first` to `last` (open while the change is being made).
struct store_change_wait {
  uint64_t first = 0;
  uint64_t last = UINT64_MAX;
  bool stored = true;  // none of them failed so far
  std::function<void(bool stored)> then;
};

struct state_store {
  std::string prefix;                         // every key starts with it
  std::vector<std::string> master_addresses;  // where to look for the leader
  std::string component;                      // the log's name
  master_actor master;
  // Whether writes may be made now (cron: only while it holds its lease);
  // absent: always.
  std::function<bool()> may_write;
  bool finding_master = false;
  bool behind = false;  // a write was skipped or failed
  // The read-back under way: keys not answered yet, what to do once all
  // are, and which attempt answers count for.
  size_t pending_reads = 0;
  std::function<void()> on_read_back;
  uint64_t generation = 0;
  std::map<std::string, key_writes> writes;  // by key, while any is in flight
  // Puts and erases are numbered as asked for; those not yet answered are
  // open, and a change is answered once none of its own is.
  uint64_t ops_asked = 0;
  std::set<uint64_t> ops_open;
  std::vector<store_change_wait> changes;
};

// Looks for the leading master from a thread that may block; the answer
// comes to `self` as store_master_found_atom.
void find_store_master(caf::event_based_actor* self, state_store& store);

// The finder's answer: no master yet looks again.
void store_master_found(caf::event_based_actor* self, state_store& store, master_actor master);

// Whether the framework should write everything again now: the store is
// behind, writes may be made and the master is not being looked for. The
// store is then no longer behind.
bool take_behind(state_store& store);

// Writes prefix + `key` with the value `render` gives when the write is
// made (now, or once the write in flight is answered); `then`, if given,
// hears whether the store confirmed a value at least as new as this one.
// An unanswered write may still have been applied.
void store_put(caf::event_based_actor* self, state_store& store, const std::string& key,
               std::function<std::string()> render,
               std::function<void(bool stored)> then = nullptr);
// Erases prefix + `key`; a write of it not yet made is dropped (its waiters
// hear false).
void store_erase(caf::event_based_actor* self, state_store& store, const std::string& key);

// Makes `change` (which may put and erase any keys) and tells `then`, once
// every put and erase it made has been answered, whether all of them were
// stored: an API call is acknowledged only once what it changed is in the
// replicated log, so a framework that dies right after loses nothing it
// acknowledged. A put overtaken by an erase of its key counts as stored.
// What an API call answers (503) when store_change heard "not stored".
inline constexpr const char* change_not_stored =
  "the change is made but the master's replicated store did not confirm it; it is written "
  "again once the leading master answers";
void store_change(state_store& store, const std::function<void()>& change, std::function<void(bool stored)> then);

// Starts a read-back: clears what the last one left, then `done` runs once
// every store_read of this read-back has been answered.
void begin_read_back(state_store& store, std::function<void()> done);
// Reads prefix + `key` as part of the read-back under way (the value is ""
// when absent).
void store_read(caf::event_based_actor* self, state_store& store, const std::string& key,
                std::function<void(const std::string& value)> got);

} // namespace cairn
