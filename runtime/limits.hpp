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

// -- actor ports (CAF's middleman behind actor_gate)

// A BASP frame's payload: the largest message (wire_max_words) plus CAF's own
// framing of it (forwarding stack, type names), with room to spare.
inline constexpr uint32_t basp_max_payload_bytes = 65 * 1024 * 1024;
// A client handshake carries only the client's node id (32 bytes for CAF's
// default ids; a URI id is a short string).
inline constexpr uint32_t basp_max_handshake_bytes = 4096;
// A peer that has not shaken hands by then is cut off, so half-open
// connections cannot pile up.
inline constexpr std::chrono::seconds basp_handshake_timeout{10};
// Once a frame has begun, the rest of it must arrive within this; a peer may
// stay idle between frames as long as it likes.
inline constexpr std::chrono::seconds basp_frame_timeout{60};
// Peers one gate serves at once (each costs three descriptors: the peer's,
// the gate's to the middleman, the middleman's). Agents and executors connect
// here, so the bound sits well above a large cluster's agents per master.
inline constexpr size_t basp_max_connections = 32768;

// -- master

// Offers and tasks in one ACCEPT: Mesos has no limit; ours keeps one call's
// validation work bounded.
inline constexpr size_t max_offers_per_accept = 1024;
inline constexpr size_t max_operations_per_accept = 4096;
// Completed tasks and frameworks kept by the master are bounded by Mesos'
// --max_completed_tasks_per_framework and --max_completed_frameworks.
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
// Update uuids an agent remembers per task to know an executor's resent
// update (after a restart) from a new one: far more than a task's updates
// that can be unacknowledged at once (limits::executor_unacknowledged_updates).
inline constexpr size_t max_received_update_uuids = 1024;

// -- executor

// Updates a command executor keeps until its agent acknowledges them (sent
// again on re-subscribing after an agent restart). While the agent is away a
// task makes a handful (starting, running, a health or check change every
// interval, killing, its end); past this many the oldest non-terminal ones
// are forgotten, never the terminal one.
inline constexpr size_t executor_unacknowledged_updates = 1000;

// -- http

// /files/* requests, LIST_FILES and READ_FILE each block a thread while
// they run; past this many at once a node answers 503 rather than start
// more threads.
inline constexpr size_t max_files_calls_running = 16;
// One /files/read or READ_FILE answer holds at most this much of a file:
// Mesos' 16 pages of 4 KiB. Readers page on.
inline constexpr uint64_t files_read_max_bytes = 64 * 1024;
// /files/download of a larger file is refused (it is held in memory whole).
inline constexpr uint64_t files_download_max_bytes = 64ull * 1024 * 1024;
// A listing (and the search for an executor's latest run) looks at no more
// entries than this: a directory of millions of files is refused, not sent.
inline constexpr size_t files_browse_max_entries = 100000;

inline constexpr size_t http_max_body_bytes = 16 * 1024 * 1024;
// Largest JSON document decoded (a /master/state of a big cluster, read by the CLI).
inline constexpr size_t json_max_bytes = 256ull * 1024 * 1024;
// Bytes a chunked response may have queued but not yet written to its client.
// A subscriber that falls this far behind is cut off (its write() returns
// false); Mesos schedulers and event followers reconnect, which is cheaper
// than keeping an unbounded backlog for a reader that may never catch up.
inline constexpr size_t http_stream_max_queued_bytes = 8 * 1024 * 1024;
// Connections one HTTP server holds at once (--http-max-connections). Each
// is a descriptor: the server raises the process's soft RLIMIT_NOFILE
// towards its hard limit to fit them, and serves fewer (with a warning)
// where even that does not. Past the bound a new connection displaces the
// oldest one that is idle or still sending its request, and is answered 503
// at once when every connection is busy or streaming: leaving newcomers in
// the kernel's accept backlog is what once made /health time out for as
// long as 8,300 stalled uploads were held.
inline constexpr size_t http_max_connections = 8192;
// Connections from one client address (--http-max-connections-per-address):
// one client may hold an eighth of a server, never all of it, while a NAT or
// proxy in front of many clients still fits. Past it, that address's new
// connections are answered 503 and closed at once; other addresses are
// served as before.
inline constexpr size_t http_max_connections_per_address = 1024;
// Descriptors kept out of the HTTP servers' reach for everything else in the
// process: LevelDB files, actor connections, executors' pipes, the fetcher.
inline constexpr size_t http_reserved_descriptors = 1024;
// A server takes at least this many connections even where the descriptor
// budget has no room left (accept then fails for want of descriptors and
// backs off): a node must stay reachable at all.
inline constexpr size_t http_min_connections = 64;
// A request's whole body must arrive within this of its headers
// (--http-body-timeout), as kj already bounds the headers by 15 s: a
// client that sends headers and then trickles or withholds the body would
// otherwise hold its connection forever. Answered 408, then closed. A full
// http_max_body_bytes upload needs about 1.1 MiB/s to make it.
inline constexpr std::chrono::seconds http_body_timeout{15};
// A refused connection's 503 is written to an empty socket buffer, so this
// is never reached in practice; it keeps a client that does not read from
// holding the descriptor anyway.
inline constexpr std::chrono::seconds http_refusal_write_timeout{1};
// Bytes read and discarded at a time from a client while its streamed
// answer runs (the read is how its hang-up is noticed).
inline constexpr size_t http_stream_discard_bytes = 4096;
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

