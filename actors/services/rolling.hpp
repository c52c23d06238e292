#pragma once
// Rolling replacement and launch backoff, as Marathon paces them. Pure.
//
// Replacing `target` old instances by new ones within an upgradeStrategy:
// at least ceil(target × minimumHealthCapacity) instances stay healthy (old
// ones running, new ones healthy), and at most floor(target × (1 +
// maximumOverCapacity)) run at once. Each decision says how many old ones
// to kill and new ones to launch now; called again whenever a count moves.
// Where the two bounds leave no room (both equal to target), one old
// instance is killed to make some, as Marathon does.
#include <cstdint>

namespace cairn::services {

struct replace_counts {
  int32_t target = 0;
  int32_t old_running = 0;
  int32_t new_launched = 0;  // launched, not healthy yet
  int32_t new_healthy = 0;
};

struct replace_decision {
  int32_t kill_old = 0;
  int32_t launch_new = 0;
};

int32_t minimum_healthy(int32_t target, double minimum_health_capacity);
int32_t maximum_running(int32_t target, double maximum_over_capacity);

replace_decision next_replacement(const replace_counts& c, double minimum_health_capacity,
                                  double maximum_over_capacity);

inline bool replacement_done(const replace_counts& c) {
  return c.old_running == 0 && c.new_healthy >= c.target;
}

// The delay before an app's next launch after failures: backoffSeconds after
// the first, times backoffFactor after each further one, at most
// maxLaunchDelaySeconds; a TASK_KILLED does not count, a new version or
// DELETE /v2/queue/{id}/delay starts over. Times are seconds on the caller's
// clock.
class launch_backoff {
public:
  void failed(double now, double backoff_seconds, double factor, double max_delay);
  void reset() { delay_ = 0, due_ = 0; }
  double delay() const { return delay_; }
  double time_left(double now) const { return due_ > now ? due_ - now : 0; }
  bool overdue(double now) const { return now >= due_; }

private:
  double delay_ = 0;
  double due_ = 0;
};

} // namespace cairn::services
