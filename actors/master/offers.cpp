// Offers: the allocator's grants become offers with fresh ids; ACCEPT launches
// what validation allows and returns the rest; DECLINE returns everything.
#include "actors/master/state.hpp"

#include <map>

#include <fmt/format.h>

#include "actors/resources/convert.hpp"
#include "runtime/clock.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

using Event = schema::Event;
namespace sa = schema::allocator;

// Mesos' DEFAULT_REFUSE_SECONDS applies when a call carries no filters.
double refuse_seconds_of(bool has_filters, schema::Filters::Reader filters) {
  return has_filters ? filters.getRefuseSeconds() : 5.0;
}

void fill_offer(schema::Offer::Builder b, const offer_record& offer, const agent_record& agent) {
  b.initId().setValue(offer.id);
  b.initFrameworkId().setValue(offer.framework_id);
  b.initAgentId().setValue(offer.agent_id);
  auto info = *agent.info;
  b.setHostname(info.getHostname());
  set_resources(b, offer.res);
  b.setAttributes(info.getAttributes());
  b.initAllocationInfo().setRole(offer.role);
}

void send_offers(master_ptr self, framework_record& fw, const std::vector<std::string>& ids) {
  auto& st = self->state;
  wire_builder<Event> b;
  b->setType(Event::Type::OFFERS);
  auto list = b->initOffers().initOffers(static_cast<unsigned>(ids.size()));
  for (unsigned i = 0; i < ids.size(); ++i) {
    const auto& offer = st.offers.at(ids[i]);
    fill_offer(list[i], offer, st.agents.at(offer.agent_id));
  }
  self->send(fw.sink, std::move(b).finish());
}

// An operation that was not applied, told as Mesos tells a dropped one: no
// uuid and no agent, so there is nothing to acknowledge.
void send_operation_error(master_ptr self, framework_record& fw,
                          const refused_operation& refused) {
  logger("master")->info("framework {}: operation {} refused: {}", fw.id, refused.operation,
                         refused.message);
  if (!fw.connected)
    return;
  self->send(fw.sink, make_wire<Event>([&](Event::Builder e) {
               e.setType(Event::Type::UPDATE_OPERATION_STATUS);
               auto status = e.initUpdateOperationStatus().initStatus();
               if (refused.has_id)
                 status.initOperationId().setValue(refused.operation_id);
               status.setState(schema::OperationState::OPERATION_ERROR);
               status.setMessage(refused.message);
             }));
}

void launch(master_ptr self, framework_record& fw, agent_record& agent,
            schema::Call::Accept::Reader call, const accepted_task& accepted) {
  auto info = call.getOperations()[static_cast<unsigned>(accepted.operation)]
                .getLaunch()
                .getTaskInfos()[static_cast<unsigned>(accepted.index)];
  auto& task = fw.tasks[accepted.task_id];
  task.id = accepted.task_id;
  task.name = info.getName();
  task.framework_id = fw.id;
  task.agent_id = agent.id;
  // A custom executor is named by the task; the command executor takes the
  // task's id, one per task, as in Mesos.
  task.executor_id = info.hasExecutor() ? std::string(info.getExecutor().getExecutorId().getValue())
                                        : accepted.task_id;
  task.res = accepted.res;
  task.role = accepted.res.items().front().allocation_role;
  task.state = task_state::TASK_STAGING;
  task.timestamp = wall_clock_seconds();
  task.statuses.push_back({task.state, task.timestamp});
  keep_shown_info(task, info);
  fw.used += task.res.scalars();
  agent.used += task.res;
  agent.tasks.insert({fw.id, task.id});
  publish_task_added(self, task);
  wire_builder<schema::agent::Event> b;
  b->setType(schema::agent::Event::Type::RUN_TASK);
  auto run = b->initRunTask();
  run.setFrameworkInfo(*fw.info);
  run.setTask(info);
  auto sent = run.getTask();
  sent.initAgentId().setValue(agent.id);
  set_resources(sent, task.res);
  self->send(agent.sink, std::move(b).finish());
}

} // namespace

