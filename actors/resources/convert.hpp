// Between resources and their Cap'n Proto form. Reading checks what a peer
// sent (names, types, finite non-negative scalars, ordered ranges).
#pragma once

#include <caf/expected.hpp>

#include "actors/resources/parse.hpp"
#include "actors/resources/resources.hpp"
#include "schema/resources.capnp.h"
#include "schema/state.capnp.h"

namespace cairn {

using resource_list_reader = capnp::List<schema::Resource>::Reader;
using resource_list_builder = capnp::List<schema::Resource>::Builder;

caf::expected<resources> read_resources(resource_list_reader list);
void write_resources(const resources& rs, resource_list_builder out);

// Convenience for the common `write_resources(rs, b.initResources(n))`.
template <class Builder>
void set_resources(Builder b, const resources& rs) {
  write_resources(rs, b.initResources(static_cast<unsigned>(rs.items().size())));
}

void write_attributes(const std::vector<attribute>& attrs,
                      capnp::List<schema::Attribute>::Builder out);

// Mesos' state.json resource object: {"cpus": 4, "mem": 4096, "ports": "[31000-32000]"}.
void write_summary(const resources& rs, schema::state::ResourceSummary::Builder out);

} // namespace cairn
