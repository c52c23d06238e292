// Where a replica keeps its durable state: the promise, its status, where the
// log begins, and the actions. LevelDB in the product (leveldb_log_store), an
// in-memory store in tests and simulation that can lose unsynced writes.
#pragma once

#include <optional>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "storage/paxos/replica.hpp"

namespace cairn {

struct store_batch {
  std::optional<paxos::proposal> promised;
  std::optional<paxos::replica_status> status;
  std::optional<paxos::position> begin;  // actions before it are erased
  std::vector<paxos::action> actions;

  static store_batch from(const paxos::replica_ready& r) {
    return {r.promised, r.status, r.begin, r.actions};
  }
  bool empty() const {
    return !promised && !status && !begin && actions.empty();
  }
};

class log_store {
public:
  virtual ~log_store() = default;
  virtual caf::expected<paxos::durable_state> load() = 0;
  // All of `batch` or nothing; with `sync`, durable when this returns.
  virtual caf::error write(const store_batch& batch, bool sync) = 0;
};

// For tests and simulation: writes are kept in memory; unsynced ones are
// lost by crash(); wipe() loses the disk.
class memory_log_store final : public log_store {
public:
  caf::expected<paxos::durable_state> load() override;
  caf::error write(const store_batch& batch, bool sync) override;

  void crash();
  void wipe();
  // The next write fails (a full disk, a broken device).
  void fail_next_write() {
    fail_next_ = true;
  }

private:
  static void apply(paxos::durable_state& state, const store_batch& batch);
  static paxos::durable_state blank() {
    paxos::durable_state s;
    s.status = paxos::replica_status::empty; // as a new disk would say
    return s;
  }

  paxos::durable_state durable_ = blank();
  std::vector<store_batch> unsynced_;
  bool fail_next_ = false;
};

} // namespace cairn
