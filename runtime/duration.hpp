// Durations and sizes in Mesos' forms ("15secs", "500ms", "2mins", "1hrs",
// "1GB") and the short ones ("15s", "2m", "3h", "1d").
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace cairn {

using duration = std::chrono::nanoseconds;

caf::expected<duration> parse_duration(std::string_view text);
// "15secs", "500ms", "2mins": the shortest exact Mesos form.
std::string format_duration(duration d);
double to_seconds(duration d);
duration from_seconds(double seconds);

// Bytes from "1GB", "512MB", "4096KB", "100B"; a bare number is bytes.
caf::expected<uint64_t> parse_bytes(std::string_view text);

} // namespace cairn
