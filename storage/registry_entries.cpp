// The entries the master appends, and the registry a snapshot entry holds as JSON.
#include "storage/registry.hpp"

#include "runtime/errors.hpp"
#include "runtime/json.hpp"
#include "storage/registry_checks.hpp"

namespace cairn {

namespace {

namespace sr = schema::registry;
using namespace registry_detail;

template <class F>
std::string build_entry(F&& fill) {
  capnp::MallocMessageBuilder message;
  fill(message.initRoot<sr::Operation>());
  return to_string(message);
}

} // namespace

caf::expected<std::string> registry_json(std::string_view snapshot_entry) {
  std::string json;
  auto why = with_operation(snapshot_entry, [&](sr::Operation::Reader op) {
    if (op.isSnapshot())
      json = to_json(op.getSnapshot());
  });
  if (!why.empty())
    return make_error("the registry: " + why);
  if (json.empty())
    return make_error("the registry: the entry is not a snapshot");
  return json;
}


std::string admit_agent_entry(schema::AgentInfo::Reader info) {
  return build_entry([&](sr::Operation::Builder op) { op.initAdmitAgent().setAgentInfo(info); });
}

std::string mark_unreachable_entry(std::string_view agent_id, double time_seconds) {
  return build_entry([&](sr::Operation::Builder op) {
    auto m = op.initMarkUnreachable();
    m.initAgentId().setValue(text_of(std::string(agent_id)));
    m.setTime(time_seconds);
  });
}

std::string mark_reachable_entry(std::string_view agent_id) {
  return build_entry([&](sr::Operation::Builder op) {
    op.initMarkReachable().initAgentId().setValue(text_of(std::string(agent_id)));
  });
}

std::string remove_agent_entry(std::string_view agent_id) {
  return build_entry([&](sr::Operation::Builder op) {
    op.initRemoveAgent().initAgentId().setValue(text_of(std::string(agent_id)));
  });
}

std::string add_framework_entry(schema::FrameworkInfo::Reader info) {
  return build_entry(
    [&](sr::Operation::Builder op) { op.initAddFramework().setFrameworkInfo(info); });
}

std::string remove_framework_entry(std::string_view framework_id) {
  return build_entry([&](sr::Operation::Builder op) {
    op.initRemoveFramework().initFrameworkId().setValue(text_of(std::string(framework_id)));
  });
}

std::string set_weights_entry(const std::vector<std::pair<std::string, double>>& weights) {
  return build_entry([&](sr::Operation::Builder op) {
    auto list = op.initSetWeights().initWeights(weights.size());
    for (size_t i = 0; i < weights.size(); ++i) {
      list[i].setRole(text_of(weights[i].first));
      list[i].setWeight(weights[i].second);
    }
  });
}

std::string kv_set_entry(std::string_view key, std::string_view value,
                         std::optional<uint64_t> expected_version) {
  return build_entry([&](sr::Operation::Builder op) {
    auto s = op.initKvSet();
    s.setKey(text_of(std::string(key)));
    s.setValue(data_of(value));
    s.setExpectedVersion(expected_version.value_or(0));
    s.setAnyVersion(!expected_version);
  });
}

std::string kv_delete_entry(std::string_view key, std::optional<uint64_t> expected_version) {
  return build_entry([&](sr::Operation::Builder op) {
    auto d = op.initKvDelete();
    d.setKey(text_of(std::string(key)));
    d.setExpectedVersion(expected_version.value_or(0));
    d.setAnyVersion(!expected_version);
  });
}

} // namespace cairn
