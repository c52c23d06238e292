// The types of the events of a server-sent event stream (`event: ...` lines
// ended by a blank line), fed chunk by chunk as they arrive: how `cairn lb`
// follows /v2/events to read the apps again as soon as instances change,
// rather than only on its interval. Data lines are skipped unread. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cairn::lb {

class sse_events {
public:
  // The types of the events `chunk` ends, in order ("message" when an event
  // names none, as the SSE format says).
  std::vector<std::string> feed(std::string_view chunk);

private:
  void end_line();

  std::string line_;      // the start of the unfinished line, when it may be `event:`
  bool skipping_ = false; // the unfinished line is data or too long: dropped
  bool has_lines_ = false;
  std::string type_;
  std::vector<std::string> ended_;
};

// Whether an event of Marathon's `type` may change which instances take
// traffic or which apps have service ports.
bool changes_backends(std::string_view type);

} // namespace cairn::lb
