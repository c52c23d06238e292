// What a `docker save` archive in the legacy layout says about an image:
// `repositories` maps name and tag to the top layer's id, and each layer's
// `<id>/json` names its parent and, for the top one, the image's runtime
// config (Entrypoint, Cmd, Env, WorkingDir, User). Pure: texts in, values
// out, every decision unit-tested; the archive itself is read elsewhere
// (actors/agent/provisioner/).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace cairn::docker {

// "busybox:local", "127.0.0.1:5000/team/app:2"; the tag defaults to latest.
struct image_reference {
  std::string name;  // everything before the tag, registry host included
  std::string tag;
};

// Refuses what cannot name a file beneath the registry directory (empty
// parts, "..", a digest).
caf::expected<image_reference> parse_image_reference(std::string_view text);

// The archive's file name in a --docker_registry directory: "<name>:<tag>.tar".
std::string archive_name(const image_reference& ref);

// The image's runtime config, as Docker writes it in the top layer's json.
struct image_config {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // "NAME=value"
  std::string working_dir;
  std::string user;
};

struct layer_json {
  std::string id;
  std::string parent;  // "" for the base layer
  image_config config;
};

// A layer id names a directory of the store: only [A-Za-z0-9_.-], at most
// 128 characters, not "." or "..".
bool valid_layer_id(std::string_view id);

// The top layer of `ref` in a `repositories` file, or why there is none.
caf::expected<std::string> top_layer(std::string_view repositories, const image_reference& ref);

// One `<id>/json`; its `config` (else `container_config`) is the runtime config.
caf::expected<layer_json> parse_layer_json(std::string_view text);

// The layers from the base up to `top`, following parents; a missing
// layer, a loop or more than max_layers layers is refused.
inline constexpr size_t max_layers = 256;
caf::expected<std::vector<std::string>> layer_chain(
  const std::string& top, const std::map<std::string, std::string>& parent_of);

} // namespace cairn::docker
