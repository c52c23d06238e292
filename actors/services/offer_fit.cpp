#include "actors/services/offer_fit.hpp"

#include <algorithm>
#include <set>

namespace cairn::services {

namespace {

using schema::services::NetworkMode;

bool role_accepted(schema::services::App::Reader app, const std::string& role) {
  if (!app.hasAcceptedResourceRoles() || app.getAcceptedResourceRoles().size() == 0)
    return true;
  for (auto r : app.getAcceptedResourceRoles())
    if (role == r.cStr())
      return true;
  return false;
}

// Ports from `ranges` for `wanted` (0: any), each used once; nullopt when
// they are not all there.
std::optional<std::vector<uint64_t>> pick_ports(
  const std::vector<std::pair<uint64_t, uint64_t>>& ranges, const std::vector<uint64_t>& wanted) {
  std::set<uint64_t> taken;
  auto offered = [&](uint64_t p) {
    for (const auto& [lo, hi] : ranges)
      if (p >= lo && p <= hi)
        return true;
    return false;
  };
  std::vector<uint64_t> out(wanted.size(), 0);
  for (size_t i = 0; i < wanted.size(); ++i)
    if (wanted[i] != 0) {
      if (!offered(wanted[i]) || !taken.insert(wanted[i]).second)
        return std::nullopt;
      out[i] = wanted[i];
    }
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (wanted[i] != 0)
      continue;
    bool found = false;
    for (const auto& [lo, hi] : ranges) {
      for (uint64_t p = lo; p <= hi && !found; ++p)
        if (!taken.count(p)) {
          taken.insert(p);
          out[i] = p;
          found = true;
        }
      if (found)
        break;
    }
    if (!found)
      return std::nullopt;
  }
  return out;
}

} // namespace

std::vector<uint64_t> wanted_host_ports(schema::services::App::Reader app) {
  std::vector<uint64_t> wanted;
  bool host = app.getNetworks().size() == 0 || app.getNetworks()[0].getMode() == NetworkMode::HOST;
  if (host) {
    for (auto d : app.getPortDefinitions())
      wanted.push_back(app.getRequirePorts() ? static_cast<uint64_t>(d.getPort()) : 0);
  } else if (app.hasContainer()) {
    // Bridge networking: every mapping has a host port, 0 (or absent) for
    // any, as Marathon reads it in that mode.
    for (auto m : app.getContainer().getPortMappings())
      wanted.push_back(static_cast<uint64_t>(m.getHostPort()));
  }
  return wanted;
}

fit fit_offer(schema::services::App::Reader app, const offered& offer,
              const std::vector<placement::constraint>& constraints,
              const std::vector<const placement::agent_traits*>& placed) {
  fit out;
  auto wanted = wanted_host_ports(app);
  std::set<std::string> reasons;
  bool any_role = false;
  for (const auto& pool : offer.pools) {
    if (!role_accepted(app, pool.role))
      continue;
    any_role = true;
    bool ok = true;
    if (pool.cpus + 1e-9 < app.getCpus())
      ok = false, reasons.insert("InsufficientCpus");
    if (pool.mem + 1e-9 < app.getMem())
      ok = false, reasons.insert("InsufficientMemory");
    if (pool.disk + 1e-9 < app.getDisk())
      ok = false, reasons.insert("InsufficientDisk");
    auto ports = pick_ports(pool.ports, wanted);
    if (!ports)
      ok = false, reasons.insert("InsufficientPorts");
    if (ok) {
      out.role = pool.role;
      out.host_ports = std::move(*ports);
      out.fits = true;
      break;
    }
  }
  if (!any_role)
    reasons.insert("UnfulfilledRole");
  if (placement::refusal(constraints, offer.agent, placed)) {
    reasons.insert("UnfulfilledConstraint");
    out.fits = false;
  }
  if (!out.fits)
    out.reasons.assign(reasons.begin(), reasons.end());
  return out;
}

} // namespace cairn::services
