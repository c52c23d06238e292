#include "storage/log_store.hpp"

#include "runtime/errors.hpp"

namespace cairn {

void memory_log_store::apply(paxos::durable_state& state, const store_batch& batch) {
  if (batch.promised)
    state.promised = *batch.promised;
  if (batch.status)
    state.status = *batch.status;
  if (batch.begin) {
    state.begin = *batch.begin;
    state.actions.erase(state.actions.begin(), state.actions.lower_bound(*batch.begin));
  }
  for (const auto& a : batch.actions)
    if (a.pos >= state.begin)
      state.actions[a.pos] = a;
}

caf::expected<paxos::durable_state> memory_log_store::load() {
  auto state = durable_;
  for (const auto& b : unsynced_)
    apply(state, b);
  return state;
}

caf::error memory_log_store::write(const store_batch& batch, bool sync) {
  if (fail_next_) {
    fail_next_ = false;
    return make_error("write failed (injected)", caf::sec::runtime_error);
  }
  unsynced_.push_back(batch);
  if (sync) {
    for (const auto& b : unsynced_)
      apply(durable_, b);
    unsynced_.clear();
  }
  return caf::none;
}

void memory_log_store::crash() {
  unsynced_.clear();
}

void memory_log_store::wipe() {
  durable_ = blank();
  unsynced_.clear();
}

} // namespace cairn