void on_allocation(master_ptr self, const allocation& msg) {
  auto& st = self->state;
  std::unordered_map<std::string, std::vector<std::string>> by_framework;
  for (auto g : msg->getGrants()) {
    std::string framework_id = g.getFrameworkId().getValue();
    std::string agent_id = g.getAgentId().getValue();
    auto res = read_resources(g.getResources());
    if (!res) {
      // Never expected (the allocator checks what it holds), but a grant
      // that cannot be read is refused, not offered and not a crash.
      logger("master")->error("refusing a grant of unreadable resources to framework {}: {}",
                              framework_id, error_message(res.error()));
      continue;
    }
    auto fw = st.frameworks.find(framework_id);
    auto agent = st.agents.find(agent_id);
    if (agent == st.agents.end() || agent->second.generation != g.getAgentGeneration()) {
      continue; // the agent left since: the allocator forgot these resources itself
    }
    if (fw == st.frameworks.end()) {
      continue; // likewise for a removed framework's allocation
    }
    if (!fw->second.active || agent->second.status != agent_status::active) {
      allocator_recover(self, framework_id, agent_id, *res, 0);
      continue;
    }
    offer_record offer;
    offer.id = fmt::format("{}-O{}", st.master_id, st.next_offer++);
    offer.framework_id = framework_id;
    offer.agent_id = agent_id;
    offer.role = g.getRole();
    offer.res = std::move(*res);
    fw->second.offered += offer.res.scalars();
    fw->second.offers.insert(offer.id);
    agent->second.offered += offer.res;
    agent->second.offers.insert(offer.id);
    by_framework[framework_id].push_back(offer.id);
    st.offers.emplace(offer.id, std::move(offer));
  }
  for (const auto& [framework_id, ids] : by_framework)
    send_offers(self, st.frameworks.at(framework_id), ids);
}

// Forgets an offer in the master's books only.
static std::optional<offer_record> take_offer(master_ptr self, std::string offer_id) {
  // `offer_id` is a copy: callers may pass a key of the maps this erases from.
  auto& st = self->state;
  auto i = st.offers.find(offer_id);
  if (i == st.offers.end())
    return std::nullopt;
  offer_record offer = std::move(i->second);
  st.offers.erase(i);
  if (auto fw = st.frameworks.find(offer.framework_id); fw != st.frameworks.end()) {
    fw->second.offered -= offer.res.scalars();
    fw->second.offers.erase(offer_id);
  }
  if (auto agent = st.agents.find(offer.agent_id); agent != st.agents.end()) {
    agent->second.offered -= offer.res;
    agent->second.offers.erase(offer_id);
  }
  return offer;
}

void remove_offer(master_ptr self, const std::string& offer_id, double refuse_seconds) {
  if (auto offer = take_offer(self, std::string{offer_id}))
    allocator_recover(self, offer->framework_id, offer->agent_id, offer->res, refuse_seconds);
}

void rescind_offer(master_ptr self, const std::string& offer_id_ref) {
  std::string offer_id = offer_id_ref; // may be a key of a map remove_offer erases from
  auto& st = self->state;
  auto i = st.offers.find(offer_id);
  if (i == st.offers.end())
    return;
  if (auto fw = st.frameworks.find(i->second.framework_id);
      fw != st.frameworks.end() && fw->second.connected)
    self->send(fw->second.sink, make_wire<Event>([&](Event::Builder e) {
                 e.setType(Event::Type::RESCIND);
                 e.initRescind().initOfferId().setValue(offer_id);
               }));
  remove_offer(self, offer_id, 0);
}

void on_accept(master_ptr self, framework_record& fw, schema::Call::Accept::Reader call) {
  auto& st = self->state;
  auto plan = plan_accept(
    call, fw.id, fw.partition_aware,
    [&](const std::string& id) -> const offer_record* {
      auto i = st.offers.find(id);
      return i == st.offers.end() ? nullptr : &i->second;
    },
    [&](const std::string& task_id) { return fw.tasks.count(task_id) > 0; });
  double refuse = refuse_seconds_of(call.hasFilters(), call.getFilters());
  // Offers refused together (of several agents or roles) go back each to
  // its own agent: summed onto one, the allocator refused them all, and
  // they were never offered again.
  std::map<std::pair<std::string, std::string>, resources> taken; // by (agent, role)
  for (const auto& id : plan.offer_ids)
    if (auto offer = take_offer(self, id))
      taken[{offer->agent_id, offer->role}] += offer->res;
  if (plan.launches.empty()) {
    for (const auto& [where, res] : taken)
      allocator_recover(self, fw.id, where.first, res, refuse);
  }
  for (const auto& refused : plan.refused)
    send_master_update(self, fw, refused.task_id, plan.agent_id, refused.state,
                       refused.reason, refused.message);
  for (const auto& refused : plan.refused_operations)
    send_operation_error(self, fw, refused);
  auto agent = st.agents.find(plan.agent_id);
  if (!plan.launches.empty()) {
    // An offer is removed with its agent, so valid offers imply a known agent.
    assert(agent != st.agents.end());
    for (const auto& l : plan.launches)
      launch(self, fw, agent->second, call, l);
  }
  if (!plan.launches.empty())
    allocator_recover(self, fw.id, plan.agent_id, plan.unused, refuse);
}

void on_decline(master_ptr self, framework_record& fw, schema::Call::Decline::Reader call) {
  double refuse = refuse_seconds_of(call.hasFilters(), call.getFilters());
  for (auto id : call.getOfferIds()) {
    auto i = self->state.offers.find(id.getValue());
    if (i == self->state.offers.end() || i->second.framework_id != fw.id)
      continue; // Mesos ignores declines of unknown offers, too
    remove_offer(self, i->first, refuse);
  }
}

} // namespace cairn
