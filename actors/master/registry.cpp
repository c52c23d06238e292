// The master's durable state: what it writes to the registry before acting
// on it, and what a newly elected master takes over from it.
#include "actors/master/state.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "actors/master/agent_dialer.hpp"
#include "runtime/clock.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "storage/registry.hpp"

namespace cairn {

namespace {

// Longer than the registrar's own wait for the log, so that its answer,
// whatever it is, arrives first.
constexpr auto registry_write_timeout = std::chrono::seconds(60);

void recover_weights(master_ptr self, const registry& reg) {
  auto& st = self->state;
  if (!reg.weights().empty()) {
    // Weights stored before their range was checked are left out.
    std::vector<std::pair<std::string, double>> stored;
    for (const auto& [role, weight] : reg.weights()) {
      if (auto why = check_weight(role, weight); !why.empty()) {
        logger("master")->error("the registry holds an invalid weight; it is left out: {}", why);
        continue;
      }
      stored.emplace_back(role, weight);
    }
    auto flags = st.options.weights;
    std::sort(flags.begin(), flags.end());
    if (!flags.empty() && flags != stored)
      logger("master")->warn("the registry holds role weights; --weights is ignored");
    st.options.weights = std::move(stored);
  } else if (!st.options.weights.empty()) {
    write_registry(self, set_weights_entry(st.options.weights));
  }
  if (!st.options.weights.empty())
    allocator_weights(self, st.options.weights);
}

void recover_framework(master_ptr self, const std::string& id,
                       const wire<schema::FrameworkInfo>& info) {
  auto& st = self->state;
  auto roles = check_framework_info(*info);
  if (!roles) {
    logger("master")->error("the registry holds framework {} with an invalid info ({}); "
                            "it is left out",
                            id, error_message(roles.error()));
    return;
  }
  auto& fw = st.frameworks[id];
  fw.id = id;
  set_framework_info(fw, info, std::move(*roles));
  fw.connected = false;
  fw.active = false;
  fw.recovered = true;
  fw.registered_time = wall_clock_seconds();
  fw.unregistered_time = fw.registered_time;
  // In the allocator, inactive, so that its tasks count as its usage on
  // the agents that come back.
  allocator_add_framework(self, fw);
  // It gets its failover timeout to come back, and never less than the
  // agents get: its tasks are only known once they have.
  auto wait = std::max(from_seconds(fw.failover_timeout), st.options.agent_reregister_timeout);
  self->delayed_send(self, wait, failover_atom::value, id, fw.disconnections);
}

} // namespace

void write_registry(master_ptr self, std::string entry, registry_callback then) {
  self->request(self->state.options.registrar, registry_write_timeout, apply_atom::value,
                std::move(entry))
    .then(
      [=](bool ok, const std::string& why, uint64_t) {
        if (!ok)
          logger("master")->warn("the registry refused an operation: {}", why);
        if (then)
          then(ok, why);
      },
      [=](caf::error& err) {
        logger("master")->critical("cannot write the registry ({}): this master stops",
                                   error_message(err));
        self->quit(std::move(err));
      });
}

void recover_from_registry(master_ptr self) {
  auto& st = self->state;
  registry reg;
  if (!st.options.recovered.empty()) {
    auto loaded = reg.apply(st.options.recovered);
    if (!loaded.ok) {
      logger("master")->critical("the recovered registry does not load: {}", loaded.error);
      self->quit(make_error("the recovered registry does not load: " + loaded.error));
      return;
    }
  }
  recover_weights(self, reg);
  for (const auto& [id, info] : reg.frameworks())
    recover_framework(self, id, info);
  std::vector<std::string> addresses;
  auto now = self->clock().now();
  double wall_now = wall_clock_seconds();
  for (const auto& [id, agent] : reg.agents()) {
    // How long it has been away counts towards its removal.
    auto away = from_seconds(std::max(0.0, wall_now - agent.unreachable_since_seconds));
    st.recovered_agents[id] = recovered_agent{
      agent.info, agent.reachable,
      agent.reachable ? now : now - std::chrono::duration_cast<caf::timespan>(away)};
    if (agent.reachable)
      addresses.push_back(fmt::format("{}:{}", agent.info->getHostname().cStr(),
                                      agent.info->getPort()));
  }
  if (reg.agents().empty() && reg.frameworks().empty())
    return;
  logger("master")->info("recovered {} agent(s) and {} framework(s) from the registry; agents "
                         "have {} to re-register",
                         reg.agents().size(), reg.frameworks().size(),
                         format_duration(st.options.agent_reregister_timeout));
  self->delayed_send(self, st.options.agent_reregister_timeout, reregister_timeout_atom::value);
  // Agents find a new leader themselves when they know the masters; those
  // that knew only the one that died are reached from here.
  if (!addresses.empty()) {
    // Held, not only linked: an actor nobody holds is ended as unreachable,
    // and the link would end the master with it.
    st.agent_dialer = spawn_agent_dialer(self->home_system(),
                                         caf::actor_cast<master_actor>(self),
                                         std::move(addresses));
    self->link_to(st.agent_dialer);
  }
}

void on_reregister_timeout(master_ptr self) {
  auto& st = self->state;
  double wall_now = wall_clock_seconds();
  for (auto& [id, agent] : st.recovered_agents) {
    if (!agent.reachable)
      continue;
    logger("master")->warn("agent {} did not re-register within {}: unreachable", id,
                           format_duration(st.options.agent_reregister_timeout));
    // The master knows none of its tasks, so nobody is told anything: the
    // registry alone learns it (and a re-registration, written after this,
    // undoes it in order).
    agent.reachable = false;
    agent.unreachable_since = self->clock().now();
    write_registry(self, mark_unreachable_entry(id, wall_now));
  }
}

void expire_recovered_agents(master_ptr self) {
  auto& st = self->state;
  auto now = self->clock().now();
  for (auto i = st.recovered_agents.begin(); i != st.recovered_agents.end();) {
    if (i->second.reachable
        || now - i->second.unreachable_since < st.options.agent_removal_timeout) {
      ++i;
      continue;
    }
    logger("master")->info("agent {} removed: unreachable for too long", i->first);
    write_registry(self, remove_agent_entry(i->first));
    remember_removed_agent(self, i->first);
    i = st.recovered_agents.erase(i);
  }
}

} // namespace cairn
