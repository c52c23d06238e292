// What the services actor keeps, shared by its parts (services_actor.cpp:
// events, replacement and deployments; services_launch.cpp: offers;
// services_api.cpp: REST; services_store.cpp: the key-value store).
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

#include "actors/placement/constraints.hpp"
#include "actors/services/app_definition.hpp"
#include "actors/services/deployment_plan.hpp"
#include "actors/services/rolling.hpp"
#include "actors/scheduler/state_store.hpp"
#include "actors/services/services_actor.hpp"
#include "runtime/errors.hpp"
#include "runtime/random.hpp"
#include "schema/mesos.capnp.h"
#include "schema/services.capnp.h"

namespace cairn::services {

// Bounds: apps, instances per app, deployments at once, unused offers kept
// per app for /v2/queue. An app and its instances are one key-value entry
// (at most limits::max_kv_value_bytes, 1 MiB) of about 450 bytes per
// instance: 2,000 leave room.
constexpr size_t max_apps = 1'000;
constexpr int32_t max_instances_per_app = 2'000;
constexpr size_t max_unknown_killed = 10'000;
constexpr size_t max_deployments = 100;
constexpr size_t max_unused_offers = 10;
constexpr size_t max_event_subscribers = 64;

// One instance of an app: one Mesos task.
struct instance {
  std::string task_id;  // <app id with '_' for '/'>.<uuid>, as Marathon names them
  std::string app;      // "/cent"
  std::string version;  // the app version it runs
  std::string agent_id, host;
  std::vector<int64_t> ports;
  std::string state = "TASK_STAGING";
  std::string staged_at, started_at;
  double staged_s = 0;  // for YOUNGEST_FIRST
  std::optional<bool> healthy;
  std::string first_success, last_success, last_failure;
  int32_t failures = 0;
  bool killing = false;  // asked to die: no longer counted

  bool alive() const { return !killing; }
};

struct unused_offer {
  std::string offer_id, agent_id, hostname, at;
  std::vector<std::string> reasons;
  wire<schema::services::UnusedOfferBody> body;
};

struct app_entry {
  wire<App> def;  // with its version
  // How many instances of def's version should exist now: the app's count
  // once its deployments are done; a rolling restart raises it step by step.
  int32_t wanted_new = 0;
  std::string last_scaling_at, last_config_change_at;
  launch_backoff backoff;
  std::string queued_since;
  int32_t last_waiting = 0;  // instances waiting at the last look
  std::deque<unused_offer> last_unused;
  int64_t offers_processed = 0, offers_unused = 0;
  std::string last_unused_at, last_used_at;
  std::map<std::string, int64_t> reject_counts;  // reason → offers
};

// A deployment being run: its plan, the step it is at, and what to put
// back for a rollback.
struct deployment {
  std::string id, version;
  std::vector<deployment_step> steps;
  size_t current = 0;
  bool step_started = false;
  std::vector<std::string> affected;
  std::vector<wire<App>> previous;  // the affected apps as they were
  std::vector<std::string> created; // apps it made: a rollback removes them
};

struct services_state {
  static inline const char* name = "services";
  services_options options;
  state_store store;  // the master's key-value store
  caf::actor driver;
  std::string framework_id;
  bool recovered = false;
  bool subscribed = false;
  bool suppressed = false;
  std::unique_ptr<random_source> random;

  std::map<std::string, app_entry> apps;
  std::map<std::string, instance> instances;  // by task id
  std::map<std::string, deployment> deployments;
  std::map<std::string, placement::agent_traits> agents;  // from offers, by agent id
  std::set<std::string> unknown_killed;  // tasks of no app, killed once
  // /v2/events subscribers and the event types each wants (empty: all).
  std::map<caf::actor_addr, std::pair<caf::actor, std::set<std::string>>> subscribers;

  // What a read-back that must start again calls once done.
  std::function<void()> recover_done;
};

using services_actor_ptr = caf::stateful_actor<services_state>*;

// A copy of `from`, changed by `edit`.
template <class F>
wire<App> edited_app(App::Reader from, F&& edit) {
  wire_builder<App> b;
  b.message().setRoot(from);
  edit(b.message().getRoot<App>());
  return std::move(b).finish();
}

double now_s();
std::string iso_now();
std::string new_version();  // an ISO time with milliseconds, unique in this process

// services_actor.cpp
void on_update(services_actor_ptr self, schema::TaskStatus::Reader status);
// Marks `task` to be killed and tells the master.
void kill_instance(services_actor_ptr self, instance& task);
// The app's live instances of its version and of others.
struct instance_counts {
  int32_t current = 0, current_healthy = 0, old = 0;
};
instance_counts count_instances(const services_state& st, const std::string& app);
// Whether the instance runs the app's definition as it is now: launched at
// or after its last change (scaling changes the version, not the definition).
bool is_current(const app_entry& a, const instance& i);
// How many instances the app still waits to launch.
int32_t waiting(const services_state& st, const app_entry& a);
bool has_health_checks(App::Reader app);
void run_deployments(services_actor_ptr self);
// Starts a deployment from the apps as they are to `target` (every app, as
// it should be), and restarting the apps in `restart` even where their
// definitions are the same. nullopt: nothing changes.
caf::expected<std::optional<std::string>> deploy(services_actor_ptr self,
                                                 std::map<std::string, wire<App>> target,
                                                 const std::string& version,
                                                 const std::set<std::string>& restart = {});
std::optional<std::string> deployment_of(const services_state& st, const std::string& app);
// Removes a deployment; a rollback deploys what was there before.
caf::expected<std::optional<std::string>> cancel_deployment(services_actor_ptr self,
                                                            const std::string& id, bool rollback);

// services_events.cpp: Marathon's events to /v2/events subscribers.
void subscribe_events(services_actor_ptr self, caf::actor who, const std::string& types);
void emit_status_update(services_actor_ptr self, const instance& i, const std::string& message);
void emit_health_changed(services_actor_ptr self, const instance& i);
void emit_api_post(services_actor_ptr self, const std::string& uri, App::Reader app);
void emit_deployment(services_actor_ptr self, const char* type, const deployment& d);
std::string deployment_doc(const deployment& d);

// services_launch.cpp
void on_offers(services_actor_ptr self, capnp::List<schema::Offer>::Reader offers);
void want_offers(services_actor_ptr self);

// services_store.cpp
void on_master_found(services_actor_ptr self, master_actor master);
void store_all(services_actor_ptr self);
void store_index(services_actor_ptr self);
void store_app(services_actor_ptr self, const std::string& app);
void forget_app(services_actor_ptr self, const std::string& app);
void store_deployments(services_actor_ptr self);
void store_framework_id(services_actor_ptr self);
void recover(services_actor_ptr self, std::function<void()> done);
wire<schema::services::Task> task_record(const instance& i, App::Reader app);

// services_api.cpp
struct api_answer {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string location;
};
api_answer serve_api(services_actor_ptr self, const std::string& method, const std::string& path,
                     const std::string& query, const std::string& body);

} // namespace cairn::services
