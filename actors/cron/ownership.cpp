#include "actors/cron/ownership.hpp"

#include <cassert>

namespace cairn::cron {

ownership::ownership(std::string self_address, int64_t timeout_ms)
  : self_(std::move(self_address)), timeout_ms_(timeout_ms) {
  assert(!self_.empty());
  assert(timeout_ms_ > 0);
}

ownership::step ownership::next(int64_t now_ms) const {
  if (claimed_)
    return {true, version_};  // renew
  if (!known_)
    return {};
  // Absent, ours from an earlier life, or stood still for the timeout.
  if (version_ == 0 || owner_ == self_ || now_ms - moved_ms_ > timeout_ms_)
    return {true, version_};
  return {};
}

void ownership::observed(uint64_t version, const std::string& owner, int64_t now_ms) {
  if (!known_ || version != version_) {
    moved_ms_ = now_ms;
    if (claimed_ && owner != self_)
      claimed_ = false;  // taken over
  }
  known_ = true;
  version_ = version;
  owner_ = version == 0 ? "" : owner;
  assert(!claimed_ || owner_ == self_);
}

void ownership::wrote(bool written, uint64_t version, int64_t sent_ms) {
  if (!written) {
    // Someone else's version: read it before anything else.
    claimed_ = false;
    known_ = false;
    return;
  }
  assert(version > 0);
  if (version != version_)
    moved_ms_ = sent_ms;
  claimed_ = true;
  known_ = true;
  version_ = version;
  owner_ = self_;
  if (sent_ms > lease_from_ms_)
    lease_from_ms_ = sent_ms;
}

bool ownership::owns(int64_t now_ms) const {
  return claimed_ && now_ms - lease_from_ms_ < timeout_ms_ / 2;
}

} // namespace cairn::cron
