#include "storage/paxos/replica.hpp"

#include <algorithm>
#include <cassert>

namespace cairn::paxos {

namespace {

// One catch-up answer carries at most this many actions; the asker asks again.
constexpr size_t max_catchup_actions = 1024;

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

} // namespace

replica::replica(node_id id, std::vector<node_id> peers, size_t quorum, durable_state recovered,
                 replica_options options)
  : id_(id),
    peers_(std::move(peers)),
    quorum_(quorum),
    promised_(recovered.promised),
    status_(recovered.status),
    begin_(recovered.begin),
    learned_end_(recovered.begin),
    actions_(std::move(recovered.actions)),
    options_(options) {
  assert(quorum_ >= 1 && quorum_ <= peers_.size() + 1);
  assert(options_.max_answer_bytes > 0);
  assert(std::find(peers_.begin(), peers_.end(), id_) == peers_.end());
  while (true) {
    auto i = actions_.find(learned_end_);
    if (i == actions_.end() || !i->second.learned)
      break;
    ++learned_end_;
  }
}

position replica::end() const {
  if (actions_.empty())
    return begin_;
  return std::max(begin_, actions_.rbegin()->first + 1);
}

const action* replica::get(position p) const {
  auto i = actions_.find(p);
  return i == actions_.end() ? nullptr : &i->second;
}

replica_ready replica::take_ready() {
  replica_ready out = std::move(ready_);
  ready_ = {};
  return out;
}

void replica::send(node_id to, payload body) {
  ready_.messages.push_back({id_, to, std::move(body)});
}

void replica::promise(proposal p) {
  assert(p >= promised_);
  if (p == promised_)
    return;
  promised_ = p;
  ready_.promised = p;
  ready_.sync = true;
}

void replica::step(const message& in) {
  assert(in.to == id_);
  std::visit(overloaded{
               [&](const promise_request& r) { on_promise(in.from, r); },
               [&](const write_request& r) { on_write(in.from, r); },
               [&](const learned& l) { on_learned(l); },
               [&](const recover_request&) {
                 send(in.from, recover_response{status_, promised_, begin_, end()});
               },
               [&](const recover_response& r) { on_recover_response(in.from, r); },
               [&](const catchup_request& r) { on_catchup_request(in.from, r); },
               [&](const catchup_response& r) { on_catchup_response(r); },
               [&](const heartbeat& h) { on_heartbeat(in.from, h); },
               // Answers to proposals belong to the proposer beside this replica.
               [&](const promise_response&) {},
               [&](const write_response&) {},
               [&](const heartbeat_response&) {},
               // Pre-votes are the log node's.
               [&](const pre_vote_request&) {},
               [&](const pre_vote_response&) {},
             },
             in.body);
}

void replica::on_promise(node_id from, const promise_request& r) {
  if (status_ != replica_status::voting)
    return; // it may have promised more before it lost its disk: it stays silent
  promise_response out;
  if (r.number < promised_) {
    out.okay = false;
    out.number = promised_;
    return send(from, std::move(out));
  }
  if (!r.range && r.number > promised_ && follows_other_leader(from))
    return; // a live leader is heard: the candidate asks again on its ticks
  if (!r.range && r.number > promised_) {
    // A candidate it promised to counts as its leader until it hears
    // otherwise: a second candidate a moment later cannot unseat the first.
    heartbeat_from_ = from;
    ticks_since_heartbeat_ = 0;
  }
  promise(r.number);
  out.okay = true;
  out.number = r.number;
  out.end = end();
  out.learned_end = learned_end_;
  out.begin = begin_;
  if (r.range) {
    // All accepted in [first, last'], where last' stops short of the action
    // that would make the answer too large to travel.
    auto [first, last] = *r.range;
    size_t bytes = 0;
    for (auto i = actions_.lower_bound(first); i != actions_.end() && i->first <= last; ++i) {
      if (!out.accepted.empty() && bytes + i->second.data.size() > options_.max_answer_bytes) {
        last = i->first - 1;
        break;
      }
      bytes += i->second.data.size();
      out.accepted.push_back(i->second);
    }
    assert(last >= first || out.accepted.empty());
    out.range = std::make_pair(first, last);
  }
  send(from, std::move(out));
}

bool replica::follows_other_leader(node_id candidate) const {
  return options_.leader_sticky_ticks > 0 && heartbeat_from_ && *heartbeat_from_ != candidate
         && ticks_since_heartbeat_ < options_.leader_sticky_ticks;
}

void replica::on_write(node_id from, const write_request& r) {
  if (status_ != replica_status::voting)
    return;
  write_response out;
  if (r.number < promised_) {
    out.okay = false;
    out.number = promised_;
    return send(from, std::move(out));
  }
  // Accepting under a proposal promises it, too.
  promise(r.number);
  for (const auto& a : r.actions) {
    out.positions.push_back(a.pos);
    if (a.pos < begin_)
      continue; // long learned and truncated
    auto held = actions_.find(a.pos);
    if (held != actions_.end() && !held->second.learned && held->second.accepted_in == r.number)
      continue; // a resent write: this proposal has one value here, already written
    auto& mine = actions_[a.pos];
    if (mine.learned)
      continue; // chosen: a proposer can only be writing that same value
    mine = a;
    mine.accepted_in = r.number;
    mine.learned = false;
    ready_.actions.push_back(mine);
    ready_.sync = true;
  }
  out.okay = true;
  out.number = r.number;
  send(from, std::move(out));
}

void replica::learn(const action& a) {
  if (a.pos < begin_)
    return;
  auto& mine = actions_[a.pos];
  if (mine.learned) {
    assert(mine.same_value(a) && "two different values learned at one position");
    return;
  }
  mine = a;
  mine.learned = true;
  ready_.actions.push_back(mine);
  if (a.type == action_type::truncate)
    truncate(a.truncate_to);
  advance_learned_end();
}

void replica::on_learned(const learned& l) {
  for (const auto& a : l.actions)
    learn(a);
  check_recovered();
}

void replica::truncate(position to) {
  if (to <= begin_)
    return;
  actions_.erase(actions_.begin(), actions_.lower_bound(to));
  begin_ = to;
  ready_.begin = to;
  learned_end_ = std::max(learned_end_, to);
}

void replica::advance_learned_end() {
  while (true) {
    auto i = actions_.find(learned_end_);
    if (i == actions_.end() || !i->second.learned)
      break;
    ready_.newly_learned.push_back(i->second);
    ++learned_end_;
  }
}

void replica::on_heartbeat(node_id from, const heartbeat& h) {
  if (status_ != replica_status::voting)
    return;
  if (h.number < promised_)
    return send(from, heartbeat_response{false, promised_, h.round});
  // A newer leader's end replaces an older one's: positions the older one
  // handed out but never got chosen may never be.
  if (h.number > leader_proposal_)
    catchup_target_ = h.end;
  else
    catchup_target_ = std::max(catchup_target_, h.end);
  leader_ = h.leader;
  leader_proposal_ = h.number;
  heartbeat_from_ = from;
  ticks_since_heartbeat_ = 0;
  send(from, heartbeat_response{true, h.number, h.round});
}

void replica::catch_up_to(position end) {
  catchup_target_ = std::max(catchup_target_, end);
}

void replica::on_catchup_request(node_id from, const catchup_request& r) {
  catchup_response out;
  out.begin = begin_;
  size_t bytes = 0;
  for (auto i = actions_.lower_bound(std::max(r.first, begin_));
       i != actions_.end() && i->first <= r.last && out.actions.size() < max_catchup_actions;
       ++i) {
    if (!i->second.learned)
      continue;
    if (!out.actions.empty() && bytes + i->second.data.size() > options_.max_answer_bytes)
      break; // the asker asks again from where this ends
    bytes += i->second.data.size();
    out.actions.push_back(i->second);
  }
  send(from, std::move(out));
}

void replica::on_catchup_response(const catchup_response& r) {
  catchup_wait_ticks_ = 0; // the next tick may ask for more
  // Everything before the peer's begin is gone there; a replica that lags
  // behind it continues from there (a snapshot is kept at that position).
  if (r.begin > learned_end_)
    truncate(r.begin);
  for (const auto& a : r.actions)
    if (a.learned)
      learn(a);
  check_recovered();
}

void replica::start_recovery() {
  if (status_ != replica_status::empty) {
    status_ = replica_status::recovering;
    ready_.status = status_;
    ready_.sync = true;
  }
  recover_answers_.clear();
  recover_target_.reset();
  stalled_ticks_ = 0;
  for (auto p : peers_)
    send(p, recover_request{});
  if (peers_.empty()) {
    // A log of one: nobody to learn from, nobody to disagree with.
    status_ = replica_status::voting;
    ready_.status = status_;
    ready_.sync = true;
  }
}

void replica::on_recover_response(node_id from, const recover_response& r) {
  if (status_ == replica_status::voting || recover_target_)
    return;
  recover_answers_[from] = r;
  if (status_ == replica_status::empty && initialize_if_all_new())
    return;
  size_t voting = 0;
  for (const auto& [peer, answer] : recover_answers_)
    voting += answer.status == replica_status::voting;
  if (voting < quorum_)
    return;
  // A quorum of voting peers: any value ever chosen is below the highest end
  // among them, and any promise this replica made before is at most the
  // highest promise among them (quorums intersect).
  position target = 0;
  position begin = 0;
  proposal highest = promised_;
  for (const auto& [peer, answer] : recover_answers_) {
    if (answer.status != replica_status::voting)
      continue;
    target = std::max(target, answer.end);
    begin = std::max(begin, answer.begin);
    highest = std::max(highest, answer.promised);
  }
  recover_target_ = target;
  recover_promised_ = highest;
  stall_mark_ = learned_end_;
  stalled_ticks_ = 0;
  promise(highest);
  if (begin > learned_end_)
    truncate(begin);
  check_recovered();
  if (status_ != replica_status::voting)
    for (auto p : peers_)
      send(p, catchup_request{learned_end_, target == 0 ? 0 : target - 1});
}

bool replica::initialize_if_all_new() {
  // A new log: every replica answered and none has accepted anything, so
  // nothing was ever chosen. The highest promise among them is kept (this
  // replica may have made it before it lost its disk) and all vote.
  if (recover_answers_.size() < peers_.size() || !actions_.empty())
    return false;
  proposal highest = promised_;
  for (const auto& [peer, answer] : recover_answers_) {
    if (answer.end != 0 || answer.begin != 0)
      return false;
    highest = std::max(highest, answer.promised);
  }
  promise(highest);
  status_ = replica_status::voting;
  ready_.status = status_;
  ready_.sync = true;
  return true;
}

void replica::check_recovered() {
  if (status_ == replica_status::voting || !recover_target_)
    return;
  if (learned_end_ < *recover_target_)
    return;
  status_ = replica_status::voting;
  ready_.status = status_;
  ready_.sync = true;
}

std::optional<replica::fill_needed> replica::recovery_fill() const {
  if (status_ == replica_status::voting || !recover_target_
      || learned_end_ >= *recover_target_)
    return std::nullopt;
  // Copying advanced since the last tick, or not long ago: it may finish.
  bool stalled =
    learned_end_ == stall_mark_ && stalled_ticks_ >= options_.fill_after_stalled_ticks;
  if (!stalled)
    return std::nullopt;
  assert(learned_end_ >= begin_);
  return fill_needed{learned_end_, *recover_target_ - 1, recover_promised_};
}

void replica::count_recovery_stall() {
  assert(recover_target_ && status_ != replica_status::voting);
  if (learned_end_ > stall_mark_) {
    stall_mark_ = learned_end_;
    stalled_ticks_ = 0;
  } else {
    ++stalled_ticks_;
  }
}

void replica::tick() {
  ++ticks_since_heartbeat_;
  if (status_ != replica_status::voting) {
    if (!recover_target_) {
      // Ask again whoever has not answered as a voting replica: peers that
      // were new or recovering themselves may vote by now.
      for (auto p : peers_) {
        auto a = recover_answers_.find(p);
        if (a == recover_answers_.end() || a->second.status != replica_status::voting)
          send(p, recover_request{});
      }
    } else if (learned_end_ < *recover_target_) {
      count_recovery_stall();
      if (catchup_answer_awaited())
        return;
      for (auto p : peers_)
        send(p, catchup_request{learned_end_, *recover_target_ - 1});
      catchup_wait_ticks_ = options_.catchup_retry_ticks;
    }
    return;
  }
  // A voting replica with holes (it missed learned messages) or behind its
  // target (the leader's end) asks one peer a tick, in turn: a hole nobody
  // learned yet is the proposer's to fill, and asking everyone every tick
  // would only flood the network.
  position target = catchup_target();
  if (learned_end_ < target && !peers_.empty() && !catchup_answer_awaited()) {
    next_catchup_peer_ = (next_catchup_peer_ + 1) % peers_.size();
    send(peers_[next_catchup_peer_], catchup_request{learned_end_, target - 1});
    catchup_wait_ticks_ = options_.catchup_retry_ticks;
  }
}

bool replica::catchup_answer_awaited() {
  if (catchup_wait_ticks_ == 0)
    return false;
  --catchup_wait_ticks_;
  return catchup_wait_ticks_ > 0;
}

} // namespace cairn::paxos
