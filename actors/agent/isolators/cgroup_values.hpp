// What a container's limits become in cgroup control files, and how the
// kernel's answers are read back: pure functions, the isolators' decisions
// without their I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace cairn {

constexpr uint64_t cfs_period_us = 100000;        // Mesos' CPU_CFS_PERIOD, 100 ms
constexpr uint64_t min_cfs_quota_us = 1000;       // Mesos' MIN_CPU_CFS_QUOTA, 1 ms
constexpr uint64_t min_memory_bytes = 32u << 20;  // Mesos' MIN_MEMORY, 32 MB

// v1 cpu.shares: 1024 a cpu, at least 2.
uint64_t cpu_shares(double cpus);
// cpu.cfs_quota_us (v1) and cpu.max's first figure (v2): cpus x the period.
uint64_t cfs_quota_us(double cpus);
// v2 cpu.weight: 100 a cpu, within [1, 10000].
uint64_t cpu_weight(double cpus);
// v2 cpu.max: "max 100000" without a quota, "50000 100000" with one.
std::string cpu_max(double cpus, bool enable_cfs);
// memory.limit_in_bytes / memory.max: the memory asked for, at least 32 MB.
uint64_t memory_limit_bytes(double mem_mb);

// "key value" lines (memory.stat, cpu.stat, cpuacct.stat, memory.events,
// memory.oom_control) as key -> value; lines that are not are skipped.
std::map<std::string, uint64_t> parse_keyed(const std::string& text);
// A value file ("12345\n"); "max" and garbage are nullopt.
std::optional<uint64_t> parse_value(const std::string& text);
// The non-empty lines of cgroup.procs or tasks.
uint32_t count_lines(const std::string& text);

// Sizes as Mesos prints them: the largest unit that divides them ("64MB",
// "1536KB", "100B").
std::string format_bytes(uint64_t bytes);

// The limitation message, in Mesos' words: "Memory limit exceeded: Requested:
// 64MB Maximum Used: 64MB\n\nMEMORY STATISTICS: \n<memory.stat>".
std::string memory_limit_message(std::optional<uint64_t> limit_bytes,
                                 std::optional<uint64_t> max_used_bytes,
                                 const std::string& memory_stat);

// Whether an OOM kill happened, from memory.oom_control (v1) or
// memory.events (v2): the oom_kill counter above zero, or on a v1 kernel
// older than 4.13 (no counter) a cgroup under OOM.
bool oom_happened(const std::string& events);

} // namespace cairn
