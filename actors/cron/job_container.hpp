// A job's `container` (Chronos' JSON) checked when the job is posted and
// turned into the TaskInfo's ContainerInfo when a run launches: DOCKER with
// its image, network, volumes, forcePullImage and parameters. The agent's
// docker containerizer judges the parameters; MESOS with an image waits for
// the unified containerizer's image path and is refused by name.
#pragma once

#include <caf/error.hpp>
#include <capnp/compat/json.h>

#include "schema/cron.capnp.h"
#include "schema/mesos.capnp.h"

namespace cairn::cron {

// The container's keys as posted: one cairn does not implement, given a
// value, is refused by name (reading into the schema would drop it unread).
caf::error refuse_container_keys(capnp::JsonValue::Reader given);

// Its values: type, image, network, volumes.
caf::error check_container(schema::cron::Job::Container::Reader c);

// Only for a container that passed check_container.
void fill_container_info(schema::cron::Job::Container::Reader c,
                         schema::ContainerInfo::Builder out);

} // namespace cairn::cron
