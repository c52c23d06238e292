#include "actors/agent/executor_environment.hpp"

#include <capnp/compat/json.h>
#include <capnp/message.h>

#include "runtime/errors.hpp"
#include "runtime/json.hpp"
#include "runtime/limits.hpp"

namespace cairn {

caf::expected<std::vector<std::string>> parse_executor_environment(const std::string& json) {
  if (json.size() > limits::json_max_bytes)
    return make_error("--executor_environment_variables is too large");
  capnp::MallocMessageBuilder tree;
  auto root = tree.initRoot<capnp::JsonValue>();
  try {
    // Raw: a null value must be seen (and refused), not read as absent.
    json_codec().decodeRaw(kj::ArrayPtr<const char>(json.data(), json.size()), root);
  } catch (const kj::Exception& e) {
    return make_error(std::string("--executor_environment_variables is not valid JSON: ") +
                      e.getDescription().cStr());
  }
  if (!root.isObject())
    return make_error("--executor_environment_variables must be a JSON object of strings, "
                      "e.g. {\"PATH\": \"/bin:/usr/bin\"}");
  std::vector<std::string> env;
  for (auto field : root.asReader().getObject()) {
    std::string name = field.getName();
    if (!field.getValue().isString())
      return make_error("--executor_environment_variables: the value of '" + name +
                        "' is not a string (Mesos takes only strings)");
    if (name.empty() || name.find('=') != std::string::npos || name.find('\0') != std::string::npos)
      return make_error("--executor_environment_variables: '" + name +
                        "' is not a valid variable name");
    std::string value = field.getValue().getString();
    if (value.find('\0') != std::string::npos)
      return make_error("--executor_environment_variables: the value of '" + name +
                        "' holds a NUL byte");
    env.push_back(name + "=" + value);
  }
  return env;
}

} // namespace cairn
