#include "actors/cron/time_zone.hpp"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cstdio>

#include "actors/cron/civil_time.hpp"
#include "runtime/errors.hpp"

namespace cairn::cron {

// "STD offset [DST [offset] [,start[/time],end[/time]]]": offsets are west
// of UTC (CET-1 is UTC+1); dates are Mm.w.d, Jn (1..365, no leap day) or n
// (0..365).
struct time_zone::posix_rule {
  struct date_rule {
    char kind = 'M';  // 'M', 'J' or 'n'
    int month = 0, week = 0, weekday = 0, day = 0;
    int32_t time_s = 7200;
  };
  int32_t std_offset_s = 0;  // east of UTC
  bool has_dst = false;
  int32_t dst_offset_s = 0;
  date_rule start, end;

  // Seconds since the epoch (local, in the offset in force before it) of
  // the rule's day in `year`, plus its time.
  static int64_t local_seconds(const date_rule& r, int64_t year) {
    int64_t days = 0;
    if (r.kind == 'M') {
      int64_t first = days_from_civil({year, static_cast<unsigned>(r.month), 1});
      int64_t wd = weekday_from_days(first);
      int64_t d = first + (r.weekday - wd + 7) % 7 + (r.week - 1) * 7;
      int64_t last = first + days_in_month(year, static_cast<unsigned>(r.month)) - 1;
      while (d > last)
        d -= 7;
      days = d;
    } else if (r.kind == 'J') {
      int64_t jan1 = days_from_civil({year, 1, 1});
      days = jan1 + r.day - 1 + (is_leap_year(year) && r.day >= 60 ? 1 : 0);
    } else {
      days = days_from_civil({year, 1, 1}) + r.day;
    }
    return days * 86400 + r.time_s;
  }

  int32_t offset_at(int64_t utc_s) const {
    if (!has_dst)
      return std_offset_s;
    int64_t year = civil_from_days(floor_div(utc_s + std_offset_s, 86400)).year;
    // Start is given in standard time, end in daylight time.
    int64_t start_utc = local_seconds(start, year) - std_offset_s;
    int64_t end_utc = local_seconds(end, year) - dst_offset_s;
    bool dst = start_utc < end_utc ? (utc_s >= start_utc && utc_s < end_utc)
                                   : !(utc_s >= end_utc && utc_s < start_utc);
    return dst ? dst_offset_s : std_offset_s;
  }
};

namespace {

caf::error bad_rule(std::string_view rule, const char* why) {
  return make_error("invalid time zone rule '" + std::string(rule) + "': " + why);
}

bool read_name(std::string_view s, size_t& pos) {
  size_t start = pos;
  if (pos < s.size() && s[pos] == '<') {
    auto close = s.find('>', pos);
    if (close == std::string_view::npos)
      return false;
    pos = close + 1;
    return true;
  }
  while (pos < s.size() && std::isalpha(static_cast<unsigned char>(s[pos])))
    ++pos;
  return pos - start >= 3;
}

bool read_number(std::string_view s, size_t& pos, int& out) {
  size_t start = pos;
  out = 0;
  while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])) && pos - start < 4)
    out = out * 10 + (s[pos++] - '0');
  return pos > start;
}

// [+-]hh[:mm[:ss]], as seconds.
bool read_hms(std::string_view s, size_t& pos, int32_t& out) {
  int sign = 1;
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-'))
    sign = s[pos++] == '-' ? -1 : 1;
  int h = 0, m = 0, sec = 0;
  if (!read_number(s, pos, h) || h > 167)
    return false;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    if (!read_number(s, pos, m))
      return false;
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!read_number(s, pos, sec))
        return false;
    }
  }
  out = sign * (h * 3600 + m * 60 + sec);
  return true;
}

} // namespace

std::shared_ptr<const time_zone> time_zone::utc() {
  static auto zone = [] {
    auto z = std::shared_ptr<time_zone>(new time_zone());
    z->name_ = "UTC";
    return std::shared_ptr<const time_zone>(z);
  }();
  return zone;
}

std::shared_ptr<const time_zone> time_zone::fixed(int32_t offset_s) {
  if (offset_s == 0)
    return utc();
  auto z = std::shared_ptr<time_zone>(new time_zone());
  z->fixed_offset_s_ = offset_s;
  int32_t a = offset_s < 0 ? -offset_s : offset_s;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset_s < 0 ? '-' : '+', a / 3600, a / 60 % 60);
  z->name_ = buf;
  return z;
}

