// The composing containerizer of `--containerizers=docker,mesos`: a
// container whose ContainerInfo is DOCKER goes to the docker containerizer,
// any other to the mesos one (refused, naming the flag, when `mesos` is not
// among --containerizers). Later verbs follow the container to the one that
// launched it. At recovery the mesos containerizer hears of every
// checkpointed container first (it runs every executor's process, the
// docker ones' too), then the docker one.
#pragma once

#include "actors/agent/containerizer.hpp"

namespace cairn {

containerizer_actor spawn_composing_containerizer(caf::actor_system& sys,
                                                  containerizer_actor docker,
                                                  containerizer_actor mesos,
                                                  bool mesos_enabled);

} // namespace cairn
