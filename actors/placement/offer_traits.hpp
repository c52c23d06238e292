// An offer's agent as placement constraints see it: its host name and its
// attributes, scalars written as Mesos writes them (1.5, 2). Pure.
#pragma once

#include "actors/placement/constraints.hpp"
#include "schema/mesos.capnp.h"

namespace cairn::placement {

agent_traits traits_of(schema::Offer::Reader offer);

} // namespace cairn::placement
