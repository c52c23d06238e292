#include "actors/cron/schedule.hpp"

#include <cassert>
#include <limits>

#include "runtime/errors.hpp"

namespace cairn::cron {

namespace {

// Chronos takes recurrence counts as Longs; anything near that is "for ever".
constexpr int64_t max_recurrences = std::numeric_limits<int32_t>::max();

} // namespace

caf::expected<job_schedule> job_schedule::iso8601(std::string_view text,
                                                  std::shared_ptr<const time_zone> zone,
                                                  int64_t now_ms) {
  auto bad = [&](const std::string& why) -> caf::error {
    return make_error("invalid schedule '" + std::string(text) + "': " + why);
  };
  auto first = text.find('/');
  auto second = first == std::string_view::npos ? first : text.find('/', first + 1);
  if (second == std::string_view::npos || text.find('/', second + 1) != std::string_view::npos)
    return bad("expected R[n]/<start>/<period>");
  auto repeat = text.substr(0, first);
  auto start = text.substr(first + 1, second - first - 1);
  auto every = text.substr(second + 1);
  job_schedule s;
  if (repeat.empty() || repeat[0] != 'R')
    return bad("expected R or Rn first");
  if (repeat.size() > 1) {
    int64_t n = 0;
    for (char c : repeat.substr(1)) {
      if (c < '0' || c > '9' || n > max_recurrences)
        return bad("the count after R is a number");
      n = n * 10 + (c - '0');
    }
    if (n > max_recurrences)
      return bad("the count after R is too large");
    s.remaining_ = n;
  }
  auto p = parse_period(every);
  if (!p)
    return bad(error_message(p.error()));
  if (p->empty() || p->years < 0)
    return bad("the period must be longer than zero");
  s.every_ = *p;
  int64_t start_ms = now_ms;
  if (start.empty()) {
    s.zone_ = zone ? zone : time_zone::utc();
  } else {
    auto w = parse_date_time(start);
    if (!w)
      return bad(error_message(w.error()));
    if (zone) {
      s.zone_ = zone;
      start_ms = zone->to_utc(w->local_ms);
    } else {
      s.zone_ = time_zone::fixed(w->offset_s.value_or(0));
      start_ms = w->local_ms - int64_t{w->offset_s.value_or(0)} * 1000;
    }
  }
  if (s.remaining_ != 0)
    s.next_ = start_ms;
  s.zero_start_ = start_ms;
  return s;
}

caf::expected<job_schedule> job_schedule::cron(std::string_view text,
                                               std::shared_ptr<const time_zone> zone,
                                               int64_t after_ms) {
  auto e = parse_cron(text);
  if (!e)
    return e.error();
  job_schedule s;
  s.zone_ = zone ? zone : time_zone::utc();
  s.next_ = next_match(*e, *s.zone_, after_ms);
  s.expression_ = std::move(*e);
  return s;
}

std::optional<int64_t> job_schedule::next_ms() const {
  return next_;
}

void job_schedule::consume() {
  assert(next_.has_value());
  int64_t current = *next_;
  if (expression_) {
    next_ = next_match(*expression_, *zone_, current);
    return;
  }
  if (remaining_ > 0)
    --remaining_;
  zero_start_ = advance(current);
  if (remaining_ == 0) {
    next_ = std::nullopt;
    return;
  }
  next_ = zero_start_;
  assert(*next_ > current);
}

int64_t job_schedule::advance(int64_t from_ms) const {
  int64_t t = from_ms;
  if (every_.calendar()) {
    int64_t local = t + int64_t{zone_->offset_at(t)} * 1000;
    t = zone_->to_utc(add_calendar(local, every_));
  }
  return t + every_.exact_ms();
}

uint64_t job_schedule::skip_before(int64_t threshold_ms, uint64_t max) {
  uint64_t skipped = 0;
  // A period of elapsed time only: jump there at once, however far.
  if (!expression_ && !every_.calendar() && next_ && *next_ < threshold_ms) {
    int64_t step = every_.exact_ms();
    assert(step > 0);
    int64_t n = (threshold_ms - *next_ + step - 1) / step;  // occurrences before it
    if (remaining_ >= 0)
      n = std::min(n, remaining_);
    if (n > 1) {
      // Leave the last one to consume() so that every state change is its.
      *next_ += (n - 1) * step;
      if (remaining_ > 0)
        remaining_ -= n - 1;
      skipped += static_cast<uint64_t>(n - 1);
    }
  }
  for (uint64_t walked = 0; walked < max && next_ && *next_ < threshold_ms; ++walked) {
    consume();
    ++skipped;
  }
  return skipped;
}

std::string job_schedule::text() const {
  if (expression_)
    return expression_->text;
  std::string out = remaining_ < 0 ? "R" : "R" + std::to_string(remaining_);
  int64_t start = next_.value_or(zero_start_);
  out += "/" + format_date_time(start, zone_->offset_at(start));
  return out + "/" + format_period(every_);
}

due_decision decide(job_schedule& s, int64_t now_ms, int64_t epsilon_ms, uint64_t max_skips) {
  assert(epsilon_ms >= 0);
  due_decision d;
  d.skipped = s.skip_before(now_ms - epsilon_ms, max_skips);
  auto next = s.next_ms();
  if (!next) {
    d.what = due_decision::action::finished;
    return d;
  }
  if (*next < now_ms - epsilon_ms) {
    // Still behind after max_skips: ask again.
    d.what = due_decision::action::wait;
    d.at_ms = now_ms;
    return d;
  }
  if (*next > now_ms) {
    d.what = due_decision::action::wait;
    d.at_ms = *next;
    return d;
  }
  d.what = due_decision::action::run;
  d.at_ms = *next;
  s.consume();
  assert(!s.next_ms() || *s.next_ms() > d.at_ms);
  return d;
}

caf::expected<int64_t> parse_epsilon(std::string_view text) {
  if (text.empty())
    return int64_t{5 * 60'000};
  auto p = parse_period(text);
  if (!p)
    return make_error("epsilon: " + error_message(p.error()));
  if (p->years || p->months)
    return make_error("epsilon '" + std::string(text) + "': years and months are not a fixed "
                      "length; give days or less");
  return (p->weeks * 7 + p->days) * 86'400'000 + p->exact_ms();
}

} // namespace cairn::cron
