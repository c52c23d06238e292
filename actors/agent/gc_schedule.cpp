#include "actors/agent/gc_schedule.hpp"

#include <algorithm>
#include <cmath>

namespace cairn {

duration gc_max_age(const gc_policy& policy, double usage) {
  double share = std::max(0.0, 1.0 - policy.disk_headroom - usage);
  return duration(std::llround(static_cast<double>(policy.delay.count()) * share));
}

void gc_schedule::schedule(const std::string& path, time_point now) {
  unschedule(path);
  auto when = now + policy_.delay;
  by_time_.emplace(when, path);
  removal_[path] = when;
}

bool gc_schedule::unschedule(const std::string& path) {
  auto i = removal_.find(path);
  if (i == removal_.end())
    return false;
  auto [first, last] = by_time_.equal_range(i->second);
  for (auto j = first; j != last; ++j)
    if (j->second == path) {
      by_time_.erase(j);
      break;
    }
  removal_.erase(i);
  return true;
}

std::vector<std::string> gc_schedule::take_until(time_point deadline) {
  std::vector<std::string> out;
  auto end = by_time_.upper_bound(deadline);
  for (auto i = by_time_.begin(); i != end; ++i) {
    out.push_back(i->second);
    removal_.erase(i->second);
  }
  by_time_.erase(by_time_.begin(), end);
  return out;
}

std::vector<std::string> gc_schedule::due(time_point now) {
  return take_until(now);
}

std::vector<std::string> gc_schedule::prune(double usage, time_point now) {
  // A path scheduled at s is due at s + delay; it has waited max_age when
  // now - s >= max_age, i.e. when it is due within delay - max_age.
  return take_until(now + (policy_.delay - gc_max_age(policy_, usage)));
}

std::optional<gc_schedule::time_point> gc_schedule::next_due() const {
  if (by_time_.empty())
    return std::nullopt;
  return by_time_.begin()->first;
}

} // namespace cairn
