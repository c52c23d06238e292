#include "actors/cron/civil_time.hpp"

#include <cassert>
#include <cctype>
#include <cstdio>
#include <limits>

#include "runtime/errors.hpp"

namespace cairn::cron {

namespace {

constexpr int64_t ms_per_day = 86'400'000;

// Reads exactly `n` digits at `pos`; advances it.
std::optional<int64_t> digits(std::string_view s, size_t& pos, size_t n) {
  if (pos + n > s.size())
    return std::nullopt;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return std::nullopt;
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

bool take(std::string_view s, size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

caf::error bad_time(std::string_view text, const char* why) {
  return make_error("invalid date-time '" + std::string(text) + "': " + why);
}

// The offset after a time: Z, +hh, +hhmm, +hh:mm.
caf::expected<std::optional<int32_t>> read_offset(std::string_view text, size_t& pos) {
  if (pos == text.size())
    return std::optional<int32_t>{};
  if (take(text, pos, 'Z'))
    return std::optional<int32_t>{0};
  int sign = text[pos] == '+' ? 1 : text[pos] == '-' ? -1 : 0;
  if (sign == 0)
    return bad_time(text, "expected Z or an offset like +01:00");
  ++pos;
  auto h = digits(text, pos, 2);
  if (!h || *h > 23)
    return bad_time(text, "bad offset hours");
  int64_t m = 0;
  if (pos < text.size()) {
    take(text, pos, ':');
    auto mm = digits(text, pos, 2);
    if (!mm || *mm > 59)
      return bad_time(text, "bad offset minutes");
    m = *mm;
  }
  return std::optional<int32_t>{static_cast<int32_t>(sign * (*h * 3600 + m * 60))};
}

} // namespace

bool is_leap_year(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(int64_t year, unsigned month) {
  assert(month >= 1 && month <= 12);
  static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : days[month - 1];
}

// Eras of 400 years, each of 146097 days, starting on March 1st so that the
// leap day falls at the end of a year.
int64_t days_from_civil(civil_date d) {
  assert(d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= 31);
  int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  int64_t era = floor_div(y, 400);
  int64_t yoe = y - era * 400;
  int64_t mp = (d.month + 9) % 12;  // March is 0
  int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

civil_date civil_from_days(int64_t z) {
  z += 719468;
  int64_t era = floor_div(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  civil_date d;
  d.day = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  d.month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  d.year = yoe + era * 400 + (d.month <= 2 ? 1 : 0);
  assert(d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= 31);
  return d;
}

unsigned weekday_from_days(int64_t days) {
  // 1970-01-01 was a Thursday (4).
  int64_t w = (days % 7 + 7 + 4) % 7;
  return static_cast<unsigned>(w);
}

caf::expected<written_time> parse_date_time(std::string_view text) {
  size_t pos = 0;
  auto y = digits(text, pos, 4);
  if (!y || !take(text, pos, '-'))
    return bad_time(text, "expected YYYY-MM-DD");
  auto mo = digits(text, pos, 2);
  if (!mo || !take(text, pos, '-'))
    return bad_time(text, "expected YYYY-MM-DD");
  auto d = digits(text, pos, 2);
  if (!d)
    return bad_time(text, "expected YYYY-MM-DD");
  if (*mo < 1 || *mo > 12)
    return bad_time(text, "month out of range");
  if (*d < 1 || *d > days_in_month(*y, static_cast<unsigned>(*mo)))
    return bad_time(text, "day out of range");
  int64_t h = 0, mi = 0, s = 0, ms = 0;
  if (take(text, pos, 'T')) {
    auto hh = digits(text, pos, 2);
    if (!hh || !take(text, pos, ':'))
      return bad_time(text, "expected hh:mm");
    auto mm = digits(text, pos, 2);
    if (!mm)
      return bad_time(text, "expected hh:mm");
    h = *hh;
    mi = *mm;
    if (take(text, pos, ':')) {
      auto ss = digits(text, pos, 2);
      if (!ss)
        return bad_time(text, "expected seconds");
      s = *ss;
      if (take(text, pos, '.') || take(text, pos, ',')) {
        int64_t scale = 100;
        size_t start = pos;
        while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
          ms += (text[pos] - '0') * scale;
          scale /= 10;
          ++pos;
        }
        if (pos == start)
          return bad_time(text, "expected digits after the decimal point");
      }
    }
    if (h > 23 || mi > 59 || s > 59)
      return bad_time(text, "time out of range");
  }
  auto offset = read_offset(text, pos);
  if (!offset)
    return offset.error();
  if (pos != text.size())
    return bad_time(text, "unexpected text at the end");
  civil_date date{*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d)};
  written_time w;
  w.local_ms = days_from_civil(date) * ms_per_day + ((h * 60 + mi) * 60 + s) * 1000 + ms;
  w.offset_s = *offset;
  return w;
}

std::string format_date_time(int64_t utc_ms, int32_t offset_s) {
  int64_t local = utc_ms + int64_t{offset_s} * 1000;
  int64_t days = floor_div(local, ms_per_day);
  int64_t in_day = local - days * ms_per_day;
  auto d = civil_from_days(days);
  char buf[64];
  int64_t secs = in_day / 1000;
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lld",
                static_cast<long long>(d.year), d.month, d.day,
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60), static_cast<long long>(in_day % 1000));
  std::string out = buf;
  if (offset_s == 0)
    return out + "Z";
  int32_t a = offset_s < 0 ? -offset_s : offset_s;
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset_s < 0 ? '-' : '+', a / 3600,
                a / 60 % 60);
  return out + buf;
}

caf::expected<period> parse_period(std::string_view text) {
  auto bad = [&](const char* why) -> caf::error {
    return make_error("invalid period '" + std::string(text) + "': " + why);
  };
  if (text.size() < 2 || text[0] != 'P')
    return bad("expected P followed by a duration, like PT1H or P1D");
  period p;
  bool in_time = false, any = false;
  size_t pos = 1;
  while (pos < text.size()) {
    if (text[pos] == 'T') {
      if (in_time)
        return bad("T given twice");
      in_time = true;
      ++pos;
      continue;
    }
    size_t start = pos;
    int64_t whole = 0, frac_ms = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      if (whole > std::numeric_limits<int64_t>::max() / 100 / 1000 / 3600)
        return bad("number too large");
      whole = whole * 10 + (text[pos++] - '0');
    }
    if (pos == start)
      return bad("expected a number");
    bool fraction = false;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      fraction = true;
      ++pos;
      int64_t scale = 100;
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
        frac_ms += (text[pos++] - '0') * scale;
        scale /= 10;
      }
    }
    if (pos == text.size())
      return bad("a number without its unit");
    char unit = text[pos++];
    if (fraction && !(in_time && unit == 'S'))
      return bad("only seconds may have a fraction");
    any = true;
    if (!in_time) {
      switch (unit) {
        case 'Y': p.years += whole; break;
        case 'M': p.months += whole; break;
        case 'W': p.weeks += whole; break;
        case 'D': p.days += whole; break;
        default: return bad("unknown date unit (Y, M, W, D; T before H, M, S)");
      }
    } else {
      switch (unit) {
        case 'H': p.hours += whole; break;
        case 'M': p.minutes += whole; break;
        case 'S': p.millis += whole * 1000 + frac_ms; break;
        default: return bad("unknown time unit (H, M, S)");
      }
    }
  }
  if (!any)
    return bad("no duration given");
  return p;
}

