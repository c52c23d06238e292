#include "storage/paxos/node.hpp"

#include <algorithm>
#include <cassert>

namespace cairn::paxos {

node::node(node_options options, durable_state recovered, node_time now, uint64_t seed)
  : options_(std::move(options)), rng_(seed) {
  assert(options_.id < options_.nodes && options_.nodes <= max_nodes);
  assert(options_.quorum * 2 > options_.nodes && options_.quorum <= options_.nodes);
  assert(options_.tick_interval.count() > 0 && options_.heartbeat_interval.count() > 0);
  assert(options_.heartbeat_interval < lease_duration(options_));
  assert(options_.replica.leader_sticky_ticks == 0 && "the node keeps the window by time");
  std::vector<node_id> peers;
  std::vector<node_id> everyone;
  for (node_id i = 0; i < options_.nodes; ++i) {
    everyone.push_back(i);
    if (i != options_.id)
      peers.push_back(i);
  }
  rep_ = std::make_unique<replica>(options_.id, peers, options_.quorum, std::move(recovered),
                                   options_.replica);
  prop_ = std::make_unique<proposer>(options_.id, everyone, options_.quorum, options_.limits);
  last_heard_ = now;
  jitter_ = random_wait();
  if (rep_->status() != replica_status::voting)
    rep_->start_recovery();
  if (options_.nodes == 1) {
    // Alone, a node has nobody to wait for: it stands at once.
    if (rep_->status() == replica_status::voting)
      stand(now);
  } else {
    heard_at_ = now;
  }
  settle(now);
}

node_ready node::take_ready() {
  node_ready out = std::move(ready_);
  ready_ = {};
  return out;
}

// Up to half an election timeout, at random: nodes that lose their leader
// together stand one after another, and the first usually wins.
node_time node::random_wait() {
  auto half = options_.election_timeout / 2;
  return std::chrono::duration_cast<node_time>(
    half * std::uniform_real_distribution<double>(0, 1)(rng_));
}

bool node::follows_other(node_id candidate, node_time now) const {
  return heard_at_ && now - *heard_at_ < promise_window(options_) && heard_from_ != candidate;
}

void node::receive(const message& in, node_time now) {
  assert(in.to == options_.id && in.from < options_.nodes);
  if (broken_)
    return;
  deliver(in, now);
  settle(now);
}

void node::deliver(const message& m, node_time now) {
  if (auto* r = std::get_if<pre_vote_request>(&m.body))
    return on_pre_vote(m.from, *r, now);
  if (auto* r = std::get_if<pre_vote_response>(&m.body))
    return on_pre_vote_answer(m.from, *r, now);
  if (for_proposer(m))
    return prop_->step(m);
  if (auto* p = std::get_if<promise_request>(&m.body);
      p && !p->range && p->number > rep_->promised() && follows_other(m.from, now))
    return; // a live leader is heard: the candidate asks again on its ticks
  rep_->step(m);
}

// What the local replica says tells when a leader (or candidate) was heard.
void node::observe(const message& out, node_time now) {
  bool heard = false;
  if (auto* h = std::get_if<heartbeat_response>(&out.body))
    heard = h->okay;
  else if (auto* p = std::get_if<promise_response>(&out.body))
    heard = p->okay && !p->range;
  if (!heard)
    return;
  heard_from_ = out.to;
  heard_at_ = now;
  last_heard_ = now;
}

void node::route(message m, std::vector<message>& local) {
  if (m.to == options_.id)
    local.push_back(std::move(m));
  else
    ready_.messages.push_back(std::move(m));
}

void node::take_proposer_ready(node_time now, std::vector<message>& local) {
  auto ready = prop_->take_ready();
  for (const auto& c : ready.completions)
    if (pending_.erase(c.request) > 0)
      ready_.completions.push_back(c);
  if (ready.lease_round) {
    // From when that round was sent: its followers accepted it later, and
    // keep to this leader for a window from then.
    auto sent = heartbeats_sent_.find(*ready.lease_round);
    if (sent != heartbeats_sent_.end())
      last_lease_ = std::max(last_lease_, sent->second);
    heartbeats_sent_.erase(heartbeats_sent_.begin(),
                           heartbeats_sent_.upper_bound(*ready.lease_round));
  }
  if (ready.elected) {
    // A quorum promised since it stood, and keeps to it for a window from
    // then: its lease counts from there. What the election settled is
    // chosen, but the local replica may not have it: it learns it from peers
    // before this node serves. A heartbeat at once names the new leader.
    awaiting_catchup_ = true;
    last_lease_ = stood_at_;
    heartbeats_sent_.clear();
    rep_->catch_up_to(prop_->next_position());
    heartbeat(now);
  }
  if (ready.fenced)
    demote("a newer proposer exists");
  for (auto& m : ready.messages)
    route(std::move(m), local);
}

// Collects what the cores say until they have nothing more; messages to this
// node go straight to its replica or proposer (nothing leaves the node before
// the caller has persisted every write of this ready).
void node::settle(node_time now) {
  std::vector<message> local;
  while (!broken_ && (rep_->has_ready() || prop_->has_ready() || !local.empty())) {
    if (rep_->has_ready()) {
      auto ready = rep_->take_ready();
      auto batch = store_batch::from(ready);
      if (!batch.empty())
        ready_.writes.push_back({std::move(batch), ready.sync});
      for (auto& m : ready.messages) {
        observe(m, now);
        route(std::move(m), local);
      }
    }
    if (prop_->has_ready())
      take_proposer_ready(now, local);
    for (auto& m : std::exchange(local, {}))
      deliver(m, now);
    if (auto fill = rep_->recovery_fill(); fill && prop_->state() == proposer_state::idle)
      prop_->fill(fill->first, fill->last, fill->above);
  }
  check_catchup(now);
}

void node::check_catchup(node_time now) {
  if (!awaiting_catchup_ || prop_->state() != proposer_state::leading)
    return;
  if (rep_->learned_end() < prop_->next_position())
    return; // the replica learns what it misses from peers on its ticks
  if (rep_->promised() > prop_->number()) {
    // Someone newer stood meanwhile: its first write would fence this one.
    demote("its replica promised a newer proposer");
    return;
  }
  if (now + options_.tick_interval >= last_lease_ + lease_duration(options_))
    return; // catching up outlasted the lease: the next heartbeat renews it
  assert(!serving_);
  awaiting_catchup_ = false;
  serving_ = true;
  ready_.notices.push_back({node_event::elected, {}});
}

void node::demote(const char* why) {
  if (!serving_ && !awaiting_catchup_)
    return;
  serving_ = false;
  awaiting_catchup_ = false;
  for (auto request : pending_)
    ready_.completions.push_back({request, false, 0});
  pending_.clear();
  ready_.notices.push_back({node_event::demoted, why});
}

void node::heartbeat(node_time now) {
  assert(prop_->state() == proposer_state::leading);
  last_heartbeat_sent_ = now;
  prop_->heartbeat(options_.advertised);
  heartbeats_sent_[prop_->heartbeat_round()] = now;
  // A round sent a lease ago can renew nothing now.
  while (!heartbeats_sent_.empty()
         && heartbeats_sent_.begin()->second + lease_duration(options_) <= now)
    heartbeats_sent_.erase(heartbeats_sent_.begin());
}

void node::stand(node_time now) {
  assert(rep_->status() == replica_status::voting);
  pre_vote_open_ = false;
  stood_at_ = now;
  ++elections_stood_;
  prop_->elect(rep_->promised());
}

void node::start_pre_vote(node_time now) {
  pre_vote_open_ = true;
  ++pre_vote_round_;
  pre_vote_started_ = now;
  pre_vote_grants_ = {options_.id};
  if (pre_vote_grants_.size() >= options_.quorum)
    return stand(now);
  for (node_id i = 0; i < options_.nodes; ++i)
    if (i != options_.id)
      ready_.messages.push_back(
        {options_.id, i, pre_vote_request{pre_vote_round_, rep_->learned_end()}});
}

void node::on_pre_vote(node_id from, const pre_vote_request& r, node_time now) {
  // Yes only where a real promise request would be answered, and only to a
  // node that learned at least as much as this one: the best placed stands.
  bool granted = rep_->status() == replica_status::voting && !follows_other(from, now)
                 && r.learned_end >= rep_->learned_end();
  ready_.messages.push_back({options_.id, from, pre_vote_response{r.round, granted}});
}

void node::on_pre_vote_answer(node_id from, const pre_vote_response& r, node_time now) {
  if (!pre_vote_open_ || r.round != pre_vote_round_ || !r.granted)
    return;
  pre_vote_grants_.insert(from);
  if (pre_vote_grants_.size() < options_.quorum)
    return;
  pre_vote_open_ = false;
  // A leader heard while the pre-vote ran: it lives, this node keeps to it.
  if (heard_at_ && *heard_at_ > pre_vote_started_ && heard_from_ != options_.id)
    return;
  if (rep_->status() == replica_status::voting && !serving_)
    stand(now);
}

void node::tick(node_time now) {
  if (broken_)
    return;
  rep_->tick();
  prop_->tick();
  bool leading = (serving_ || awaiting_catchup_) && prop_->state() == proposer_state::leading;
  // Alone, its own answer is a quorum and nobody else can lead: the lease
  // cannot lapse, however late this tick comes (a starved process would
  // otherwise step down and recover the registry over and over).
  if (serving_ && options_.quorum <= 1)
    last_lease_ = now;
  if (serving_ && now + options_.tick_interval >= last_lease_ + lease_duration(options_))
    demote("no quorum answered its heartbeats");
  else if (leading && now - last_heartbeat_sent_ >= options_.heartbeat_interval)
    heartbeat(now);
  if (pre_vote_open_)
    for (node_id i = 0; i < options_.nodes; ++i)
      if (pre_vote_grants_.count(i) == 0)
        ready_.messages.push_back(
          {options_.id, i, pre_vote_request{pre_vote_round_, rep_->learned_end()}});
  auto wait = options_.election_timeout + jitter_;
  bool quiet = now - last_heard_ > wait;
  // A candidate that did not win, or won but could not catch up, in time.
  bool stuck = prop_->state() != proposer_state::idle && !serving_
               && now - election_started_ > wait;
  if (rep_->status() == replica_status::voting && !serving_ && quiet
      && (prop_->state() == proposer_state::idle || stuck)) {
    if (awaiting_catchup_)
      demote("its replica did not catch up in time");
    election_started_ = now;
    last_heard_ = now;
    jitter_ = random_wait();
    if (options_.pre_vote)
      start_pre_vote(now);
    else
      stand(now);
  }
  settle(now);
}

std::optional<uint64_t> node::append(std::string data, node_time now) {
  if (!serving_)
    return std::nullopt;
  auto request = prop_->append(std::move(data));
  pending_.insert(request);
  settle(now);
  return request;
}

std::optional<uint64_t> node::truncate(position to, node_time now) {
  if (!serving_)
    return std::nullopt;
  auto request = prop_->truncate(to);
  pending_.insert(request);
  settle(now);
  return request;
}

void node::store_failed(const std::string& why) {
  if (broken_)
    return;
  demote(why.c_str());
  broken_ = true;
  ready_.messages.clear();
  ready_.writes.clear();
}

void node::check_invariants() const {
  assert(!(serving_ && awaiting_catchup_));
  assert(!serving_ || prop_->state() == proposer_state::leading);
  assert(serving_ || awaiting_catchup_ || pending_.empty());
  assert(!broken_ || (!serving_ && !awaiting_catchup_));
  assert(!pre_vote_open_ || pre_vote_grants_.count(options_.id) == 1);
}

} // namespace cairn::paxos
