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
// Status history kept per task.
inline constexpr size_t max_statuses_per_task = 16;
// Frameworks and agents one master admits.
inline constexpr size_t max_frameworks = 100'000;
inline constexpr size_t max_agents = 100'000;

// -- agent

// Unacknowledged updates kept per task before the oldest are dropped is never
// done: an update is retried until acknowledged. What is bounded is the
// number of tasks one agent runs at once.
inline constexpr size_t max_tasks_per_agent = 100'000;

// -- http

inline constexpr size_t http_max_body_bytes = 16 * 1024 * 1024;

} // namespace cairn::limits
