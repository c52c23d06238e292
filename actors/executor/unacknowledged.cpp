#include "actors/executor/unacknowledged.hpp"

#include <algorithm>
#include <cassert>
#include <set>

namespace cairn {

namespace {

std::string uuid_of(const unacknowledged_book::update_wire& update) {
  auto bytes = update->getStatus().getUuid();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

} // namespace

unacknowledged_book::unacknowledged_book(size_t max_updates) : max_updates_(max_updates) {
  assert(max_updates_ > 0);
}

void unacknowledged_book::launched(wire<schema::TaskInfo> task) {
  assert(task);
  task_ = std::move(task);
}

size_t unacknowledged_book::made(update_wire update, bool terminal) {
  assert(update);
  auto uuid = uuid_of(update);
  assert(!uuid.empty());
  updates_.push_back({std::move(uuid), std::move(update), terminal, false});
  size_t forgotten = 0;
  while (updates_.size() > max_updates_) {
    auto oldest = std::find_if(updates_.begin(), updates_.end(),
                               [](const entry& e) { return !e.terminal; });
    if (oldest == updates_.end())
      break; // only terminal ones: each is kept
    updates_.erase(oldest);
    ++forgotten;
  }
  check_invariants();
  return forgotten;
}

bool unacknowledged_book::acknowledged(const std::string& uuid) {
  auto it = std::find_if(updates_.begin(), updates_.end(),
                         [&](const entry& e) { return e.uuid == uuid; });
  if (it == updates_.end())
    return false;
  updates_.erase(it);
  // The agent has an update of the task, so it knows the task.
  task_ = {};
  check_invariants();
  return true;
}

void unacknowledged_book::connection_lost() {
  for (auto& e : updates_)
    e.sent = false;
}

void unacknowledged_book::mark_all_sent() {
  for (auto& e : updates_)
    e.sent = true;
}

void unacknowledged_book::mark_sent(const std::string& uuid) {
  for (auto& e : updates_)
    if (e.uuid == uuid)
      e.sent = true;
}

void unacknowledged_book::check_invariants() const {
  std::set<std::string> seen;
  size_t non_terminal = 0;
  for (auto& e : updates_) {
    assert(e.update);
    assert(seen.insert(e.uuid).second && "one entry per uuid");
    non_terminal += e.terminal ? 0 : 1;
  }
  assert(updates_.size() <= max_updates_ || non_terminal == 0);
  (void)non_terminal;
}

} // namespace cairn
