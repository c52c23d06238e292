// What the cron actor keeps, shared by its parts (cron_actor.cpp: events and
// timers; cron_launch.cpp: offers; cron_api.cpp: REST; cron_store.cpp: the
// key-value store).
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/cron/cron_actor.hpp"
#include "actors/cron/dependency_graph.hpp"
#include "actors/cron/job.hpp"
#include "actors/cron/ownership.hpp"
#include "actors/scheduler/state_store.hpp"
#include "schema/cron.capnp.h"

namespace cairn::cron {

// Bounds: runs waiting for offers, history kept per job, jobs in all.
constexpr size_t max_queued_runs = 2'000;  // their record is one key of at most 1 MiB
constexpr size_t max_history_per_job = 50;
constexpr size_t max_jobs = 2'000;

// One run of a job, from due to its end (retries are new attempts).
struct run {
  std::string task_id;   // ct:<due ms>:<attempt>:<job>:
  std::string job;
  int64_t due_ms = 0;
  uint32_t attempt = 0;
  std::string state = "QUEUED";  // QUEUED, then the task's last state
  std::string agent_id;
  std::string start, end;
  int32_t exit_status = -1;
  std::string message;
  bool killed = false;   // by REPLACE or task/kill: ends without counting
  // Recorded as launched, the launch itself waiting for the store to confirm
  // that record (not stored: a run read back was either launched or not,
  // and reconciliation tells which).
  bool launching = false;
  // Read back queued from the store: cron died before launching it, so its
  // due time is checked against epsilon again when an offer comes.
  bool read_back = false;
};

struct cron_state {
  static inline const char* name = "cron";
  cron_options options;
  state_store store;             // the master's key-value store
  caf::actor driver;
  std::string framework_id;
  bool recovered = false;        // state read back from the store
  // Whether this instance owns the prefix (absent until its address is known).
  std::optional<ownership> owner;
  std::string owner_address;     // what this instance writes in the record
  bool recovering = false;       // claimed, reading its state back
  bool subscribed = false;
  bool subscribed_once = false;
  bool suppressed = false;

  std::map<std::string, job> jobs;
  dependency_graph graph;
  std::deque<run> queue;                       // waiting for an offer
  std::map<std::string, run> active;           // launched, by task id
  std::map<std::string, std::deque<run>> history;
  // Per job with a queued run: what the last offers lacked for it.
  std::map<std::string, std::string> waiting_for;

  // What a read-back that must start again calls once done.
  std::function<void()> recover_done;
};

using cron_actor_ptr = caf::stateful_actor<cron_state>*;

std::string task_id_of(const std::string& job, int64_t due_ms, uint32_t attempt);
std::string now_iso();
int64_t now_ms();

// cron_actor.cpp
// Whether this instance may schedule, launch and write now: it owns the
// prefix and its lease has not lapsed.
bool acting(cron_actor_ptr self);
// Claimed the prefix: reads the state back, then subscribes and schedules.
void start_owning(cron_actor_ptr self);

// cron_owner.cpp
using owner_tick_atom = caf::atom_constant<caf::atom("cronowner")>;
// Starts watching (or claiming) the owner record, as `address`.
void begin_ownership(cron_actor_ptr self, const std::string& address);
// One renewal or read of the owner record; the next is scheduled.
void owner_tick(cron_actor_ptr self);
// A run of `job` due at `due_ms`; a manual one (PUT job) starts whatever the
// concurrency policy says.
void enqueue(cron_actor_ptr self, const std::string& job, int64_t due_ms, uint32_t attempt,
             bool manual = false);
void kill_runs(cron_actor_ptr self, const std::string& job);
void on_update(cron_actor_ptr self, schema::TaskStatus::Reader status);
// A run killed before its launch left: ended, counted as killed.
void finish_unlaunched(cron_actor_ptr self, const std::string& task_id);

// cron_launch.cpp
void on_offers(cron_actor_ptr self, capnp::List<schema::Offer>::Reader offers);
void want_offers(cron_actor_ptr self);

// cron_store.cpp
void on_master_found(cron_actor_ptr self, master_actor master);
void store_all(cron_actor_ptr self);
void store_job(cron_actor_ptr self, const std::string& name);
void forget_job(cron_actor_ptr self, const std::string& name);
// `then`, if given, hears whether the store confirmed the write.
void store_runs(cron_actor_ptr self, std::function<void(bool stored)> then = nullptr);
void store_history(cron_actor_ptr self, const std::string& name);
void store_framework_id(cron_actor_ptr self);
// Reads everything back, then calls `done`.
void recover(cron_actor_ptr self, std::function<void()> done);
wire<schema::cron::Run> run_record(const run& r, const std::string& framework_id);

// cron_api.cpp
struct api_answer {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};
api_answer serve_api(cron_actor_ptr self, const std::string& method, const std::string& path,
                     const std::string& query, const std::string& body);

} // namespace cairn::cron
