#include "actors/resources/parse.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include <caf/sec.hpp>
#include <fmt/format.h>

#include "actors/checks.hpp"

namespace cairn {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  int depth = 0; // separators inside [..] or {..} do not split
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '[' || s[i] == '{')
      ++depth;
    else if (s[i] == ']' || s[i] == '}')
      --depth;
    else if (s[i] == sep && depth == 0) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(s.substr(start));
  return out;
}

caf::error fail(std::string_view part, const std::string& why) {
  return caf::make_error(caf::sec::invalid_argument,
                         fmt::format("invalid '{}': {}", part, why));
}

bool parse_number(std::string_view s, double& out) {
  s = trim(s);
  if (s.empty())
    return false;
  std::string copy{s};
  char* end = nullptr;
  out = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size() && std::isfinite(out);
}

bool parse_u64(std::string_view s, uint64_t& out) {
  s = trim(s);
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && ptr == s.data() + s.size();
}

// "[31000-32000, 33000-33010]"
caf::expected<std::vector<interval>> parse_ranges(std::string_view part, std::string_view v) {
  if (v.size() < 2 || v.front() != '[' || v.back() != ']')
    return fail(part, "ranges must look like [begin-end, ...]");
  std::vector<interval> out;
  auto body = trim(v.substr(1, v.size() - 2));
  if (body.empty())
    return out;
  for (auto item : split(body, ',')) {
    auto dash = item.find('-');
    interval i{};
    if (dash == std::string_view::npos || !parse_u64(item.substr(0, dash), i.begin)
        || !parse_u64(item.substr(dash + 1), i.end))
      return fail(part, fmt::format("'{}' is not a range begin-end", trim(item)));
    if (auto problem = check_range(i.begin, i.end); !problem.empty())
      return fail(part, problem);
    out = ranges_union(out, {i});
  }
  return out;
}

// "{a,b,c}"
caf::expected<std::vector<std::string>> parse_set(std::string_view part, std::string_view v) {
  if (v.size() < 2 || v.front() != '{' || v.back() != '}')
    return fail(part, "sets must look like {a,b,...}");
  std::vector<std::string> out;
  auto body = trim(v.substr(1, v.size() - 2));
  if (!body.empty())
    for (auto item : split(body, ','))
      out.emplace_back(trim(item));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool valid_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'
           || c == '/';
  });
}

caf::expected<resource> parse_one(std::string_view part) {
  auto colon = part.find(':');
  if (colon == std::string_view::npos)
    return fail(part, "expected name:value");
  auto key = trim(part.substr(0, colon));
  auto value = trim(part.substr(colon + 1));
  resource r;
  auto paren = key.find('(');
  if (paren != std::string_view::npos) {
    if (key.back() != ')')
      return fail(part, "expected name(role)");
    r.role = std::string{trim(key.substr(paren + 1, key.size() - paren - 2))};
    key = trim(key.substr(0, paren));
    if (auto problem = check_role(r.role); !problem.empty())
      return fail(part, problem);
  }
  if (!valid_name(key))
    return fail(part, fmt::format("'{}' is not a valid resource name", key));
  r.name = std::string{key};
  if (value.empty())
    return fail(part, "missing value");
  if (value.front() == '[') {
    r.kind = value_kind::ranges;
    auto ranges = parse_ranges(part, value);
    if (!ranges)
      return std::move(ranges.error());
    r.ranges = std::move(*ranges);
  } else if (value.front() == '{') {
    r.kind = value_kind::set;
    auto set = parse_set(part, value);
    if (!set)
      return std::move(set.error());
    r.set = std::move(*set);
  } else {
    double d = 0;
    if (!parse_number(value, d))
      return fail(part, fmt::format("'{}' is not a number", value));
    if (d < 0)
      return fail(part, "a resource cannot be negative");
    if (auto problem = check_scalar(d); !problem.empty())
      return fail(part, problem);
    r.kind = value_kind::scalar;
    r.scalar = to_milli(d);
  }
  return r;
}

} // namespace

caf::expected<resources> parse_resources(std::string_view text) {
  resources out;
  scalar_totals totals;
  std::vector<std::pair<std::string, value_kind>> seen;
  for (auto part : split(text, ';')) {
    part = trim(part);
    if (part.empty())
      continue;
    auto r = parse_one(part);
    if (!r)
      return std::move(r.error());
    for (const auto& [name, kind] : seen)
      if (name == r->name && kind != r->kind)
        return fail(part, fmt::format("'{}' is given with two different types", name));
    seen.emplace_back(r->name, r->kind);
    if (r->kind == value_kind::scalar)
      if (auto problem = totals.add(r->name, r->scalar); !problem.empty())
        return fail(part, problem);
    out += *r;
  }
  return out;
}

caf::expected<std::vector<attribute>> parse_attributes(std::string_view text) {
  std::vector<attribute> out;
  for (auto part : split(text, ';')) {
    part = trim(part);
    if (part.empty())
      continue;
    auto colon = part.find(':');
    if (colon == std::string_view::npos)
      return fail(part, "expected name:value");
    attribute a;
    a.name = std::string{trim(part.substr(0, colon))};
    auto value = trim(part.substr(colon + 1));
    if (!valid_name(a.name))
      return fail(part, fmt::format("'{}' is not a valid attribute name", a.name));
    if (value.empty())
      return fail(part, "missing value");
    if (value.front() == '[') {
      auto ranges = parse_ranges(part, value);
      if (!ranges)
        return std::move(ranges.error());
      a.kind = attribute::kind_t::ranges;
      a.ranges = std::move(*ranges);
    } else if (value.front() == '{') {
      auto set = parse_set(part, value);
      if (!set)
        return std::move(set.error());
      a.kind = attribute::kind_t::set;
      a.set = std::move(*set);
    } else if (double d = 0; parse_number(value, d)) {
      a.kind = attribute::kind_t::scalar;
      a.scalar = d;
    } else {
      a.kind = attribute::kind_t::text;
      a.text = std::string{value};
    }
    out.push_back(std::move(a));
  }
  return out;
}

} // namespace cairn
