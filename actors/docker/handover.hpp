// How the docker containerizer hands a DOCKER task to the executor that
// runs it: through the executor's environment, which the agent controls.
#pragma once

namespace cairn {

inline constexpr const char* docker_socket_env = "CAIRN_DOCKER_SOCKET";
inline constexpr const char* docker_container_env = "CAIRN_DOCKER_CONTAINER";
// The Engine API's create body, made by docker::create_body.
inline constexpr const char* docker_create_env = "CAIRN_DOCKER_CREATE";

} // namespace cairn