caf::expected<std::shared_ptr<const time_zone>> time_zone::from_posix(std::string name,
                                                                      std::string_view s) {
  auto rule = std::make_shared<posix_rule>();
  size_t pos = 0;
  if (!read_name(s, pos))
    return bad_rule(s, "expected a zone abbreviation");
  int32_t west = 0;
  if (!read_hms(s, pos, west))
    return bad_rule(s, "expected the standard offset");
  rule->std_offset_s = -west;
  if (pos < s.size()) {
    if (!read_name(s, pos))
      return bad_rule(s, "expected the daylight-saving abbreviation");
    rule->has_dst = true;
    rule->dst_offset_s = rule->std_offset_s + 3600;
    if (pos < s.size() && s[pos] != ',') {
      if (!read_hms(s, pos, west))
        return bad_rule(s, "expected the daylight-saving offset");
      rule->dst_offset_s = -west;
    }
    for (auto* r : {&rule->start, &rule->end}) {
      if (pos >= s.size() || s[pos] != ',')
        return bad_rule(s, "expected ,start,end dates (a zone without them is not supported)");
      ++pos;
      if (pos < s.size() && s[pos] == 'M') {
        ++pos;
        r->kind = 'M';
        if (!read_number(s, pos, r->month) || pos >= s.size() || s[pos++] != '.'
            || !read_number(s, pos, r->week) || pos >= s.size() || s[pos++] != '.'
            || !read_number(s, pos, r->weekday) || r->month < 1 || r->month > 12
            || r->week < 1 || r->week > 5 || r->weekday > 6)
          return bad_rule(s, "bad Mm.w.d date");
      } else if (pos < s.size() && s[pos] == 'J') {
        ++pos;
        r->kind = 'J';
        if (!read_number(s, pos, r->day) || r->day < 1 || r->day > 365)
          return bad_rule(s, "bad Jn date");
      } else {
        r->kind = 'n';
        if (!read_number(s, pos, r->day) || r->day > 365)
          return bad_rule(s, "bad day number");
      }
      if (pos < s.size() && s[pos] == '/') {
        ++pos;
        if (!read_hms(s, pos, r->time_s))
          return bad_rule(s, "bad transition time");
      }
    }
  }
  if (pos != s.size())
    return bad_rule(s, "unexpected text at the end");
  auto z = std::shared_ptr<time_zone>(new time_zone());
  z->name_ = std::move(name);
  z->fixed_offset_s_ = rule->std_offset_s;
  if (rule->has_dst)
    z->rule_ = rule;
  return std::shared_ptr<const time_zone>(z);
}

namespace {

struct reader {
  std::string_view bytes;
  size_t pos = 0;
  bool ok = true;
  int64_t be(size_t n) {
    if (pos + n > bytes.size()) {
      ok = false;
      return 0;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i)
      v = (v << 8) | static_cast<unsigned char>(bytes[pos + i]);
    pos += n;
    if (n == 4)
      return static_cast<int32_t>(static_cast<uint32_t>(v));
    return static_cast<int64_t>(v);
  }
  void skip(size_t n) {
    if (pos + n > bytes.size())
      ok = false;
    else
      pos += n;
  }
};

struct tzif_counts {
  int64_t isut, isstd, leap, time, type, chars;
};

bool read_header(reader& r, char& version, tzif_counts& c) {
  if (r.bytes.size() < r.pos + 44 || r.bytes.substr(r.pos, 4) != "TZif")
    return false;
  version = r.bytes[r.pos + 4];
  r.skip(20);
  c.isut = r.be(4);
  c.isstd = r.be(4);
  c.leap = r.be(4);
  c.time = r.be(4);
  c.type = r.be(4);
  c.chars = r.be(4);
  return r.ok && c.type > 0 && c.type <= 256 && c.time >= 0 && c.time < 100000 && c.leap >= 0
         && c.chars >= 0 && c.isut >= 0 && c.isstd >= 0;
}

} // namespace

