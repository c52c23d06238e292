// Every bound in the system, in one place, with the reason for each.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace cairn::limits {

// -- messages

// Largest message accepted from another process (64 MiB): a /master/state of
// a big cluster fits; anything larger is refused before it is allocated.
inline constexpr uint64_t wire_max_words = 8ull * 1024 * 1024;
inline constexpr int wire_max_nesting = 64;
// Most messages are small; the builder grows by doubling when one is not.
inline constexpr unsigned wire_first_segment_words = 128;

// -- master

// Offers and tasks in one ACCEPT: Mesos has no limit; ours keeps one call's
// validation work bounded.
inline constexpr size_t max_offers_per_accept = 1024;
inline constexpr size_t max_operations_per_accept = 4096;
// Terminal tasks kept per framework for /master/state (Mesos'
// --max_completed_tasks_per_framework default).
inline constexpr size_t max_completed_tasks_per_framework = 1000;
// Torn-down frameworks kept for /master/state (Mesos' --max_completed_frameworks).
inline constexpr size_t max_completed_frameworks = 50;
// Status history kept per task.
inline constexpr size_t max_statuses_per_task = 16;
// Operators following one master's event stream at once.
inline constexpr size_t max_operator_subscribers = 1000;
// Frameworks and agents one master admits.
inline constexpr size_t max_frameworks = 100'000;
inline constexpr size_t max_agents = 100'000;

// -- agent

// Unacknowledged updates kept per task before the oldest are dropped is never
// done: an update is retried until acknowledged. What is bounded is the
// number of tasks one agent runs at once.
inline constexpr size_t max_tasks_per_agent = 100'000;
// Ended executors an agent remembers (with their sandboxes) for /state.
inline constexpr size_t max_completed_executors = 1000;

// -- http

// One /files/read answer holds at most this much of a file; readers page on.
inline constexpr uint64_t files_read_max_bytes = 1024 * 1024;
// /files/download of a larger file is refused (it would block the HTTP thread).
inline constexpr uint64_t files_download_max_bytes = 64ull * 1024 * 1024;

inline constexpr size_t http_max_body_bytes = 16 * 1024 * 1024;
// Largest JSON document decoded (a /master/state of a big cluster, read by the CLI).
inline constexpr size_t json_max_bytes = 256ull * 1024 * 1024;
// Bytes a chunked response may have queued but not yet written to its client.
// A subscriber that falls this far behind is cut off (its write() returns
// false); Mesos schedulers and event followers reconnect, which is cheaper
// than keeping an unbounded backlog for a reader that may never catch up.
inline constexpr size_t http_stream_max_queued_bytes = 8 * 1024 * 1024;
// Connections served at once; each is a file descriptor, so the process's
// descriptor limit must exceed it. Past it, new clients wait in the kernel's
// accept backlog until a connection ends.
inline constexpr size_t http_max_connections = 8192;
// An upload refused with 413 is read and discarded up to this many bytes (or
// this long) so that the client reads its 413 instead of a reset connection;
// past either, the connection is closed.
inline constexpr size_t http_refused_body_drain_bytes = http_max_body_bytes + 1024 * 1024;
inline constexpr std::chrono::seconds http_refused_body_drain_timeout{10};
// Largest response body the blocking client keeps: a JSON /master/state of
// the biggest cluster we admit (its Cap'n Proto form is capped at 64 MiB by
// wire_max_words; JSON runs a few times larger).
inline constexpr size_t http_client_max_response_bytes = 256 * 1024 * 1024;
// The body of an error answer to a streaming GET is kept for the error
// message, up to this many bytes.
inline constexpr size_t http_client_max_error_body_bytes = 64 * 1024;

// -- values from outside: ids, names and numbers checked where they enter

// An id becomes a directory name in a sandbox path: NAME_MAX of Linux.
inline constexpr size_t max_id_bytes = 255;
// A role is a key of the allocator's and the registry's maps (the registry
// keeps names up to 1024 bytes).
inline constexpr size_t max_role_bytes = 1024;
// Largest value of one scalar resource, and of the total of one name in one
// list of resources (10^10: cpus, or MB of mem and disk, i.e. 10 PB). Scalars
// are kept in thousandths in an int64: the sum over max_agents agents
// (10^18 thousandths) stays below 2^63 (9.2 * 10^18), so no sum can wrap.
inline constexpr double max_scalar_value = 1e10;
// Largest bound of a range (ports): 2^53, the largest integer a JSON number
// holds exactly; it also keeps `end + 1` in range arithmetic from wrapping.
inline constexpr uint64_t max_range_value = 1ull << 53;
// DRF divides shares by role weights (Mesos takes any positive number): the
// lightest weight matches the thousandths scalars are kept in, and a ratio of
// 10^9 between roles is past any fair-share policy while shares stay finite.
inline constexpr double min_role_weight = 1e-3;
inline constexpr double max_role_weight = 1e6;
// Durations from outside (failover_timeout, kill_policy.grace_period): Mesos
// refuses what its int64 nanoseconds cannot hold (292 years); ten years is
// "never" for any framework and leaves room to add it to a time point.
inline constexpr double max_input_duration_seconds = 10.0 * 365 * 24 * 3600;

} // namespace cairn::limits
