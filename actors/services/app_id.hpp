#pragma once
// Marathon's path ids: an app or group is named by a path of segments
// (`/team/web`). A relative id is read against a base group, `.` and `..`
// as in a file system; empty segments are dropped, so `cent`, `/cent` and
// `//cent/` all name `/cent`, as Marathon reads them.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::services {

struct path_id {
  std::vector<std::string> segments;  // empty: the root group

  std::string str() const;  // "/team/web"; "/" for the root
  bool root() const { return segments.empty(); }
  path_id parent() const;
  bool operator==(const path_id& o) const { return segments == o.segments; }
  bool operator<(const path_id& o) const { return segments < o.segments; }
};

// `text` read against `base`; an error names what is wrong: a segment that is
// not a Marathon name (lower-case letters, digits, inner dashes and dots), or
// `..` above the root.
struct parsed_id {
  std::optional<path_id> id;
  std::string error;
};
parsed_id parse_path_id(std::string_view text, const path_id& base = {});

// Marathon's pattern for one segment, quoted in its validation errors.
extern const char* const segment_pattern;

} // namespace cairn::services
