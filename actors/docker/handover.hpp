// How the containerizers hand a task in a container to the executor that
// runs it: through the executor's environment, which the agent controls.
#pragma once

namespace cairn {

inline constexpr const char* docker_socket_env = "CAIRN_DOCKER_SOCKET";
// The container, created already: the executor starts it.
inline constexpr const char* docker_container_env = "CAIRN_DOCKER_CONTAINER";

// How the mesos containerizer hands a command task in a Docker image to its
// executor: the provisioned root file system, where the sandbox is mounted
// in it (--sandbox_directory), and the launch merged from the image's
// config and the task's command (docker::encode_image_launch).
inline constexpr const char* image_rootfs_env = "CAIRN_IMAGE_ROOTFS";
inline constexpr const char* image_sandbox_env = "CAIRN_IMAGE_SANDBOX";
inline constexpr const char* image_launch_env = "CAIRN_IMAGE_LAUNCH";

} // namespace cairn
