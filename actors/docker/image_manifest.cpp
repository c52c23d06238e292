#include "actors/docker/image_manifest.hpp"

#include <cassert>
#include <set>

#include "actors/docker/json_text.hpp"
#include "runtime/errors.hpp"

namespace cairn::docker {

namespace {

using capnp::JsonValue;

std::vector<std::string> strings_of(JsonValue::Reader value, std::string_view name) {
  std::vector<std::string> out;
  JsonValue::Reader storage;
  auto m = member(value, name, storage);
  if (m == nullptr || !m->isArray())
    return out;
  for (auto item : m->getArray())
    if (item.isString())
      out.emplace_back(item.getString().cStr());
  return out;
}

image_config config_of(JsonValue::Reader config) {
  image_config c;
  c.entrypoint = strings_of(config, "Entrypoint");
  c.cmd = strings_of(config, "Cmd");
  c.env = strings_of(config, "Env");
  c.working_dir = text_member(config, "WorkingDir");
  c.user = text_member(config, "User");
  return c;
}

bool safe_part(std::string_view part) {
  return !part.empty() && part != "." && part != "..";
}

} // namespace

caf::expected<image_reference> parse_image_reference(std::string_view text) {
  if (text.empty())
    return make_error("the Docker image has no name");
  if (text.find('@') != std::string_view::npos)
    return make_error("Docker image '" + std::string(text) +
                      "': references by digest are not supported yet");
  image_reference ref;
  auto slash = text.rfind('/');
  auto colon = text.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    ref.name = std::string(text.substr(0, colon));
    ref.tag = std::string(text.substr(colon + 1));
  } else {
    ref.name = std::string(text);
    ref.tag = "latest";
  }
  if (ref.name.empty() || ref.tag.empty() || ref.tag.find('/') != std::string::npos)
    return make_error("Docker image '" + std::string(text) + "' is not NAME[:TAG]");
  size_t begin = 0;
  while (begin <= ref.name.size()) {
    auto end = ref.name.find('/', begin);
    if (end == std::string::npos)
      end = ref.name.size();
    if (!safe_part(std::string_view(ref.name).substr(begin, end - begin)))
      return make_error("Docker image '" + std::string(text) + "' is not NAME[:TAG]");
    begin = end + 1;
  }
  if (!safe_part(ref.tag))
    return make_error("Docker image '" + std::string(text) + "' is not NAME[:TAG]");
  assert(!ref.name.empty() && !ref.tag.empty());
  return ref;
}

std::string archive_name(const image_reference& ref) {
  assert(!ref.name.empty() && !ref.tag.empty());
  return ref.name + ":" + ref.tag + ".tar";
}

bool valid_layer_id(std::string_view id) {
  if (!safe_part(id) || id.size() > 128)
    return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
      return false;
  return true;
}

caf::expected<std::string> top_layer(std::string_view repositories, const image_reference& ref) {
  auto tree = json_tree::parse(repositories);
  if (!tree)
    return make_error("the archive's 'repositories' is not JSON: " +
                      error_message(tree.error()));
  auto root = tree->root();
  if (!root.isObject())
    return make_error("the archive's 'repositories' is not a JSON object");
  JsonValue::Reader storage;
  // `docker save` keys short names as given ("busybox", not
  // "docker.io/library/busybox"); both spellings are looked for.
  auto repo = member(root, ref.name, storage);
  if (repo == nullptr && ref.name.rfind("library/", 0) == 0)
    repo = member(root, ref.name.substr(8), storage);
  if (repo == nullptr || !repo->isObject())
    return make_error("the archive's 'repositories' has no image '" + ref.name + "'");
  auto id = text_member(*repo, ref.tag);
  if (id.empty())
    return make_error("the archive's 'repositories' has no tag '" + ref.tag + "' of '" +
                      ref.name + "'");
  if (!valid_layer_id(id))
    return make_error("the archive names a layer '" + id + "' that is no valid layer id");
  return id;
}

caf::expected<layer_json> parse_layer_json(std::string_view text) {
  auto tree = json_tree::parse(text);
  if (!tree)
    return make_error("a layer's json is not JSON: " + error_message(tree.error()));
  auto root = tree->root();
  if (!root.isObject())
    return make_error("a layer's json is not a JSON object");
  layer_json layer;
  layer.id = text_member(root, "id");
  layer.parent = text_member(root, "parent");
  if (!valid_layer_id(layer.id))
    return make_error("a layer's json has no valid id ('" + layer.id + "')");
  if (!layer.parent.empty() && !valid_layer_id(layer.parent))
    return make_error("layer " + layer.id + " names an invalid parent '" + layer.parent + "'");
  JsonValue::Reader storage;
  auto config = member(root, "config", storage);
  if (config == nullptr || !config->isObject())
    config = member(root, "container_config", storage);
  if (config != nullptr && config->isObject())
    layer.config = config_of(*config);
  return layer;
}

caf::expected<std::vector<std::string>> layer_chain(
  const std::string& top, const std::map<std::string, std::string>& parent_of) {
  std::vector<std::string> chain;
  std::set<std::string> seen;
  for (std::string at = top; !at.empty();) {
    auto i = parent_of.find(at);
    if (i == parent_of.end())
      return make_error("the archive has no layer " + at);
    if (!seen.insert(at).second)
      return make_error("the archive's layers form a loop at " + at);
    if (chain.size() == max_layers)
      return make_error("the image has more than " + std::to_string(max_layers) + " layers");
    chain.push_back(at);
    at = i->second;
  }
  assert(!chain.empty() && chain.front() == top);
  return std::vector<std::string>(chain.rbegin(), chain.rend());
}

} // namespace cairn::docker
