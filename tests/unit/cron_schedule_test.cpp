// The cron framework's schedules on a virtual clock: ISO 8601 dates, periods
// and repeating intervals, time zones across daylight-saving jumps, the due
// decision with epsilon, and five-field cron expressions.
#include <doctest/doctest.h>

#include "actors/cron/civil_time.hpp"
#include "actors/cron/cron_expression.hpp"
#include "actors/cron/schedule.hpp"
#include "actors/cron/tz_database.hpp"
#include "runtime/errors.hpp"

using namespace cairn;
using namespace cairn::cron;

namespace {

int64_t at(const char* text) {
  auto w = parse_date_time(text);
  REQUIRE(w);
  return w->local_ms - int64_t{w->offset_s.value_or(0)} * 1000;
}

std::string utc(int64_t ms) {
  return format_date_time(ms, 0);
}

std::shared_ptr<const time_zone> zone(const char* name) {
  auto z = find_time_zone(name);
  REQUIRE(z);
  return *z;
}

job_schedule iso(const char* text, std::shared_ptr<const time_zone> z = nullptr,
                 int64_t now = 0) {
  auto s = job_schedule::iso8601(text, std::move(z), now);
  REQUIRE_MESSAGE(s, (s ? "" : error_message(s.error())));
  return std::move(*s);
}

} // namespace

TEST_CASE("civil dates round-trip, leap years included") {
  for (int64_t d = -800000; d < 800000; d += 97) {
    auto c = civil_from_days(d);
    CHECK(days_from_civil(c) == d);
  }
  CHECK(days_from_civil({1970, 1, 1}) == 0);
  CHECK(days_from_civil({2000, 3, 1}) - days_from_civil({2000, 2, 28}) == 2);
  CHECK(days_from_civil({1900, 3, 1}) - days_from_civil({1900, 2, 28}) == 1);
  CHECK(weekday_from_days(days_from_civil({2026, 1, 1})) == 4);  // a Thursday
  CHECK(days_in_month(2024, 2) == 29);
  CHECK(days_in_month(2100, 2) == 28);
}

TEST_CASE("ISO 8601 date-times parse with and without offsets") {
  CHECK(utc(at("2026-01-01T00:00:00Z")) == "2026-01-01T00:00:00.000Z");
  CHECK(utc(at("2026-01-01T01:30:00+01:00")) == "2026-01-01T00:30:00.000Z");
  CHECK(utc(at("2026-01-01T01:30:00+0130")) == "2026-01-01T00:00:00.000Z");
  CHECK(utc(at("2025-12-31T19:00:00-05")) == "2026-01-01T00:00:00.000Z");
  CHECK(utc(at("2026-01-01T00:00:00.25Z")) == "2026-01-01T00:00:00.250Z");
  CHECK(utc(at("2026-01-01")) == "2026-01-01T00:00:00.000Z");
  CHECK(utc(at("2026-01-01T10:20")) == "2026-01-01T10:20:00.000Z");
  CHECK(!parse_date_time("2026-02-29T00:00:00Z"));  // not a leap year
  CHECK(parse_date_time("2024-02-29T00:00:00Z"));
  CHECK(!parse_date_time("2026-13-01T00:00:00Z"));
  CHECK(!parse_date_time("2026-01-01T24:00:00Z"));
  CHECK(!parse_date_time("2026-01-01T00:00:00Q"));
  CHECK(!parse_date_time("yesterday"));
  CHECK(format_date_time(at("2026-01-01T00:00:00Z"), 3600) == "2026-01-01T01:00:00.000+01:00");
  CHECK(format_date_time(at("2026-01-01T00:00:00Z"), -16200) == "2025-12-31T19:30:00.000-04:30");
}