caf::expected<std::shared_ptr<const time_zone>> time_zone::from_tzif(std::string name,
                                                                     std::string_view bytes) {
  auto bad = [&](const char* why) {
    return make_error("time zone " + name + ": " + why);
  };
  reader r{bytes};
  char version = 0;
  tzif_counts c{};
  if (!read_header(r, version, c))
    return bad("not a TZif file");
  size_t time_size = 4;
  if (version >= '2') {
    // Skip the 32-bit block; the 64-bit one follows with its own header.
    r.skip(c.time * 5 + c.type * 6 + c.chars + c.leap * 8 + c.isstd + c.isut);
    if (!r.ok || !read_header(r, version, c))
      return bad("truncated TZif file");
    time_size = 8;
  }
  std::vector<int64_t> times(static_cast<size_t>(c.time));
  for (auto& t : times)
    t = r.be(time_size);
  std::vector<uint8_t> idx(static_cast<size_t>(c.time));
  for (auto& i : idx)
    i = static_cast<uint8_t>(r.be(1));
  std::vector<int32_t> utoff(static_cast<size_t>(c.type));
  std::vector<bool> isdst(static_cast<size_t>(c.type));
  for (size_t i = 0; i < utoff.size(); ++i) {
    utoff[i] = static_cast<int32_t>(r.be(4));
    isdst[i] = r.be(1) != 0;
    r.skip(1);
  }
  r.skip(c.chars + c.leap * (time_size + 4) + c.isstd + c.isut);
  if (!r.ok)
    return bad("truncated TZif file");
  auto z = std::shared_ptr<time_zone>(new time_zone());
  z->name_ = name;
  // Before the first transition: the first standard-time type (RFC 8536).
  z->fixed_offset_s_ = utoff[0];
  for (size_t i = 0; i < utoff.size(); ++i)
    if (!isdst[i]) {
      z->fixed_offset_s_ = utoff[i];
      break;
    }
  for (size_t i = 0; i < times.size(); ++i) {
    if (idx[i] >= utoff.size())
      return bad("transition names a type that does not exist");
    if (!z->transitions_.empty() && times[i] <= z->transitions_.back())
      return bad("transitions out of order");
    z->transitions_.push_back(times[i]);
    z->offsets_.push_back(utoff[idx[i]]);
  }
  if (version >= '2' && r.pos < bytes.size() && bytes[r.pos] == '\n') {
    auto end = bytes.find('\n', r.pos + 1);
    if (end == std::string_view::npos)
      return bad("footer without its end");
    auto footer = bytes.substr(r.pos + 1, end - r.pos - 1);
    if (!footer.empty()) {
      auto posix = from_posix(name, footer);
      if (!posix)
        return posix.error();
      if ((*posix)->rule_)
        z->rule_ = (*posix)->rule_;
      else if (z->transitions_.empty())
        z->fixed_offset_s_ = (*posix)->fixed_offset_s_;
      else {
        // A zone that stopped changing: its last offset holds for good.
        z->transitions_.push_back(z->transitions_.back() + 1);
        z->offsets_.push_back((*posix)->fixed_offset_s_);
      }
    }
  }
  return std::shared_ptr<const time_zone>(z);
}

int32_t time_zone::offset_at(int64_t utc_ms) const {
  int64_t s = floor_div(utc_ms, 1000);
  if (transitions_.empty() || s < transitions_.front())
    return rule_ && transitions_.empty() ? rule_->offset_at(s) : fixed_offset_s_;
  if (rule_ && s >= transitions_.back())
    return rule_->offset_at(s);
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), s);
  return offsets_[static_cast<size_t>(it - transitions_.begin()) - 1];
}

std::optional<int64_t> time_zone::to_utc_exact(int64_t local_ms) const {
  // The offsets a day either side cover any one transition around it.
  constexpr int64_t day_ms = 86'400'000;
  int64_t a = local_ms - int64_t{offset_at(local_ms - day_ms)} * 1000;
  int64_t b = local_ms - int64_t{offset_at(local_ms + day_ms)} * 1000;
  bool a_ok = a + int64_t{offset_at(a)} * 1000 == local_ms;
  bool b_ok = b + int64_t{offset_at(b)} * 1000 == local_ms;
  if (a_ok && b_ok)
    return std::min(a, b);
  if (a_ok)
    return a;
  if (b_ok)
    return b;
  return std::nullopt;
}

int64_t time_zone::to_utc(int64_t local_ms) const {
  if (auto exact = to_utc_exact(local_ms))
    return *exact;
  // In a gap: the offset before it, which lands as far past the gap's end
  // as the wall time was past its start.
  int64_t before = local_ms - int64_t{offset_at(local_ms - 86'400'000)} * 1000;
  assert(offset_at(before) != offset_at(local_ms - 86'400'000));
  return before;
}

} // namespace cairn::cron
