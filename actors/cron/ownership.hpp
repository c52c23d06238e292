// Which cron instance schedules when several share one key prefix: the
// owner record (its value the owner's API address) is claimed by
// compare-and-set and renewed every few seconds; a standby watches its
// version move and takes over once it has stood still for longer than the
// timeout. A pure core: the actor reads and writes the record and feeds the
// answers in, with its clock.
//
// The owner holds a lease of half the timeout from the instant it sent its
// last confirmed renewal, and neither schedules nor writes outside it; a
// standby saw that renewal no earlier than it was sent and waits the whole
// timeout from then, so the two never act at once while clocks run at one
// rate.
#pragma once

#include <cstdint>
#include <string>

namespace cairn::cron {

class ownership {
public:
  ownership(std::string self_address, int64_t timeout_ms);

  struct step {
    // Write (this instance's address, expecting `expected_version`), or read.
    bool write = false;
    uint64_t expected_version = 0;
  };
  // What to do at `now_ms` (once per renewal interval).
  step next(int64_t now_ms) const;

  // The record read at `now_ms` (version 0: absent).
  void observed(uint64_t version, const std::string& owner, int64_t now_ms);
  // A write sent at `sent_ms` was answered: `written` with `version`, or
  // refused (someone else's version is there now).
  void wrote(bool written, uint64_t version, int64_t sent_ms);

  // Whether this instance may schedule, launch and write at `now_ms`.
  bool owns(int64_t now_ms) const;
  // Whether it won the record and no one has taken it since (its lease may
  // have lapsed while the store did not answer).
  bool claimed() const { return claimed_; }
  // The owner's address as last seen ("" when none is known).
  const std::string& owner() const { return owner_; }
  int64_t timeout_ms() const { return timeout_ms_; }

private:
  std::string self_;
  int64_t timeout_ms_;
  bool known_ = false;        // the record has been read at least once
  uint64_t version_ = 0;
  std::string owner_;
  int64_t moved_ms_ = 0;      // when its version was last seen to move
  bool claimed_ = false;
  int64_t lease_from_ms_ = 0; // when the last confirmed renewal was sent
};

} // namespace cairn::cron