TEST_CASE("ISO 8601 periods: calendar and time parts") {
  auto p = parse_period("P1Y2M3W4DT5H6M7.5S");
  REQUIRE(p);
  CHECK(p->years == 1);
  CHECK(p->months == 2);
  CHECK(p->weeks == 3);
  CHECK(p->days == 4);
  CHECK(p->exact_ms() == ((5 * 60 + 6) * 60 + 7) * 1000 + 500);
  CHECK(format_period(*p) == "P1Y2M3W4DT5H6M7.5S");
  CHECK(format_period(*parse_period("PT10M")) == "PT10M");
  CHECK(format_period(*parse_period("P10M")) == "P10M");
  CHECK(format_period(*parse_period("PT0S")) == "PT0S");
  CHECK(!parse_period("P"));
  CHECK(!parse_period("PT"));
  CHECK(!parse_period("1H"));
  CHECK(!parse_period("P1H"));       // hours need the T
  CHECK(!parse_period("PT1D"));
  CHECK(!parse_period("P1.5D"));     // only seconds take a fraction
  CHECK(!parse_period("PT5"));
}

TEST_CASE("months add on the wall clock and clamp to the month's end") {
  auto p = *parse_period("P1M");
  CHECK(utc(add_calendar(at("2026-01-31T10:00:00Z"), p)) == "2026-02-28T10:00:00.000Z");
  CHECK(utc(add_calendar(at("2024-01-31T10:00:00Z"), p)) == "2024-02-29T10:00:00.000Z");
  auto y = *parse_period("P1Y");
  CHECK(utc(add_calendar(at("2024-02-29T00:00:00Z"), y)) == "2025-02-28T00:00:00.000Z");
  CHECK(utc(add_calendar(at("2026-12-15T00:00:00Z"), *parse_period("P1M"))) ==
        "2027-01-15T00:00:00.000Z");
}

