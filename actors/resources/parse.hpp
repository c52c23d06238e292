// Mesos' text forms of resources ("cpus:4;mem:4096;ports:[31000-32000]",
// "disk(role):100", "gpus:{0,1}") and attributes ("rack:a;zone:1").
// Errors name the part that is wrong.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "actors/resources/resources.hpp"

namespace cairn {

caf::expected<resources> parse_resources(std::string_view text);

struct attribute {
  std::string name;
  // Exactly one of these is meaningful, by kind; text attributes use `text`.
  enum class kind_t { scalar, ranges, set, text } kind = kind_t::text;
  double scalar = 0;
  std::vector<interval> ranges;
  std::vector<std::string> set;
  std::string text;
};

caf::expected<std::vector<attribute>> parse_attributes(std::string_view text);

} // namespace cairn
