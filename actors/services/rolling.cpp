#include "actors/services/rolling.hpp"

#include <algorithm>
#include <cmath>

namespace cairn::services {

// A product like 4 × 0.7 is 2.8000000000000003 in doubles: rounded within a
// hair first, so that ceil and floor see the number a user meant.
namespace {
double tidy(double x) {
  return std::round(x * 1e9) / 1e9;
}
} // namespace

int32_t minimum_healthy(int32_t target, double minimum_health_capacity) {
  return static_cast<int32_t>(std::ceil(tidy(target * minimum_health_capacity)));
}

int32_t maximum_running(int32_t target, double maximum_over_capacity) {
  return static_cast<int32_t>(std::floor(tidy(target * (1.0 + maximum_over_capacity))));
}

replace_decision next_replacement(const replace_counts& c, double minimum_health_capacity,
                                  double maximum_over_capacity) {
  replace_decision d;
  int32_t least = minimum_healthy(c.target, minimum_health_capacity);
  int32_t most = std::max(maximum_running(c.target, maximum_over_capacity), c.target);
  int32_t healthy = c.old_running + c.new_healthy;
  int32_t running = c.old_running + c.new_launched + c.new_healthy;
  d.kill_old = std::clamp(healthy - least, 0, c.old_running);
  int32_t needed = c.target - c.new_launched - c.new_healthy;
  int32_t room = most - (running - d.kill_old);
  d.launch_new = std::max(0, std::min(room, needed));
  if (d.launch_new == 0 && d.kill_old == 0 && needed > 0 && c.new_launched == 0 &&
      c.old_running > 0) {
    d.kill_old = 1;  // no room within both bounds: make some
    d.launch_new = std::max(0, std::min(room + 1, needed));
  }
  return d;
}

void launch_backoff::failed(double now, double backoff_seconds, double factor,
                            double max_delay) {
  delay_ = delay_ == 0 ? backoff_seconds : delay_ * factor;
  delay_ = std::min(delay_, max_delay);
  due_ = now + delay_;
}

} // namespace cairn::services
