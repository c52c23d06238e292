// Protobuf maps in JSON: Mesos writes a map<string, V> as one object keyed by
// the map's keys ({"cpus": {"value": 2}}). The schema holds such a map as a
// struct with a list of key/value entries; one handler per map type makes the
// codec read and write the object form.
#pragma once

#include <capnp/compat/json.h>

namespace cairn {

// Adds a handler for every map struct in schema/ to `codec`; called once,
// before the codec learns the annotated root types.
void add_map_handlers(capnp::JsonCodec& codec);

} // namespace cairn