// -- registry: stored objects and quotas
//
// Anyone who can subscribe a framework, register an agent or write a key
// writes to the registry (storage/registry.hpp), and what it holds outlives
// restarts. Mesos bounds none of this; we bound each object and give each
// kind of record a share, so that one sender cannot fill the registry and
// lock everyone else out. Sizes are those of the stored Cap'n Proto form.

// One FrameworkInfo, labels and id included. Marathon's, Spark's and
// Jenkins' are well under 1 KiB; 64 KiB leaves room for generous labels
// while a framework still costs at most 1/128 of the frameworks' share.
inline constexpr uint64_t max_framework_info_bytes = 64 * 1024;
// One AgentInfo (hostname, resources, attributes): a resource takes about a
// hundred bytes, so this holds several hundred resources and attributes,
// more than any agent declares.
inline constexpr uint64_t max_agent_info_bytes = 64 * 1024;
// Agent and framework ids and role names: generated ids are ~40 bytes.
inline constexpr size_t max_registry_name_bytes = 1024;
// A key of the key-value store: a path such as `services/apps/web`.
inline constexpr size_t max_kv_key_bytes = 1024;
// A value holds coordination state (a leader, an app definition, a job),
// not data; ZooKeeper's znodes stop at 1 MiB too.
inline constexpr size_t max_kv_value_bytes = 1024 * 1024;
// The whole registry: its snapshot is one log entry (wire_max_words), and a
// quarter of that is left for Cap'n Proto's framing.
inline constexpr uint64_t max_registry_bytes = wire_max_words * 8 / 4 * 3;
// The key-value store's own quota: a full store refuses writes of keys only,
// never frameworks or agents. Sixteen maximal values, or thousands of app
// definitions.
inline constexpr uint64_t kv_quota_bytes = 16 * 1024 * 1024;
// The frameworks' share: ~25,000 typical FrameworkInfos, 128 maximal ones.
inline constexpr uint64_t frameworks_quota_bytes = 8 * 1024 * 1024;
// The role weights' share: 10,000 weighted roles with names of ~100 bytes.
inline constexpr uint64_t weights_quota_bytes = 2 * 1024 * 1024;
// What only agents may use, so that new agents are admitted however many
// frameworks, weights and keys there are: 22 MiB, over 20,000 agents of a
// typical size (~1,000 bytes: five resources, two attributes; a Resource
// has room for every field of Mesos' own). They may also use what frameworks
// and weights leave: over 30,000 when those are few.
inline constexpr uint64_t agents_reserved_bytes =
  max_registry_bytes - kv_quota_bytes - frameworks_quota_bytes - weights_quota_bytes;
static_assert(agents_reserved_bytes >= 16 * 1024 * 1024);
// Roles with a weight: far more than any cluster configures.
inline constexpr size_t max_weighted_roles = 10'000;
// Keys in the store: each costs a record however small its value.
inline constexpr size_t max_kv_keys = 100'000;
// Keys one kv_list answer holds; readers page on with `after`.
inline constexpr size_t max_kv_list_keys = 1000;

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

// -- agent checkpoints

// Largest checkpoint file read back (64 MiB): an info file is a few KiB; a
// task's update stream grows by a record per update (a few hundred bytes)
// until compact_updates() cuts it back to what recovery needs. A larger file
// is not one the agent wrote, and reading it whole could exhaust memory.
inline constexpr uint64_t max_checkpoint_file_bytes = 64ull * 1024 * 1024;
// Largest record inside one: a message as large as the wire allows.
inline constexpr uint64_t max_checkpoint_record_bytes = wire_max_words * 8;

} // namespace cairn::limits
