#pragma once
// A deployment's steps from the apps as they are to the apps as they should
// be, in Marathon's order: apps removed stop first, dependents before what
// they depend on; then, one dependency level per step (what is depended on
// first), new apps start, apps whose definition changed are replaced by a
// rolling restart, and apps whose instance count alone changed are scaled.
// Each step waits for the one before it (the runner waits for health). A
// dependency on an app that will not exist, or a cycle, is an error. Pure.
#include <map>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "actors/services/app_id.hpp"
#include "schema/services.capnp.h"

namespace cairn::services {

struct deployment_action {
  enum class kind { start, scale, restart, stop };
  kind what = kind::start;
  path_id app;
  int32_t instances = 0;  // the count it ends with (0 for stop)

  bool operator==(const deployment_action& o) const {
    return what == o.what && app == o.app && instances == o.instances;
  }
};

using deployment_step = std::vector<deployment_action>;
using app_set = std::map<path_id, schema::services::App::Reader>;

caf::expected<std::vector<deployment_step>> plan_deployment(const app_set& current,
                                                            const app_set& target);

// Whether two definitions differ in more than their instance count and
// version (a change that needs new instances, not just more or fewer).
bool definition_changed(schema::services::App::Reader a, schema::services::App::Reader b);

// The app's dependencies as absolute ids (relative ones read against its group).
std::vector<path_id> dependencies_of(schema::services::App::Reader app);

const char* kind_name(deployment_action::kind k);  // Marathon's: StartApplication, ...

} // namespace cairn::services
