#include "storage/paxos/proposer.hpp"

#include <algorithm>
#include <cassert>
#include <iterator>

namespace cairn::paxos {

namespace {

// How many of `xs`, from the front, go in one message: at most `max_count`,
// and no more than `max_bytes` of data unless one alone is larger.
template <class T, class Data>
size_t fitting(const std::vector<T>& xs, size_t max_count, size_t max_bytes, Data data) {
  size_t n = 0;
  size_t bytes = 0;
  while (n < xs.size() && n < max_count) {
    size_t size = data(xs[n]).size();
    if (n > 0 && bytes + size > max_bytes)
      break;
    bytes += size;
    ++n;
  }
  assert(n >= 1 || xs.empty() || max_count == 0);
  return n;
}

} // namespace

proposer::proposer(node_id id, std::vector<node_id> replicas, size_t quorum,
                   proposer_limits limits)
  : id_(id), replicas_(std::move(replicas)), quorum_(quorum), limits_(limits) {
  assert(id_ < max_nodes);
  assert(quorum_ >= 1 && quorum_ <= replicas_.size());
  assert(quorum_ * 2 > replicas_.size() && "a quorum must be a majority");
  assert(limits_.max_batch >= 1 && limits_.max_fill_range >= 1);
}

proposal proposer::next_number(proposal at_least) const {
  proposal base = std::max({at_least, highest_seen_, number_});
  return (base / max_nodes + 1) * max_nodes + id_;
}

void proposer::broadcast(const payload& body) {
  for (auto r : replicas_)
    ready_.messages.push_back({id_, r, body});
}

bool proposer::has_ready() const {
  return !ready_.messages.empty() || !ready_.completions.empty() || !ready_.chosen.empty()
         || ready_.elected || ready_.fenced || ready_.fill_done || ready_.lease_round.has_value();
}

proposer_ready proposer::take_ready() {
  proposer_ready out = std::move(ready_);
  ready_ = {};
  return out;
}

void proposer::elect(proposal at_least) {
  fail_all();
  state_ = proposer_state::electing;
  fill_only_ = false;
  number_ = next_number(at_least);
  promises_.clear();
  write_out_.reset();
  heartbeat_acks_.clear();
  promise_out_ = promise_request{number_, std::nullopt};
  broadcast(*promise_out_);
}

void proposer::fill(position first, position last, proposal above) {
  assert(first <= last);
  fail_all();
  state_ = proposer_state::filling;
  fill_only_ = true;
  number_ = next_number(above);
  fill_from_ = first;
  fill_end_ = last + 1;
  write_out_.reset();
  heartbeat_acks_.clear();
  start_fill_round();
}

uint64_t proposer::append(std::string data) {
  uint64_t request = next_request_++;
  if (state_ != proposer_state::leading || queue_.size() >= limits_.max_pending) {
    ready_.completions.push_back({request, false, 0});
    return request;
  }
  action a;
  a.type = action_type::append;
  a.data = std::move(data);
  queue_.push_back({request, std::move(a)});
  send_batch();
  return request;
}

uint64_t proposer::truncate(position to) {
  uint64_t request = next_request_++;
  if (state_ != proposer_state::leading) {
    ready_.completions.push_back({request, false, 0});
    return request;
  }
  action a;
  a.type = action_type::truncate;
  a.truncate_to = to;
  queue_.push_back({request, std::move(a)});
  send_batch();
  return request;
}

void proposer::heartbeat(const std::string& leader) {
  if (state_ != proposer_state::leading)
    return;
  ++heartbeat_round_;
  heartbeat_acks_.emplace(heartbeat_round_, std::set<node_id>{});
  // Rounds this old end any lease long before their answers could come.
  while (heartbeat_acks_.size() > max_open_heartbeats)
    heartbeat_acks_.erase(heartbeat_acks_.begin());
  broadcast(paxos::heartbeat{number_, leader, heartbeat_round_, next_});
}

void proposer::step(const message& in) {
  if (auto* p = std::get_if<promise_response>(&in.body))
    on_promise(in.from, *p);
  else if (auto* w = std::get_if<write_response>(&in.body))
    on_write(in.from, *w);
  else if (auto* h = std::get_if<heartbeat_response>(&in.body))
    on_heartbeat(in.from, *h);
}

void proposer::fence(proposal seen) {
  assert(seen > number_);
  highest_seen_ = std::max(highest_seen_, seen);
  if (state_ == proposer_state::idle)
    return;
  state_ = proposer_state::idle;
  fail_all();
  promise_out_.reset();
  write_out_.reset();
  heartbeat_acks_.clear();
  ready_.fenced = true;
}

void proposer::on_promise(node_id from, const promise_response& r) {
  if (!r.okay) {
    if (r.number > number_)
      fence(r.number);
    return;
  }
  if (!promise_out_ || r.number != number_ || !answers_promise_out(r))
    return; // an answer to an earlier round
  promises_[from] = r;
  if (promises_.size() < quorum_)
    return;
  if (state_ == proposer_state::electing) {
    // Every position before what some replica learned is chosen already;
    // everything between that and the end of the log must be settled.
    fill_from_ = 0;
    fill_end_ = 0;
    for (const auto& [node, answer] : promises_) {
      fill_from_ = std::max(fill_from_, std::max(answer.learned_end, answer.begin));
      fill_end_ = std::max(fill_end_, answer.end);
    }
    fill_end_ = std::max(fill_end_, fill_from_);
    state_ = proposer_state::filling;
    promise_out_.reset();
    start_fill_round();
  } else if (state_ == proposer_state::filling && promise_out_->range) {
    finish_fill_round();
  }
}

// An implicit answer answers the implicit request; an explicit one the
// explicit request whose range it echoes, or a prefix of it. Within one
// proposal each round starts past the one before, so a late answer to an
// earlier round never starts where this one does.
bool proposer::answers_promise_out(const promise_response& r) const {
  assert(promise_out_);
  const auto& asked = promise_out_->range;
  if (!asked || !r.range)
    return !asked && !r.range;
  return r.range->first == asked->first && r.range->first <= r.range->second
         && r.range->second <= asked->second;
}

void proposer::start_fill_round() {
  assert(state_ == proposer_state::filling);
  if (fill_from_ >= fill_end_) {
    if (fill_only_) {
      state_ = proposer_state::idle;
      ready_.fill_done = true;
    } else {
      state_ = proposer_state::leading;
      next_ = fill_end_;
      ready_.elected = true;
      send_batch();
    }
    return;
  }
  position last = std::min<position>(fill_end_ - 1, fill_from_ + limits_.max_fill_range - 1);
  promises_.clear();
  promise_ticks_ = 0;
  promise_out_ = promise_request{number_, std::make_pair(fill_from_, last)};
  broadcast(*promise_out_);
}

void proposer::finish_fill_round() {
  // Only what every answer covers is known well enough to settle.
  auto [first, last] = *promise_out_->range;
  for (const auto& [node, answer] : promises_) {
    assert(answer.range && answer.range->first == first);
    last = std::min(last, answer.range->second);
  }
  assert(first <= last);
  std::vector<action> actions;
  for (position p = first; p <= last; ++p) {
    // A learned value is chosen; else the value accepted in the highest
    // proposal may be chosen; else nothing can be, and a no-op fills the hole.
    std::optional<action> best;
    for (const auto& [node, answer] : promises_)
      for (const auto& a : answer.accepted) {
        if (a.pos != p)
          continue;
        if (a.learned) {
          best = a;
          break;
        }
        if (!best || (!best->learned && a.accepted_in > best->accepted_in))
          best = a;
      }
    action chosen_value = best ? *best : action{};
    chosen_value.pos = p;
    chosen_value.accepted_in = number_;
    chosen_value.learned = false;
    actions.push_back(std::move(chosen_value));
  }
  // The rest is settled in the next round, promised again.
  actions.resize(fitting(actions, actions.size(), limits_.max_batch_bytes,
                         [](const action& a) -> const std::string& { return a.data; }));
  promise_out_.reset();
  write_entries_.clear();
  write_acks_.clear();
  write_ticks_ = 0;
  write_out_ = write_request{number_, std::move(actions)};
  broadcast(*write_out_);
}

void proposer::send_batch() {
  if (state_ != proposer_state::leading || write_out_ || queue_.empty())
    return;
  size_t n = fitting(queue_, limits_.max_batch, limits_.max_batch_bytes,
                     [](const pending_entry& e) -> const std::string& { return e.value.data; });
  write_entries_.assign(std::make_move_iterator(queue_.begin()),
                        std::make_move_iterator(queue_.begin() + static_cast<ptrdiff_t>(n)));
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
  write_request w{number_, {}};
  for (auto& e : write_entries_) {
    e.value.pos = next_++;
    e.value.accepted_in = number_;
    w.actions.push_back(e.value);
  }
  write_acks_.clear();
  write_ticks_ = 0;
  write_out_ = std::move(w);
  broadcast(*write_out_);
}

void proposer::on_write(node_id from, const write_response& r) {
  if (!r.okay) {
    if (r.number > number_)
      fence(r.number);
    return;
  }
  if (!write_out_ || r.number != number_ || r.positions.empty()
      || r.positions.front() != write_out_->actions.front().pos)
    return; // an answer to an earlier write
  write_acks_.insert(from);
  if (write_acks_.size() < quorum_)
    return;
  auto actions = std::move(write_out_->actions);
  write_out_.reset();
  for (const auto& e : write_entries_)
    ready_.completions.push_back({e.request, true, e.value.pos});
  write_entries_.clear();
  position last = actions.back().pos;
  chosen(std::move(actions));
  if (state_ == proposer_state::filling) {
    fill_from_ = last + 1;
    start_fill_round();
  } else {
    send_batch();
  }
}

void proposer::chosen(std::vector<action> actions) {
  for (auto& a : actions)
    a.learned = true;
  ready_.chosen.insert(ready_.chosen.end(), actions.begin(), actions.end());
  broadcast(learned{std::move(actions)});
}

void proposer::on_heartbeat(node_id from, const heartbeat_response& r) {
  if (!r.okay) {
    if (r.number > number_)
      fence(r.number);
    return;
  }
  if (state_ != proposer_state::leading || r.number != number_)
    return;
  auto round = heartbeat_acks_.find(r.round);
  if (round == heartbeat_acks_.end())
    return; // a quorum answered it or a later round already, or it is long gone
  round->second.insert(from);
  if (round->second.size() < quorum_)
    return;
  ready_.lease_round = std::max(ready_.lease_round.value_or(0), r.round);
  // Earlier rounds were sent earlier: they could renew nothing more.
  heartbeat_acks_.erase(heartbeat_acks_.begin(), std::next(round));
}

void proposer::fail_all() {
  for (const auto& e : write_entries_)
    ready_.completions.push_back({e.request, false, 0});
  for (const auto& e : queue_)
    ready_.completions.push_back({e.request, false, 0});
  write_entries_.clear();
  queue_.clear();
}

void proposer::tick() {
  if (promise_out_ && (!promise_out_->range || ++promise_ticks_ >= limits_.resend_ticks)) {
    promise_ticks_ = 0;
    for (auto r : replicas_)
      if (promises_.count(r) == 0)
        ready_.messages.push_back({id_, r, *promise_out_});
  }
  if (write_out_ && ++write_ticks_ >= limits_.resend_ticks) {
    write_ticks_ = 0;
    for (auto r : replicas_)
      if (write_acks_.count(r) == 0)
        ready_.messages.push_back({id_, r, *write_out_});
  }
}

} // namespace cairn::paxos