std::string format_period(const period& p) {
  std::string out = "P";
  auto part = [&](int64_t v, char unit) {
    if (v != 0)
      out += std::to_string(v) + unit;
  };
  part(p.years, 'Y');
  part(p.months, 'M');
  part(p.weeks, 'W');
  part(p.days, 'D');
  if (p.hours || p.minutes || p.millis || !p.calendar()) {
    out += 'T';
    part(p.hours, 'H');
    part(p.minutes, 'M');
    if (p.millis % 1000 == 0) {
      if (p.millis != 0 || (!p.hours && !p.minutes))
        out += std::to_string(p.millis / 1000) + 'S';
    } else {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%lld.%03lldS", static_cast<long long>(p.millis / 1000),
                    static_cast<long long>(p.millis % 1000));
      std::string s = buf;
      while (s[s.size() - 2] == '0')
        s.erase(s.size() - 2, 1);
      out += s;
    }
  }
  return out;
}

int64_t add_calendar(int64_t local_ms, const period& p) {
  int64_t days = floor_div(local_ms, ms_per_day);
  int64_t in_day = local_ms - days * ms_per_day;
  auto d = civil_from_days(days);
  int64_t months = d.year * 12 + (d.month - 1) + p.years * 12 + p.months;
  civil_date out;
  out.year = floor_div(months, 12);
  out.month = static_cast<unsigned>(months - out.year * 12 + 1);
  out.day = std::min(d.day, days_in_month(out.year, out.month));
  int64_t result_days = days_from_civil(out) + p.weeks * 7 + p.days;
  int64_t result = result_days * ms_per_day + in_day;
  assert(p.years < 0 || p.months < 0 || p.weeks < 0 || p.days < 0 || result >= local_ms);
  return result;
}

} // namespace cairn::cron
