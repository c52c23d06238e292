#include "actors/resources/resources.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "runtime/limits.hpp"

namespace cairn {

milli to_milli(double value) {
  return static_cast<milli>(std::llround(value * 1000.0));
}

double from_milli(milli value) {
  return static_cast<double>(value) / 1000.0;
}

std::string check_scalar(double value) {
  if (!std::isfinite(value) || value < 0)
    return fmt::format("{} is not a non-negative number", value);
  if (value > limits::max_scalar_value)
    return fmt::format("{} is more than the largest allowed ({})", value,
                       limits::max_scalar_value);
  return {};
}

std::string check_range(uint64_t begin, uint64_t end) {
  if (begin > end)
    return fmt::format("range [{}-{}] ends before it begins", begin, end);
  if (end > limits::max_range_value)
    return fmt::format("range [{}-{}] ends past the largest allowed ({})", begin, end,
                       limits::max_range_value);
  return {};
}

std::string scalar_totals::add(const std::string& name, milli value) {
  assert(value >= 0 && value <= to_milli(limits::max_scalar_value));
  milli& total = totals_[name];
  // Both are at most the largest total, so the sum cannot wrap.
  if (total + value > to_milli(limits::max_scalar_value))
    return fmt::format("the total of '{}' is more than the largest allowed ({})", name,
                       limits::max_scalar_value);
  total += value;
  return {};
}

bool resource::empty() const {
  switch (kind) {
    case value_kind::scalar:
      return scalar == 0;
    case value_kind::ranges:
      return ranges.empty();
    case value_kind::set:
      return set.empty();
  }
  return true;
}

bool resource::same_identity(const resource& other) const {
  return name == other.name && kind == other.kind && role == other.role
         && dynamic == other.dynamic && principal == other.principal
         && allocation_role == other.allocation_role;
}

// -- ranges

std::vector<interval> ranges_union(const std::vector<interval>& a,
                                   const std::vector<interval>& b) {
  std::vector<interval> all;
  all.reserve(a.size() + b.size());
  std::merge(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(all),
             [](const interval& x, const interval& y) { return x.begin < y.begin; });
  std::vector<interval> out;
  for (const auto& i : all) {
    // Coalesce overlapping and adjacent intervals: [1-2] + [3-4] = [1-4].
    if (!out.empty() && i.begin <= out.back().end + 1)
      out.back().end = std::max(out.back().end, i.end);
    else
      out.push_back(i);
  }
  return out;
}

std::vector<interval> ranges_difference(const std::vector<interval>& a,
                                        const std::vector<interval>& b) {
  std::vector<interval> out;
  size_t j = 0;
  for (auto cur : a) {
    bool alive = true;
    while (j < b.size() && b[j].end < cur.begin)
      ++j;
    for (size_t k = j; k < b.size() && b[k].begin <= cur.end; ++k) {
      if (b[k].begin > cur.begin)
        out.push_back({cur.begin, b[k].begin - 1});
      if (b[k].end >= cur.end) {
        alive = false;
        break;
      }
      cur.begin = b[k].end + 1;
    }
    if (alive)
      out.push_back(cur);
  }
  return out;
}

bool ranges_contain(const std::vector<interval>& outer, const std::vector<interval>& inner) {
  size_t j = 0;
  for (const auto& i : inner) {
    while (j < outer.size() && outer[j].end < i.begin)
      ++j;
    if (j == outer.size() || outer[j].begin > i.begin || outer[j].end < i.end)
      return false;
  }
  return true;
}

uint64_t ranges_count(const std::vector<interval>& a) {
  uint64_t n = 0;
  for (const auto& i : a)
    n += i.end - i.begin + 1;
  return n;
}

std::string ranges_to_string(const std::vector<interval>& a) {
  std::string out = "[";
  for (size_t i = 0; i < a.size(); ++i) {
    if (i > 0)
      out += ", ";
    out += fmt::format("{}-{}", a[i].begin, a[i].end);
  }
  return out + "]";
}

// -- sets

namespace {

std::vector<std::string> set_union(const std::vector<std::string>& a,
                                   const std::vector<std::string>& b) {
  std::vector<std::string> out;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

std::vector<std::string> set_difference(const std::vector<std::string>& a,
                                        const std::vector<std::string>& b) {
  std::vector<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

bool value_contains(const resource& outer, const resource& inner) {
  switch (outer.kind) {
    case value_kind::scalar:
      return outer.scalar >= inner.scalar;
    case value_kind::ranges:
      return ranges_contain(outer.ranges, inner.ranges);
    case value_kind::set:
      return std::includes(outer.set.begin(), outer.set.end(), inner.set.begin(),
                           inner.set.end());
  }
  return false;
}

void value_add(resource& to, const resource& r) {
  switch (to.kind) {
    case value_kind::scalar:
      to.scalar += r.scalar;
      break;
    case value_kind::ranges:
      to.ranges = ranges_union(to.ranges, r.ranges);
      break;
    case value_kind::set:
      to.set = set_union(to.set, r.set);
      break;
  }
}

void value_subtract(resource& from, const resource& r) {
  switch (from.kind) {
    case value_kind::scalar:
      from.scalar -= r.scalar;
      break;
    case value_kind::ranges:
      from.ranges = ranges_difference(from.ranges, r.ranges);
      break;
    case value_kind::set:
      from.set = set_difference(from.set, r.set);
      break;
  }
}

} // namespace

// -- resources

resources resources::scalar(std::string name, double value, std::string role) {
  resource r;
  r.name = std::move(name);
  r.kind = value_kind::scalar;
  r.scalar = to_milli(value);
  r.role = std::move(role);
  resources out;
  out += r;
  return out;
}

resources resources::port_range(uint64_t begin, uint64_t end, std::string role) {
  assert(begin <= end);
  resource r;
  r.name = "ports";
  r.kind = value_kind::ranges;
  r.ranges = {{begin, end}};
  r.role = std::move(role);
  resources out;
  out += r;
  return out;
}

resources& resources::operator+=(const resource& r) {
  if (r.empty())
    return *this;
  for (auto& mine : items_) {
    if (mine.same_identity(r)) {
      value_add(mine, r);
      return *this;
    }
  }
  items_.push_back(r);
  return *this;
}

resources& resources::operator+=(resource&& r) {
  if (r.empty())
    return *this;
  for (auto& mine : items_) {
    if (mine.same_identity(r)) {
      value_add(mine, r);
      return *this;
    }
  }
  items_.push_back(std::move(r));
  return *this;
}

resources& resources::operator+=(const resources& rs) {
  for (const auto& r : rs.items_)
    *this += r;
  return *this;
}

resources& resources::operator-=(const resource& r) {
  if (r.empty())
    return *this;
  for (size_t i = 0; i < items_.size(); ++i) {
    auto& mine = items_[i];
    if (mine.same_identity(r)) {
      assert(value_contains(mine, r) && "subtracting resources that are not there");
      value_subtract(mine, r);
      if (mine.empty())
        items_.erase(items_.begin() + static_cast<ptrdiff_t>(i));
      return *this;
    }
  }
  assert(false && "subtracting resources that are not there");
  return *this;
}

resources& resources::operator-=(const resources& rs) {
  for (const auto& r : rs.items_)
    *this -= r;
  return *this;
}

bool resources::contains(const resource& r) const {
  if (r.empty())
    return true;
  for (const auto& mine : items_)
    if (mine.same_identity(r))
      return value_contains(mine, r);
  return false;
}

bool resources::contains(const resources& rs) const {
  for (const auto& r : rs.items_)
    if (!contains(r))
      return false;
  return true;
}

milli resources::get_scalar_milli(std::string_view name) const {
  milli total = 0;
  for (const auto& r : items_)
    if (r.kind == value_kind::scalar && r.name == name)
      total += r.scalar;
  return total;
}

double resources::get_scalar(std::string_view name) const {
  return from_milli(get_scalar_milli(name));
}

std::vector<interval> resources::get_ranges(std::string_view name) const {
  std::vector<interval> out;
  for (const auto& r : items_)
    if (r.kind == value_kind::ranges && r.name == name)
      out = ranges_union(out, r.ranges);
  return out;
}

namespace {

template <class Pred, class Map>
resources transform(const std::vector<resource>& items, Pred keep, Map map) {
  resources out;
  for (const auto& r : items) {
    if (keep(r)) {
      resource copy = r;
      map(copy);
      out += std::move(copy);
    }
  }
  return out;
}

auto keep_all = [](const resource&) { return true; };
auto no_change = [](resource&) {};

} // namespace

resources resources::allocated_to(const std::string& role) const {
  return transform(items_, keep_all, [&](resource& r) { r.allocation_role = role; });
}

resources resources::unallocated() const {
  return transform(items_, keep_all, [](resource& r) { r.allocation_role.clear(); });
}

resources resources::usable_by(const std::string& role) const {
  return transform(items_, [&](const resource& r) { return !r.reserved() || r.role == role; },
                   no_change);
}

resources resources::unreserved() const {
  return transform(items_, [](const resource& r) { return !r.reserved(); }, no_change);
}

resources resources::reserved_to(const std::string& role) const {
  return transform(items_, [&](const resource& r) { return r.role == role; }, no_change);
}

resources resources::scalars() const {
  return transform(items_, [](const resource& r) { return r.kind == value_kind::scalar; },
                   no_change);
}

std::string resources::to_string() const {
  std::string out;
  for (const auto& r : items_) {
    if (!out.empty())
      out += "; ";
    out += fmt::format("{}({})", r.name, r.role);
    if (!r.allocation_role.empty())
      out += fmt::format("(allocated: {})", r.allocation_role);
    out += ":";
    switch (r.kind) {
      case value_kind::scalar:
        out += fmt::format("{}", from_milli(r.scalar));
        break;
      case value_kind::ranges:
        out += ranges_to_string(r.ranges);
        break;
      case value_kind::set:
        out += "{" + fmt::format("{}", fmt::join(r.set, ",")) + "}";
        break;
    }
  }
  return out;
}

} // namespace cairn