TEST_CASE("a repeating interval runs n times and moves its start on") {
  auto s = iso("R5/2026-01-01T00:00:00Z/PT1H");
  CHECK(s.remaining() == 5);
  CHECK(s.text() == "R5/2026-01-01T00:00:00.000Z/PT1H");
  int runs = 0;
  int64_t now = at("2026-01-01T00:00:00Z");
  for (int i = 0; i < 10; ++i, now += 3'600'000) {
    auto d = decide(s, now, 60'000);
    if (d.what == due_decision::action::run) {
      ++runs;
      CHECK(d.at_ms == now);
    } else {
      CHECK(d.what == due_decision::action::finished);
    }
  }
  CHECK(runs == 5);
  CHECK(!s.next_ms());
  CHECK(s.text() == "R0/2026-01-01T05:00:00.000Z/PT1H");
}

TEST_CASE("R0 never runs; R runs for ever; an empty start is now") {
  auto never = iso("R0/2026-01-01T00:00:00Z/PT1H");
  CHECK(decide(never, at("2026-01-01T00:00:00Z"), 60'000).what == due_decision::action::finished);
  auto forever = iso("R/2026-01-01T00:00:00Z/PT1S");
  int64_t now = at("2026-01-01T00:00:00Z");
  for (int i = 0; i < 1000; ++i, now += 1000)
    CHECK(decide(forever, now, 0).what == due_decision::action::run);
  CHECK(forever.remaining() == -1);
  CHECK(forever.text().rfind("R/", 0) == 0);
  int64_t created = at("2026-05-05T05:05:05Z");
  auto asap = iso("R2//PT10S", nullptr, created);
  CHECK(*asap.next_ms() == created);
  CHECK(decide(asap, created + 10, 60'000).what == due_decision::action::run);
  CHECK(*asap.next_ms() == created + 10'000);
}

TEST_CASE("schedules that do not parse are refused with the reason") {
  for (auto bad : {"", "R5", "R5/2026-01-01T00:00:00Z", "X5/2026-01-01T00:00:00Z/PT1H",
                   "R-1/2026-01-01T00:00:00Z/PT1H", "R5/2026-01-01T00:00:00Z/PT0S",
                   "R5/2026-01-01T00:00:00Z/1H", "R5/tomorrow/PT1H", "R5/a/b/c"}) {
    auto s = job_schedule::iso8601(bad, nullptr, 0);
    CHECK_MESSAGE(!s, bad);
    if (!s)
      CHECK(error_message(s.error()).find("invalid schedule") != std::string::npos);
  }
}

TEST_CASE("a past start runs at most once within epsilon and skips the rest") {
  auto s = iso("R/2026-01-01T00:00:00Z/PT1M");
  // Ten minutes late, epsilon 90 s: the 00:09 run is within it, the rest not.
  auto d = decide(s, at("2026-01-01T00:10:00Z"), 90'000);
  CHECK(d.what == due_decision::action::run);
  CHECK(d.skipped == 9);
  CHECK(d.at_ms == at("2026-01-01T00:09:00Z"));
  // The 00:10 run is also due now (the loop asks again at once).
  auto again = decide(s, at("2026-01-01T00:10:00Z"), 90'000);
  CHECK(again.what == due_decision::action::run);
  CHECK(again.skipped == 0);
  auto next = decide(s, at("2026-01-01T00:10:00Z"), 90'000);
  CHECK(next.what == due_decision::action::wait);
  CHECK(next.at_ms == at("2026-01-01T00:11:00Z"));
}

TEST_CASE("past runs beyond epsilon are skipped and counted, the count consumed") {
  auto s = iso("R5/2026-01-01T00:00:00Z/PT1H");
  auto d = decide(s, at("2026-01-01T03:30:00Z"), 60'000);
  CHECK(d.what == due_decision::action::wait);
  CHECK(d.skipped == 4);
  CHECK(d.at_ms == at("2026-01-01T04:00:00Z"));
  CHECK(s.remaining() == 1);
  // A long stop skips many occurrences without walking them one by one.
  auto fast = iso("R/2020-01-01T00:00:00Z/PT1S");
  auto far = decide(fast, at("2026-01-01T00:00:00Z"), 0);
  CHECK(far.what == due_decision::action::run);
  CHECK(far.skipped == uint64_t(at("2026-01-01T00:00:00Z") - at("2020-01-01T00:00:00Z")) / 1000);
  // A calendar period behind by more than the bound asks again.
  auto monthly = iso("R/1000-01-01T00:00:00Z/P1D");
  auto bounded = decide(monthly, at("2026-01-01T00:00:00Z"), 0, 1000);
  CHECK(bounded.what == due_decision::action::wait);
  CHECK(bounded.skipped == 1000);
  CHECK(bounded.at_ms == at("2026-01-01T00:00:00Z"));
}

TEST_CASE("epsilon is a period without years or months, PT5M by default") {
  CHECK(*parse_epsilon("") == 300'000);
  CHECK(*parse_epsilon("PT30S") == 30'000);
  CHECK(*parse_epsilon("P1D") == 86'400'000);
  CHECK(!parse_epsilon("P1M"));
  CHECK(!parse_epsilon("soon"));
}

TEST_CASE("time zones from the tz database: offsets and daylight-saving jumps") {
  auto berlin = zone("Europe/Berlin");
  CHECK(berlin->offset_at(at("2026-01-15T12:00:00Z")) == 3600);
  CHECK(berlin->offset_at(at("2026-07-15T12:00:00Z")) == 7200);
  // After the file's table (2037): the POSIX rule in its footer.
  CHECK(berlin->offset_at(at("2090-07-15T12:00:00Z")) == 7200);
  CHECK(berlin->offset_at(at("2090-12-15T12:00:00Z")) == 3600);
  // 2026-03-29 02:30 does not exist in Berlin: moved forward by the gap.
  int64_t gap_local = at("2026-03-29T02:30:00Z");
  CHECK(!berlin->to_utc_exact(gap_local));
  CHECK(utc(berlin->to_utc(gap_local)) == "2026-03-29T01:30:00.000Z");
  // 2026-10-25 02:30 happens twice: the earlier (summer) one.
  CHECK(utc(berlin->to_utc(at("2026-10-25T02:30:00Z"))) == "2026-10-25T00:30:00.000Z");
  auto ny = zone("America/New_York");
  CHECK(ny->offset_at(at("2026-01-15T12:00:00Z")) == -5 * 3600);
  CHECK(ny->offset_at(at("2026-07-15T12:00:00Z")) == -4 * 3600);
  CHECK(!find_time_zone("Mars/Olympus_Mons"));
  CHECK(!find_time_zone("../../etc/passwd"));
}

TEST_CASE("the tz database preloaded: every zone answers from memory, others are refused") {
  size_t zones = preload_time_zones();
  CHECK(zones > 300);  // the database has about 600 names
  CHECK(preload_time_zones() == zones);  // again: nothing new
  auto sydney = find_time_zone("Australia/Sydney");
  REQUIRE(sydney);
  CHECK((*sydney)->offset_at(at("2026-01-15T12:00:00Z")) == 11 * 3600);
  CHECK(find_time_zone("Europe/Berlin"));
  CHECK(!find_time_zone("Mars/Olympus_Mons"));
  CHECK(!find_time_zone("zone.tab"));  // a file there, not a zone
  CHECK(!find_time_zone("posix/Europe/Berlin"));  // a copy, not read
}

TEST_CASE("a POSIX rule alone makes a zone (no file needed)") {
  auto z = time_zone::from_posix("test", "CET-1CEST,M3.5.0,M10.5.0/3");
  REQUIRE(z);
  CHECK((*z)->offset_at(at("2026-03-29T00:59:59Z")) == 3600);
  CHECK((*z)->offset_at(at("2026-03-29T01:00:00Z")) == 7200);
  CHECK((*z)->offset_at(at("2026-10-25T00:59:59Z")) == 7200);
  CHECK((*z)->offset_at(at("2026-10-25T01:00:00Z")) == 3600);
  auto south = time_zone::from_posix("s", "AEST-10AEDT,M10.1.0,M4.1.0/3");
  REQUIRE(south);
  CHECK((*south)->offset_at(at("2026-01-15T00:00:00Z")) == 11 * 3600);
  CHECK((*south)->offset_at(at("2026-07-15T00:00:00Z")) == 10 * 3600);
  CHECK(!time_zone::from_posix("bad", "CET-1CEST"));
  CHECK(!time_zone::from_posix("bad", "1CET"));
  CHECK(!time_zone::from_tzif("bad", "not a zone file"));
}

TEST_CASE("daily runs keep their wall-clock time across daylight saving") {
  // scheduleTimeZone keeps the start's wall clock and replaces its offset.
  auto s = iso("R/2026-03-27T09:00:00Z/P1D", zone("Europe/Berlin"));
  CHECK(utc(*s.next_ms()) == "2026-03-27T08:00:00.000Z");
  s.consume();
  CHECK(utc(*s.next_ms()) == "2026-03-28T08:00:00.000Z");
  s.consume();
  CHECK(utc(*s.next_ms()) == "2026-03-29T07:00:00.000Z");  // 09:00 CEST
  CHECK(s.text() == "R/2026-03-29T09:00:00.000+02:00/P1D");
  // PT24H is elapsed time: it drifts on the wall clock.
  auto h = iso("R/2026-03-28T09:00:00Z/PT24H", zone("Europe/Berlin"));
  h.consume();
  CHECK(utc(*h.next_ms()) == "2026-03-29T08:00:00.000Z");  // 10:00 CEST
  // Without a zone the start's offset is kept.
  auto fixed = iso("R/2026-03-28T09:00:00+01:00/P1D");
  fixed.consume();
  CHECK(utc(*fixed.next_ms()) == "2026-03-29T08:00:00.000Z");
}

TEST_CASE("monthly runs from the 31st and yearly runs from a leap day") {
  auto m = iso("R3/2026-01-31T00:00:00Z/P1M");
  m.consume();
  CHECK(utc(*m.next_ms()) == "2026-02-28T00:00:00.000Z");
  m.consume();
  CHECK(utc(*m.next_ms()) == "2026-03-28T00:00:00.000Z");  // Chronos moves the start on
  m.consume();
  CHECK(!m.next_ms());
  auto y = iso("R/2024-02-29T12:00:00Z/P1Y");
  y.consume();
  CHECK(utc(*y.next_ms()) == "2025-02-28T12:00:00.000Z");
  auto leap = iso("R/2028-02-28T12:00:00Z/P1D");
  leap.consume();
  CHECK(utc(*leap.next_ms()) == "2028-02-29T12:00:00.000Z");
}

TEST_CASE("cron expressions: ranges, lists, steps and names") {
  auto e = parse_cron("*/15 9-17 * JAN-mar,Dec mon-FRI");
  REQUIRE(e);
  CHECK(e->minutes.count() == 4);
  CHECK(e->minutes[45]);
  CHECK(e->hours.count() == 9);
  CHECK(e->months.count() == 4);
  CHECK(e->months[12]);
  CHECK(e->weekdays.count() == 5);
  CHECK(!e->weekdays[0]);
  auto sunday = parse_cron("0 0 * * 7");
  REQUIRE(sunday);
  CHECK(sunday->weekdays[0]);
  auto stepped = parse_cron("5/20 1-10/3 1,15 * *");
  REQUIRE(stepped);
  CHECK(stepped->minutes[5]);
  CHECK(stepped->minutes[25]);
  CHECK(stepped->minutes[45]);
  CHECK(stepped->minutes.count() == 3);
  CHECK(stepped->hours.count() == 4);  // 1, 4, 7, 10
  for (auto bad : {"", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *",
                   "* * * 13 *", "* * * * 8", "5-1 * * * *", "*/0 * * * *", "* * * FOO *",
                   "@daily", "0 0 30 2 *", "1,,2 * * * *"})
    CHECK_MESSAGE(!parse_cron(bad), bad);
}

TEST_CASE("cron next match: minutes, day fields either-or, zones") {
  auto u = time_zone::utc();
  auto every = *parse_cron("* * * * *");
  CHECK(utc(*next_match(every, *u, at("2026-01-01T00:00:00Z"))) == "2026-01-01T00:01:00.000Z");
  CHECK(utc(*next_match(every, *u, at("2026-01-01T00:00:30Z"))) == "2026-01-01T00:01:00.000Z");
  auto leap = *parse_cron("0 12 29 2 *");
  CHECK(utc(*next_match(leap, *u, at("2026-01-01T00:00:00Z"))) == "2028-02-29T12:00:00.000Z");
  // Both day fields restricted: the 13th or a Friday.
  auto either = *parse_cron("0 0 13 * FRI");
  CHECK(utc(*next_match(either, *u, at("2026-01-01T00:00:00Z"))) == "2026-01-02T00:00:00.000Z");
  CHECK(utc(*next_match(either, *u, at("2026-01-10T00:00:00Z"))) == "2026-01-13T00:00:00.000Z");
  auto berlin = zone("Europe/Berlin");
  auto nine = *parse_cron("0 9 * * *");
  CHECK(utc(*next_match(nine, *berlin, at("2026-03-28T12:00:00Z"))) ==
        "2026-03-29T07:00:00.000Z");
  // 02:30 does not exist on 2026-03-29 in Berlin: that day has no run.
  auto half_two = *parse_cron("30 2 * * *");
  CHECK(utc(*next_match(half_two, *berlin, at("2026-03-28T12:00:00Z"))) ==
        "2026-03-30T00:30:00.000Z");
  // 02:30 happens twice on 2026-10-25: one run, the first.
  auto first = *next_match(half_two, *berlin, at("2026-10-24T12:00:00Z"));
  CHECK(utc(first) == "2026-10-25T00:30:00.000Z");
  CHECK(utc(*next_match(half_two, *berlin, first)) == "2026-10-26T01:30:00.000Z");
}

TEST_CASE("a cron schedule through the due decision") {
  auto s = job_schedule::cron("*/2 * * * *", time_zone::utc(), at("2026-01-01T00:00:30Z"));
  REQUIRE(s);
  CHECK(s->is_cron());
  CHECK(s->text() == "*/2 * * * *");
  auto d = decide(*s, at("2026-01-01T00:01:00Z"), 10'000);
  CHECK(d.what == due_decision::action::wait);
  CHECK(d.at_ms == at("2026-01-01T00:02:00Z"));
  CHECK(decide(*s, at("2026-01-01T00:02:05Z"), 10'000).what == due_decision::action::run);
  // Down for ten minutes: four runs skipped, the fifth (00:12) waited for.
  auto late = decide(*s, at("2026-01-01T00:11:00Z"), 10'000);
  CHECK(late.what == due_decision::action::wait);
  CHECK(late.skipped == 4);
  CHECK(late.at_ms == at("2026-01-01T00:12:00Z"));
}
