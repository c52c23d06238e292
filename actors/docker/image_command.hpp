// How a command task runs in a Docker image under the mesos containerizer,
// by the rules of Mesos' docker/runtime isolator: a shell command, or a
// command with a value, ignores the image's Entrypoint and Cmd; without a
// value the Entrypoint is the program, followed by the task's arguments,
// else the image's Cmd (and without an Entrypoint the Cmd is the whole
// command, the task's arguments replacing all but its first word). The
// image's Env comes first and the task's environment overrides it; the
// image's WorkingDir, when set, replaces the sandbox as working directory.
// The image's User is not applied (Mesos only warns). Pure.
#pragma once

#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "actors/docker/image_manifest.hpp"
#include "schema/mesos.capnp.h"

namespace cairn::docker {

struct image_launch {
  std::vector<std::string> argv;  // argv[0] is the program, looked up in the image's PATH
  std::vector<std::string> env;   // "NAME=value", each name once
  std::string working_dir;        // inside the container
};

// The PATH a container gets when neither the image nor the task sets one.
inline constexpr const char* default_container_path =
  "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// `sandbox` is where the sandbox is mounted inside (--sandbox_directory);
// MESOS_SANDBOX names it.
caf::expected<image_launch> merge_image_command(schema::CommandInfo::Reader command,
                                                const image_config& image,
                                                const std::string& sandbox);

// The launch as one line of JSON, for the executor, and back.
std::string encode_image_launch(const image_launch& launch);
caf::expected<image_launch> decode_image_launch(const std::string& text);

} // namespace cairn::docker
