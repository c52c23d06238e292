#include "actors/resources/convert.hpp"

#include <algorithm>
#include <cmath>

#include <caf/sec.hpp>
#include <fmt/format.h>

#include "actors/checks.hpp"

namespace cairn {

namespace {

caf::error invalid(const std::string& why) {
  return caf::make_error(caf::sec::invalid_argument, why);
}

} // namespace

caf::expected<resources> read_resources(resource_list_reader list) {
  resources out;
  scalar_totals totals;
  for (auto r : list) {
    resource x;
    x.name = whole(r.getName());
    if (x.name.empty())
      return invalid("a resource has no name");
    if (r.hasReservations() && r.getReservations().size() > 0) {
      auto reservations = r.getReservations();
      auto last = reservations[reservations.size() - 1];
      x.role = whole(last.getRole());
      x.dynamic = last.getType() == schema::ReservationInfo::Type::DYNAMIC;
      x.principal = last.getPrincipal();
    } else if (r.hasRole()) {
      x.role = whole(r.getRole());
    }
    if (x.role.empty())
      x.role = "*";
    if (auto problem = check_role(x.role); !problem.empty())
      return invalid(fmt::format("resource '{}' is reserved to an invalid role: {}", x.name,
                                 problem));
    if (r.hasAllocationInfo()) {
      x.allocation_role = whole(r.getAllocationInfo().getRole());
      if (auto problem = check_role(x.allocation_role); !problem.empty())
        return invalid(fmt::format("resource '{}' is allocated to an invalid role: {}", x.name,
                                   problem));
    }
    switch (r.getType()) {
      case schema::ValueType::SCALAR: {
        double v = r.getScalar().getValue();
        if (auto problem = check_scalar(v); !problem.empty())
          return invalid(fmt::format("resource '{}' has an invalid scalar: {}", x.name, problem));
        x.kind = value_kind::scalar;
        x.scalar = to_milli(v);
        if (auto problem = totals.add(x.name, x.scalar); !problem.empty())
          return invalid(problem);
        break;
      }
      case schema::ValueType::RANGES: {
        x.kind = value_kind::ranges;
        for (auto i : r.getRanges().getRange()) {
          if (auto problem = check_range(i.getBegin(), i.getEnd()); !problem.empty())
            return invalid(fmt::format("resource '{}' has an invalid range: {}", x.name,
                                       problem));
          x.ranges = ranges_union(x.ranges, {{i.getBegin(), i.getEnd()}});
        }
        break;
      }
      case schema::ValueType::SET: {
        x.kind = value_kind::set;
        for (auto item : r.getSet().getItem())
          x.set.emplace_back(item.cStr());
        std::sort(x.set.begin(), x.set.end());
        x.set.erase(std::unique(x.set.begin(), x.set.end()), x.set.end());
        break;
      }
      default:
        return invalid(fmt::format("resource '{}' has an unsupported type", x.name));
    }
    out += x;
  }
  return out;
}

void write_resources(const resources& rs, resource_list_builder out) {
  unsigned i = 0;
  for (const auto& r : rs.items()) {
    auto b = out[i++];
    b.setName(r.name);
    b.setRole(r.role);
    if (r.reserved()) {
      auto res = b.initReservations(1)[0];
      res.setType(r.dynamic ? schema::ReservationInfo::Type::DYNAMIC
                            : schema::ReservationInfo::Type::STATIC);
      res.setRole(r.role);
      if (!r.principal.empty())
        res.setPrincipal(r.principal);
    }
    if (!r.allocation_role.empty())
      b.initAllocationInfo().setRole(r.allocation_role);
    switch (r.kind) {
      case value_kind::scalar:
        b.setType(schema::ValueType::SCALAR);
        b.initScalar().setValue(from_milli(r.scalar));
        break;
      case value_kind::ranges: {
        b.setType(schema::ValueType::RANGES);
        auto ranges = b.initRanges().initRange(static_cast<unsigned>(r.ranges.size()));
        for (unsigned k = 0; k < r.ranges.size(); ++k) {
          ranges[k].setBegin(r.ranges[k].begin);
          ranges[k].setEnd(r.ranges[k].end);
        }
        break;
      }
      case value_kind::set: {
        b.setType(schema::ValueType::SET);
        auto items = b.initSet().initItem(static_cast<unsigned>(r.set.size()));
        for (unsigned k = 0; k < r.set.size(); ++k)
          items.set(k, r.set[k]);
        break;
      }
    }
  }
}

void write_attributes(const std::vector<attribute>& attrs,
                      capnp::List<schema::Attribute>::Builder out) {
  unsigned i = 0;
  for (const auto& a : attrs) {
    auto b = out[i++];
    b.setName(a.name);
    switch (a.kind) {
      case attribute::kind_t::scalar:
        b.setType(schema::ValueType::SCALAR);
        b.initScalar().setValue(a.scalar);
        break;
      case attribute::kind_t::ranges: {
        b.setType(schema::ValueType::RANGES);
        auto ranges = b.initRanges().initRange(static_cast<unsigned>(a.ranges.size()));
        for (unsigned k = 0; k < a.ranges.size(); ++k) {
          ranges[k].setBegin(a.ranges[k].begin);
          ranges[k].setEnd(a.ranges[k].end);
        }
        break;
      }
      case attribute::kind_t::set: {
        b.setType(schema::ValueType::SET);
        auto items = b.initSet().initItem(static_cast<unsigned>(a.set.size()));
        for (unsigned k = 0; k < a.set.size(); ++k)
          items.set(k, a.set[k]);
        break;
      }
      case attribute::kind_t::text:
        b.setType(schema::ValueType::TEXT);
        b.initText().setValue(a.text);
        break;
    }
  }
}

void write_summary(const resources& rs, schema::state::ResourceSummary::Builder out) {
  out.setCpus(rs.get_scalar("cpus"));
  out.setMem(rs.get_scalar("mem"));
  out.setDisk(rs.get_scalar("disk"));
  out.setGpus(rs.get_scalar("gpus"));
  auto ports = rs.get_ranges("ports");
  if (!ports.empty())
    out.setPorts(ranges_to_string(ports));
}

} // namespace cairn
