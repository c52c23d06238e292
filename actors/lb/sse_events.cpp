#include "actors/lb/sse_events.hpp"

#include <cassert>

namespace cairn::lb {

namespace {

constexpr std::string_view event_field = "event:";
// Longer than any event type; a longer line is not read.
constexpr size_t line_max_bytes = 256;

} // namespace

void sse_events::end_line() {
  if (!skipping_ && line_.empty()) {
    if (has_lines_)
      ended_.push_back(type_.empty() ? "message" : type_);
    has_lines_ = false;
    type_.clear();
  } else {
    has_lines_ = true;
    if (!skipping_ && line_.compare(0, event_field.size(), event_field) == 0) {
      auto value = line_.substr(event_field.size());
      if (!value.empty() && value.front() == ' ')
        value.erase(0, 1);
      type_ = value;
    }
  }
  line_.clear();
  skipping_ = false;
}

std::vector<std::string> sse_events::feed(std::string_view chunk) {
  ended_.clear();
  for (char c : chunk) {
    if (c == '\n') {
      end_line();
      continue;
    }
    if (c == '\r' || skipping_)
      continue;
    line_.push_back(c);
    // Only an `event:` line is kept whole, and only up to a bound.
    auto n = std::min(line_.size(), event_field.size());
    if (line_.compare(0, n, event_field.substr(0, n)) != 0 || line_.size() > line_max_bytes) {
      line_.clear();
      skipping_ = true;
    }
  }
  assert(line_.size() <= line_max_bytes);
  return std::move(ended_);
}

bool changes_backends(std::string_view type) {
  for (std::string_view t : {"status_update_event", "health_status_changed_event",
                             "api_post_event", "app_terminated_event", "deployment_success",
                             "deployment_step_success", "instance_changed_event",
                             "instance_health_changed_event"})
    if (type == t)
      return true;
  return false;
}

} // namespace cairn::lb
