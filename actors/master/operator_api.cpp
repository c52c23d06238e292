// The v1 operator API of a master (Mesos' master/master.proto Calls).
#include "actors/master/state.hpp"

#include <algorithm>
#include <set>

#include "actors/master/roles_view.hpp"
#include "actors/master/unsupported.hpp"
#include "actors/master/v1_objects.hpp"
#include "actors/resources/convert.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "storage/registry.hpp"

namespace cairn {

namespace {

using Type = op::Call::Type;

void fill_flags(master_ptr self, op::Response::GetFlags::Builder b) {
  const auto& flags = self->state.options.flags;
  auto list = b.initFlags(static_cast<unsigned>(flags.size()));
  for (unsigned i = 0; i < flags.size(); ++i) {
    list[i].setName(flags[i].first);
    list[i].setValue(flags[i].second);
  }
}

// GET_ROLES: Mesos' v1 Role has a name, a weight, the frameworks and what is
// allocated to the role (`resources`); /master/roles shows more.
void fill_roles(master_ptr self, op::Response::GetRoles::Builder b) {
  auto roles = collect_roles(self);
  auto list = b.initRoles(static_cast<unsigned>(roles.size()));
  unsigned i = 0;
  for (const auto& [name, view] : roles) {
    auto r = list[i++];
    r.setName(name);
    r.setWeight(view.weight);
    auto fws = r.initFrameworks(static_cast<unsigned>(view.frameworks.size()));
    for (unsigned k = 0; k < view.frameworks.size(); ++k)
      fws[k].setValue(view.frameworks[k]);
    set_resources(r, view.allocated);
  }
}

void fill_weights(master_ptr self, op::Response::GetWeights::Builder b) {
  const auto& weights = self->state.options.weights;
  auto list = b.initWeightInfos(static_cast<unsigned>(weights.size()));
  for (unsigned i = 0; i < weights.size(); ++i) {
    list[i].setRole(weights[i].first);
    list[i].setWeight(weights[i].second);
  }
}

// UPDATE_WEIGHTS: checked, written to the registry, then in effect. Bad
// input is an invalid_argument error (400 over HTTP) and changes nothing.
void update_weights(master_ptr self, const operator_call& call,
                    caf::typed_response_promise<operator_response> promise) {
  std::vector<std::pair<std::string, double>> asked;
  std::set<std::string> roles;
  for (auto w : call->getUpdateWeights().getWeightInfos()) {
    std::string role(whole(w.getRole()));
    std::string why = check_weight(role, w.getWeight());
    if (why.empty() && !roles.insert(role).second)
      why = "role '" + role + "' is named twice";
    if (!why.empty()) {
      promise.deliver(make_error("UPDATE_WEIGHTS: " + why));
      return;
    }
    asked.emplace_back(std::move(role), w.getWeight());
  }
  if (asked.empty()) {
    promise.deliver(make_error("UPDATE_WEIGHTS: no weight_infos given"));
    return;
  }
  write_registry(self, set_weights_entry(asked), [=](bool ok, const std::string& why) mutable {
    if (!ok) {
      promise.deliver(make_error("UPDATE_WEIGHTS: " + why));
      return;
    }
    auto& weights = self->state.options.weights;
    for (const auto& [role, weight] : asked) {
      auto i = std::find_if(weights.begin(), weights.end(),
                            [&](const auto& w) { return w.first == role; });
      if (i != weights.end())
        i->second = weight;
      else
        weights.emplace_back(role, weight);
    }
    std::sort(weights.begin(), weights.end());
    allocator_weights(self, asked);
    promise.deliver(make_wire<op::Response>(
      [](op::Response::Builder r) { r.setType(Type::UPDATE_WEIGHTS); }));
  });
}

// TEARDOWN: the framework's tasks are killed and it is removed, as when its
// failover timeout expires. Unknown frameworks are refused, changing nothing.
caf::error teardown(master_ptr self, const operator_call& call) {
  auto body = call->getTeardown();
  if (!call->hasTeardown() || !body.hasFrameworkId())
    return make_error("TEARDOWN: 'teardown.framework_id' is required");
  std::string id = body.getFrameworkId().getValue();
  if (self->state.frameworks.count(id) == 0)
    return make_error("TEARDOWN: no framework with ID '" + id + "'");
  logger("master")->info("framework {} torn down by an operator", id);
  // As in Mesos, the framework's subscription ends: an ERROR saying why
  // closes its stream, and a SUBSCRIBE with the old id is refused.
  if (auto& fw = self->state.frameworks.at(id); fw.connected && fw.sink)
    self->send(fw.sink, make_wire<schema::Event>([&](auto e) {
                 e.setType(schema::Event::Type::ERROR);
                 e.initError().setMessage(fmt::format("Framework {} has been removed", id));
               }));
  remove_framework(self, id);
  return {};
}

// MARK_AGENT_GONE: the agent is forgotten for good (it is told to shut down
// and is refused should it come back); its tasks are TASK_GONE_BY_OPERATOR
// to partition-aware frameworks, TASK_LOST to others, as in Mesos.
caf::error mark_agent_gone(master_ptr self, const operator_call& call) {
  auto body = call->getMarkAgentGone();
  if (!call->hasMarkAgentGone() || !body.hasAgentId())
    return make_error("MARK_AGENT_GONE: 'mark_agent_gone.agent_id' is required");
  std::string id = body.getAgentId().getValue();
  auto& st = self->state;
  if (was_removed(st, id))
    return {};  // gone already: nothing more to do, as Mesos answers
  if (auto r = st.recovered_agents.find(id); r != st.recovered_agents.end()) {
    write_registry(self, remove_agent_entry(id));
    remember_removed_agent(self, id);
    st.recovered_agents.erase(r);
    return {};
  }
  auto a = st.agents.find(id);
  if (a == st.agents.end())
    return make_error("MARK_AGENT_GONE: no agent with ID '" + id + "'");
  logger("master")->info("agent {} marked gone by an operator", id);
  self->send(a->second.sink, make_wire<schema::agent::Event>([](auto e) {
               e.setType(schema::agent::Event::Type::SHUTDOWN_AGENT);
               e.initShutdownAgent().setMessage("Agent has been marked gone");
             }));
  remove_agent(self, id, task_reason::AGENT_REMOVED_BY_OPERATOR, "Agent has been marked gone",
               task_state::TASK_GONE_BY_OPERATOR);
  return {};
}

} // namespace

caf::typed_response_promise<operator_response> on_operator_call(master_ptr self,
                                                                const operator_call& call) {
  // Taken before the promise, which takes the request's sender over.
  auto sender = caf::actor_cast<operator_sink>(self->current_sender());
  auto promise = self->make_response_promise<operator_response>();
  auto type = call->getType();
  if (type == Type::GET_METRICS) {
    self->request(self->state.allocator, std::chrono::seconds(10), metrics_atom::value)
      .then(
        [=](uint64_t runs, double ms) mutable {
          auto metrics = master_metrics(self, {runs, ms});
          promise.deliver(make_wire<op::Response>([&](op::Response::Builder r) {
            r.setType(Type::GET_METRICS);
            auto list = r.initGetMetrics().initMetrics(static_cast<unsigned>(metrics.size()));
            for (unsigned i = 0; i < metrics.size(); ++i) {
              list[i].setName(metrics[i].first);
              list[i].setValue(metrics[i].second);
            }
          }));
        },
        [=](caf::error& err) mutable { promise.deliver(std::move(err)); });
    return promise;
  }
  if (type == Type::UPDATE_WEIGHTS) {
    update_weights(self, call, promise);
    return promise;
  }
  if (type == Type::TEARDOWN || type == Type::MARK_AGENT_GONE) {
    auto err = type == Type::TEARDOWN ? teardown(self, call) : mark_agent_gone(self, call);
    if (err)
      promise.deliver(std::move(err));
    else
      promise.deliver(make_wire<op::Response>([=](op::Response::Builder r) { r.setType(type); }));
    return promise;
  }
  if (auto why = unsupported_operator_call(type); !why.empty()) {
    promise.deliver(make_not_supported(why));
    return promise;
  }
  wire_builder<op::Response> w{1024};
  auto r = w.root();
  r.setType(type);
  switch (type) {
    case Type::GET_HEALTH:
      r.initGetHealth().setHealthy(true);
      break;
    case Type::GET_VERSION:
      r.initGetVersion().initVersionInfo().setVersion(CAIRN_VERSION);
      break;
    case Type::GET_FLAGS:
      fill_flags(self, r.initGetFlags());
      break;
    case Type::GET_STATE:
      fill_get_state(self, r.initGetState());
      break;
    case Type::GET_AGENTS:
      fill_get_agents(self, r.initGetAgents());
      break;
    case Type::GET_FRAMEWORKS:
      fill_get_frameworks(self, r.initGetFrameworks());
      break;
    case Type::GET_EXECUTORS:
      fill_get_executors(self, r.initGetExecutors());
      break;
    case Type::GET_TASKS:
      fill_get_tasks(self, r.initGetTasks());
      break;
    case Type::GET_ROLES:
      fill_roles(self, r.initGetRoles());
      break;
    case Type::GET_WEIGHTS:
      fill_weights(self, r.initGetWeights());
      break;
    case Type::GET_MASTER: {
      auto m = r.initGetMaster();
      fill_master_info(self, m.initMasterInfo());
      m.setStartTime(self->state.start_time);
      m.setElectedTime(self->state.start_time);
      break;
    }
    case Type::GET_LEADING_MASTER:
      fill_master_info(self, r.initGetLeadingMaster().initMasterInfo());
      break;
    case Type::SUBSCRIBE: {
      // The caller follows events from now on; SUBSCRIBED (the state) comes first.
      promise.deliver(std::move(w).finish());
      if (sender)
        add_subscriber(self, sender);
      return promise;
    }
    default:
      r.setType(Type::UNKNOWN); // the HTTP gateway answers 400 for it
      break;
  }
  promise.deliver(std::move(w).finish());
  return promise;
}

} // namespace cairn
