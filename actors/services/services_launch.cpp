// Offers to launches: each app that waits for instances (and whose backoff
// is over) gets those that fit an offer, as fit_offer judges them against
// where its other instances run; an offer that fits nothing is declined for
// --decline_offer_duration, and each app remembers its last unused offers
// and why, for /v2/queue. A task is the app's command (or its Docker
// container) with Marathon's environment, its fetch URIs, its resources,
// its host ports and its health check run by the executor.
#include <caf/event_based_actor.hpp>
#include <fmt/format.h>

#include "actors/placement/offer_traits.hpp"
#include "actors/resources/convert.hpp"
#include "actors/scheduler/calls.hpp"
#include "actors/services/offer_fit.hpp"
#include "actors/services/services_state.hpp"
#include "actors/services/task_info.hpp"
#include "runtime/log.hpp"

namespace cairn::services {

namespace {


auto log() {
  return logger("services");
}

std::string task_id_for(services_state& st, App::Reader app) {
  auto id = parse_path_id(app.getId().cStr()).id;
  std::string prefix;
  for (auto& s : id->segments)
    prefix += (prefix.empty() ? "" : "_") + s;
  return prefix + "." + st.random->uuid();
}

wire<schema::services::UnusedOfferBody> offer_body(schema::Offer::Reader offer,
                                                   const resources& rs) {
  return make_wire<schema::services::UnusedOfferBody>([&](auto b) {
    b.setId(offer.getId().getValue());
    b.setAgentId(offer.getAgentId().getValue());
    b.setHostname(offer.getHostname());
    auto list = b.initResources(static_cast<unsigned>(rs.items().size()));
    unsigned k = 0;
    for (auto& r : rs.items()) {
      auto o = list[k++];
      o.setName(r.name);
      o.setRole(r.role);
      o.setScalar(from_milli(r.scalar));
      auto ranges = o.initRanges(static_cast<unsigned>(r.ranges.size()));
      for (unsigned n = 0; n < r.ranges.size(); ++n) {
        ranges[n].setBegin(static_cast<int64_t>(r.ranges[n].begin));
        ranges[n].setEnd(static_cast<int64_t>(r.ranges[n].end));
      }
    }
  });
}

void remember_unused(app_entry& a, schema::Offer::Reader offer, const resources& rs,
                     const std::vector<std::string>& reasons) {
  unused_offer u;
  u.offer_id = offer.getId().getValue();
  u.at = iso_now();
  u.reasons = reasons;
  u.body = offer_body(offer, rs);
  a.last_unused.push_back(std::move(u));
  while (a.last_unused.size() > max_unused_offers)
    a.last_unused.pop_front();
  ++a.offers_unused;
  a.last_unused_at = iso_now();
  for (auto& r : reasons)
    ++a.reject_counts[r];
}

// Launches what fits of one app on one offer; `pool` shrinks by it.
void fit_app(services_actor_ptr self, app_entry& a, schema::Offer::Reader offer, offered& pool,
             std::vector<task_spec>& tasks, const resources& rs, bool& used) {
  auto& st = self->state;
  auto app = *a.def;
  std::vector<placement::constraint> constraints;
  for (auto c : app.getConstraints()) {
    std::vector<std::string> fields;
    for (auto f : c)
      fields.emplace_back(f.cStr());
    if (auto read = placement::read_constraint(fields))
      constraints.push_back(std::move(*read));
  }
  ++a.offers_processed;
  for (int32_t n = waiting(st, a); n > 0; --n) {
    std::vector<const placement::agent_traits*> placed;
    for (auto& [id, i] : st.instances)
      if (i.app == std::string(app.getId()) && i.alive())
        if (auto t = st.agents.find(i.agent_id); t != st.agents.end())
          placed.push_back(&t->second);
    auto f = fit_offer(app, pool, constraints, placed);
    if (!f.fits) {
      if (tasks.empty() || !used)
        remember_unused(a, offer, rs, f.reasons);
      return;
    }
    instance i;
    i.task_id = task_id_for(st, app);
    i.app = app.getId();
    i.version = app.getVersion();
    i.agent_id = offer.getAgentId().getValue();
    i.host = offer.getHostname();
    i.ports.assign(f.host_ports.begin(), f.host_ports.end());
    i.staged_at = iso_now();
    i.staged_s = now_s();
    auto need = needs_of(app, f);
    task_spec t;
    t.id = i.task_id;
    t.res = need;
    t.info = task_info_of(app, {i.task_id, i.host, i.ports}, need);
    tasks.push_back(std::move(t));
    for (auto& p : pool.pools)
      if (p.role == f.role) {
        p.cpus -= app.getCpus();
        p.mem -= app.getMem();
        p.disk -= app.getDisk();
        for (auto port : f.host_ports)
          for (size_t k = 0; k < p.ports.size(); ++k) {
            auto [lo, hi] = p.ports[k];
            if (port < lo || port > hi)
              continue;
            p.ports.erase(p.ports.begin() + static_cast<long>(k));
            if (lo < port)
              p.ports.emplace_back(lo, port - 1);
            if (port < hi)
              p.ports.emplace_back(port + 1, hi);
            break;
          }
      }
    used = true;
    a.last_used_at = iso_now();
    auto key = i.app;
    st.instances.emplace(i.task_id, std::move(i));
    store_app(self, key);
  }
}

} // namespace

void want_offers(services_actor_ptr self) {
  auto& st = self->state;
  if (!st.subscribed || !st.driver)
    return;
  int64_t total = 0;
  // An app waiting for more than before wants offers declined for long
  // (they fitted nothing then) again, so the filters go.
  bool more = false;
  for (auto& [key, a] : st.apps) {
    auto n = waiting(st, a);
    total += n;
    more = more || n > a.last_waiting;
    a.last_waiting = n;
    if (n == 0)
      a.queued_since.clear();
    else if (a.queued_since.empty())
      a.queued_since = iso_now();
  }
  if (total > 0 && (st.suppressed || more)) {
    st.suppressed = false;
    self->send(st.driver, calls::revive(st.framework_id));
  } else if (total == 0 && !st.suppressed) {
    st.suppressed = true;
    self->send(st.driver, calls::suppress(st.framework_id));
  }
}

void on_offers(services_actor_ptr self, capnp::List<schema::Offer>::Reader offers) {
  auto& st = self->state;
  std::vector<std::string> decline;
  double now = now_s();
  bool backing_off = false;
  for (auto offer : offers) {
    std::string offer_id = offer.getId().getValue();
    auto read = read_resources(offer.getResources());
    if (!read) {
      decline.push_back(offer_id);
      continue;
    }
    auto rs = read->unallocated();
    auto traits = placement::traits_of(offer);
    st.agents[offer.getAgentId().getValue()] = traits;
    auto pool = offered_of(rs, traits);
    std::vector<task_spec> tasks;
    for (auto& [key, a] : st.apps) {
      if (waiting(st, a) == 0)
        continue;
      if (!a.backoff.overdue(now)) {
        backing_off = true;
        continue;
      }
      bool used = false;
      fit_app(self, a, offer, pool, tasks, rs, used);
    }
    if (tasks.empty()) {
      decline.push_back(offer_id);
      continue;
    }
    log()->info("launching {} task(s) on {}", tasks.size(), offer.getHostname().cStr());
    self->send(st.driver, calls::launch(st.framework_id, {offer_id}, tasks, 5.0));
  }
  // Offers are refused for long only when nothing waits on a backoff: a
  // launch due in a few seconds needs them back then.
  if (!decline.empty())
    self->send(st.driver, calls::decline(st.framework_id, decline,
                                         backing_off ? 1.0 : st.options.decline_offer_seconds));
  want_offers(self);
}

} // namespace cairn::services
