#include "actors/cron/cron_expression.hpp"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <vector>

#include "actors/cron/civil_time.hpp"
#include "runtime/errors.hpp"

namespace cairn::cron {

namespace {

struct field_spec {
  const char* name;
  int min, max;
  const char* const* names;  // upper-case names from `min`, or null
};

constexpr const char* month_names[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", nullptr};
constexpr const char* weekday_names[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", nullptr};

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    auto at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos)
      return out;
    start = at + 1;
  }
}

std::optional<int> value_of(std::string_view v, const field_spec& f) {
  if (v.empty() || v.size() > 4)
    return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); })) {
    int n = 0;
    for (char c : v)
      n = n * 10 + (c - '0');
    return n;
  }
  if (!f.names)
    return std::nullopt;
  std::string upper;
  for (char c : v)
    upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (int i = 0; f.names[i]; ++i)
    if (upper == f.names[i])
      return f.min + i;
  return std::nullopt;
}

// One field into `bits` (index = value); `star` says it was `*` alone.
template <size_t N>
caf::error parse_field(std::string_view text, const field_spec& f, std::bitset<N>& bits,
                       bool& star, int top) {
  auto bad = [&](const std::string& why) {
    return make_error(std::string("cron ") + f.name + " '" + std::string(text) + "': " + why);
  };
  star = text == "*";
  for (auto item : split(text, ',')) {
    auto parts = split(item, '/');
    if (parts.size() > 2)
      return bad("more than one step");
    int step = 1;
    if (parts.size() == 2) {
      auto s = value_of(parts[1], field_spec{f.name, 1, top, nullptr});
      if (!s || *s < 1 || *s > top)
        return bad("a step is a number from 1 to " + std::to_string(top));
      step = *s;
    }
    int lo = f.min, hi = top;
    if (parts[0] != "*") {
      auto range = split(parts[0], '-');
      if (range.size() > 2)
        return bad("a range is low-high");
      auto a = value_of(range[0], f);
      if (!a || *a < f.min || *a > top)
        return bad("'" + std::string(range[0]) + "' is not a value from " +
                   std::to_string(f.min) + " to " + std::to_string(f.max));
      lo = hi = *a;
      if (range.size() == 2) {
        auto b = value_of(range[1], f);
        if (!b || *b < f.min || *b > top)
          return bad("'" + std::string(range[1]) + "' is not a value from " +
                     std::to_string(f.min) + " to " + std::to_string(f.max));
        if (*b < *a)
          return bad("a range must not run backwards");
        hi = *b;
      } else if (parts.size() == 2) {
        hi = top;  // "5/15" is "5-max/15"
      }
    }
    for (int v = lo; v <= hi; v += step)
      bits.set(static_cast<size_t>(v));
  }
  return {};
}

} // namespace

caf::expected<cron_expression> parse_cron(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos])))
      ++pos;
    size_t start = pos;
    while (pos < text.size() && !std::isspace(static_cast<unsigned char>(text[pos])))
      ++pos;
    if (pos > start)
      fields.push_back(text.substr(start, pos - start));
  }
  if (!fields.empty() && !fields[0].empty() && fields[0][0] == '@')
    return make_error("cron '" + std::string(text) + "': macros like @daily are not supported; "
                      "give five fields");
  if (fields.size() != 5)
    return make_error("cron '" + std::string(text) +
                      "': expected five fields (minute hour day-of-month month day-of-week)");
  cron_expression e;
  e.text = std::string(text);
  bool star = false;
  if (auto err = parse_field(fields[0], {"minute", 0, 59, nullptr}, e.minutes, star, 59))
    return err;
  if (auto err = parse_field(fields[1], {"hour", 0, 23, nullptr}, e.hours, star, 23))
    return err;
  if (auto err = parse_field(fields[2], {"day-of-month", 1, 31, nullptr}, e.days, e.any_day, 31))
    return err;
  if (auto err = parse_field(fields[3], {"month", 1, 12, month_names}, e.months, star, 12))
    return err;
  std::bitset<8> weekdays;
  if (auto err = parse_field(fields[4], {"day-of-week", 0, 7, weekday_names}, weekdays,
                             e.any_weekday, 7))
    return err;
  for (size_t d = 0; d < 7; ++d)
    e.weekdays[d] = weekdays[d];
  if (weekdays[7])
    e.weekdays.set(0);
  // A day-of-month no chosen month has never comes.
  bool possible = false;
  for (unsigned m = 1; m <= 12; ++m)
    for (unsigned d = 1; d <= days_in_month(2024, m); ++d)
      possible |= e.months[m] && e.days[d];
  if (!possible && e.any_weekday)
    return make_error("cron '" + std::string(text) + "': no month has that day");
  assert(e.minutes.any() && e.hours.any() && e.months.any());
  return e;
}

std::optional<int64_t> next_match(const cron_expression& e, const time_zone& zone,
                                  int64_t after_ms) {
  constexpr int64_t minute_ms = 60'000, day_ms = 86'400'000;
  int64_t local_after = after_ms + int64_t{zone.offset_at(after_ms)} * 1000;
  // Start one hour early: an overlap may map an earlier wall time past `after`.
  int64_t first_day = floor_div(local_after - 3'600'000, day_ms);
  for (int64_t day = first_day; day < first_day + 366 * 8 + 2; ++day) {
    auto d = civil_from_days(day);
    if (!e.months[d.month])
      continue;
    bool dom = e.days[d.day], dow = e.weekdays[weekday_from_days(day)];
    bool match = e.any_day && e.any_weekday ? true
                 : e.any_day                 ? dow
                 : e.any_weekday             ? dom
                                             : (dom || dow);
    if (!match)
      continue;
    for (int h = 0; h < 24; ++h) {
      if (!e.hours[static_cast<size_t>(h)])
        continue;
      for (int m = 0; m < 60; ++m) {
        if (!e.minutes[static_cast<size_t>(m)])
          continue;
        int64_t local = day * day_ms + (h * 60 + m) * minute_ms;
        auto utc = zone.to_utc_exact(local);
        if (utc && *utc > after_ms) {
          assert(*utc % minute_ms == 0 || zone.offset_at(*utc) % 60 != 0);
          return utc;
        }
      }
    }
  }
  return std::nullopt;
}

} // namespace cairn::cron
