#include "actors/log/log_actor.hpp"

#include <map>
#include <random>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <fmt/format.h>

#include "runtime/connector.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "storage/leveldb_log_store.hpp"
#include "storage/paxos/codec.hpp"
#include "storage/paxos/proposer.hpp"
#include "storage/paxos/replica.hpp"

namespace cairn {

namespace {

using namespace paxos;
using time_point = caf::actor_clock::time_point;

struct log_state {
  static inline const char* name = "log";
  log_options options;
  std::shared_ptr<log_store> store;
  std::unique_ptr<replica> rep;
  std::unique_ptr<proposer> prop;
  caf::actor owner;
  std::vector<caf::actor> peers;       // by node id; empty while not connected
  std::vector<caf::actor> connectors;  // by node id, for peers found by address
  std::mt19937_64 rng;
  bool broken = false;                 // the store failed: this node stays out
  bool serving = false;                // leading, with every chosen entry here
  bool awaiting_catchup = false;       // elected; the local replica catches up
  time_point last_lease{};             // a quorum answered a heartbeat
  time_point last_heartbeat_sent{};
  time_point last_heard{};             // the local replica answered a leader
  time_point election_started{};
  duration jitter{};
  std::map<uint64_t, caf::typed_response_promise<uint64_t>> pending;
};

using self_ptr = log_actor::stateful_pointer<log_state>;

void flush(self_ptr self);
duration random_wait(self_ptr self);

void demote(self_ptr self, const char* why) {
  auto& st = self->state;
  if (!st.serving && !st.awaiting_catchup)
    return;
  logger("log")->warn("node {} stops leading: {}", st.options.id, why);
  st.serving = false;
  st.awaiting_catchup = false;
  for (auto& [req, promise] : st.pending)
    promise.deliver(make_error("the log lost its leader"));
  st.pending.clear();
  caf::anon_send(st.owner, demoted_atom::value);
}

void send_out(self_ptr self, std::vector<message>& local, message m) {
  auto& st = self->state;
  if (m.to == st.options.id) {
    local.push_back(std::move(m));
    return;
  }
  if (m.to < st.peers.size() && st.peers[m.to])
    self->send(caf::actor_cast<log_actor>(st.peers[m.to]), encode(m));
  // Not connected: the message is lost, and resent on a later tick.
}

void deliver(self_ptr self, const message& m) {
  auto& st = self->state;
  if (for_proposer(m))
    st.prop->step(m);
  else
    st.rep->step(m);
}

void check_catchup(self_ptr self) {
  auto& st = self->state;
  if (!st.awaiting_catchup || st.prop->state() != proposer_state::leading)
    return;
  if (st.rep->learned_end() < st.prop->next_position())
    return; // the replica learns what it misses from peers on its ticks
  if (st.rep->promised() > st.prop->number()) {
    // Someone newer stood meanwhile: its first write would fence this one.
    demote(self, "its replica promised a newer proposer");
    return;
  }
  st.awaiting_catchup = false;
  st.serving = true;
  st.last_lease = self->clock().now();
  logger("log")->info("node {} leads the log from position {}", st.options.id,
                      st.prop->next_position());
  caf::anon_send(st.owner, elected_atom::value);
}

// Persist, then send, until the cores have nothing more to say.
void flush(self_ptr self) {
  auto& st = self->state;
  std::vector<message> local;
  while (!st.broken && (st.rep->has_ready() || st.prop->has_ready() || !local.empty())) {
    if (st.rep->has_ready()) {
      auto ready = st.rep->take_ready();
      auto batch = store_batch::from(ready);
      if (!batch.empty())
        if (auto err = st.store->write(batch, ready.sync && st.options.sync)) {
          // Nothing it promised or accepted may leave unwritten: it stops.
          logger("log")->critical("node {}: the log store failed: {}", st.options.id,
                                  error_message(err));
          st.broken = true;
          demote(self, "its store failed");
          return;
        }
      for (auto& m : ready.messages) {
        if (auto* h = std::get_if<heartbeat_response>(&m.body); h && h->okay)
          st.last_heard = self->clock().now();
        send_out(self, local, std::move(m));
      }
    }
    if (st.prop->has_ready()) {
      auto ready = st.prop->take_ready();
      for (const auto& c : ready.completions) {
        auto i = st.pending.find(c.request);
        if (i == st.pending.end())
          continue;
        if (c.ok)
          i->second.deliver(static_cast<uint64_t>(c.pos));
        else
          i->second.deliver(make_error("the entry was not written: the log lost its leader"));
        st.pending.erase(i);
      }
      if (ready.lease_renewed)
        st.last_lease = st.last_heartbeat_sent;
      if (ready.elected) {
        // What the election settled is chosen, but the local replica may not
        // have it: it learns it from peers before this node serves.
        st.awaiting_catchup = true;
        st.rep->catch_up_to(st.prop->next_position());
      }
      if (ready.fenced)
        demote(self, "a newer proposer exists");
      for (auto& m : ready.messages)
        send_out(self, local, std::move(m));
    }
    for (auto& m : std::exchange(local, {}))
      deliver(self, m);
    if (auto fill = st.rep->recovery_fill(); fill && st.prop->state() == proposer_state::idle)
      st.prop->fill(fill->first, fill->last, fill->above);
  }
  check_catchup(self);
}

void on_tick(self_ptr self) {
  auto& st = self->state;
  auto now = self->clock().now();
  if (st.broken)
    return;
  st.rep->tick();
  st.prop->tick();
  if (st.serving) {
    if (now - st.last_lease > st.options.lease_timeout)
      demote(self, "no quorum answered its heartbeats");
    else if (now - st.last_heartbeat_sent >= st.options.heartbeat_interval) {
      st.last_heartbeat_sent = now;
      st.prop->heartbeat(st.options.advertised);
    }
  }
  bool quiet = now - st.last_heard > st.options.election_timeout + st.jitter;
  // A candidate that did not win, or won but could not catch up, in time.
  bool stuck = st.prop->state() != proposer_state::idle && !st.serving
               && now - st.election_started > st.options.election_timeout + st.jitter;
  if (st.rep->status() == replica_status::voting && !st.serving && quiet
      && (st.prop->state() == proposer_state::idle || stuck)) {
    // Nobody leads: stand, after a random wait so that candidates rarely duel.
    if (st.awaiting_catchup)
      demote(self, "its replica did not catch up in time");
    st.election_started = now;
    st.last_heard = now;
    st.jitter = random_wait(self);
    logger("log")->info("node {} stands for election", st.options.id);
    st.prop->elect(st.rep->promised());
  }
  flush(self);
  self->delayed_send(self, st.options.tick_interval, log_tick_atom::value);
}

// Up to one election timeout, at random: nodes that start (or lose their
// leader) together stand one after another, and the first usually wins.
duration random_wait(self_ptr self) {
  auto& st = self->state;
  return std::chrono::duration_cast<duration>(
    st.options.election_timeout * std::uniform_real_distribution<double>(0, 1)(st.rng));
}

void connect_peer(self_ptr self, uint32_t peer) {
  auto& st = self->state;
  auto connector = st.connectors[peer];
  self->request(connector, caf::infinite, connect_atom::value)
    .then([=](const caf::strong_actor_ptr& handle) {
      self->send(self, peer_atom::value, peer, handle);
    });
}

log_actor::behavior_type log_node(self_ptr self, log_options options,
                                  std::shared_ptr<log_store> store, durable_state durable,
                                  caf::actor owner) {
  auto& st = self->state;
  st.options = std::move(options);
  st.store = std::move(store);
  st.owner = std::move(owner);
  st.rng.seed(st.options.seed);
  size_t n = st.options.addresses.size();
  std::vector<node_id> peers;
  std::vector<node_id> everyone;
  for (node_id i = 0; i < n; ++i) {
    everyone.push_back(i);
    if (i != st.options.id)
      peers.push_back(i);
  }
  // A follower keeps to a leader it heard within 80% of the election timeout:
  // a node cut off from that leader alone cannot depose it, yet once the
  // leader is gone every follower answers before candidates give up.
  replica_options r;
  if (st.options.tick_interval.count() > 0)
    r.leader_sticky_ticks =
      static_cast<uint64_t>(st.options.election_timeout * 4 / 5 / st.options.tick_interval);
  st.rep =
    std::make_unique<replica>(st.options.id, peers, st.options.quorum, std::move(durable), r);
  st.prop = std::make_unique<proposer>(st.options.id, everyone, st.options.quorum);
  st.peers.resize(n);
  st.connectors.resize(n);
  st.last_heard = self->clock().now();
  st.jitter = random_wait(self);
  for (node_id i = 0; i < n; ++i) {
    if (i == st.options.id)
      continue;
    connector_options c;
    c.addresses = {st.options.addresses[i]};
    c.connect = connect_as<log_actor>();
    c.use_log_port = true;
    c.follow_leader = false;
    c.max_backoff = std::chrono::seconds(2);
    st.connectors[i] = spawn_connector(self->home_system(), std::move(c));
    self->link_to(st.connectors[i]);
    connect_peer(self, i);
  }
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& st = self->state;
    for (uint32_t i = 0; i < st.peers.size(); ++i)
      if (st.peers[i] && st.peers[i].address() == msg.source && st.connectors[i]) {
        st.peers[i] = nullptr;
        connect_peer(self, i);
      }
  });
  if (st.rep->status() != replica_status::voting)
    st.rep->start_recovery();
  // Alone, a node has nobody to wait for: it stands at once.
  if (n == 1 && st.rep->status() == replica_status::voting)
    st.prop->elect(st.rep->promised());
  flush(self);
  self->send(self, log_tick_atom::value);
  return {
    [=](const log_message& msg) {
      auto& st = self->state;
      if (st.broken)
        return;
      auto m = decode(*msg);
      if (!m || m->to != st.options.id || m->from >= st.peers.size()) {
        logger("log")->warn("dropping a malformed log message");
        return;
      }
      deliver(self, *m);
      flush(self);
    },
    [=](append_atom, std::string& data) -> caf::result<uint64_t> {
      auto& st = self->state;
      if (data.size() > max_entry_bytes)
        return make_error(fmt::format("an entry of {} bytes is over the log's limit of {} bytes "
                                      "(one entry must fit in one message)",
                                      data.size(), max_entry_bytes));
      if (!st.serving)
        return make_error("not the leader of the log");
      auto promise = self->make_response_promise<uint64_t>();
      st.pending.emplace(st.prop->append(std::move(data)), promise);
      flush(self);
      return promise;
    },
    [=](truncate_atom, uint64_t to) -> caf::result<uint64_t> {
      auto& st = self->state;
      if (!st.serving)
        return make_error("not the leader of the log");
      auto promise = self->make_response_promise<uint64_t>();
      st.pending.emplace(st.prop->truncate(to), promise);
      flush(self);
      return promise;
    },
    [=](read_atom, uint64_t first) {
      auto& st = self->state;
      std::vector<uint64_t> positions;
      std::vector<std::string> data;
      for (position p = std::max<position>(first, st.rep->begin()); p < st.rep->learned_end();
           ++p) {
        const action* a = st.rep->get(p);
        if (a != nullptr && a->type == action_type::append) {
          positions.push_back(p);
          data.push_back(a->data);
        }
      }
      return caf::result<std::vector<uint64_t>, std::vector<std::string>>(std::move(positions),
                                                                         std::move(data));
    },
    [=](leader_atom) {
      auto& st = self->state;
      return st.serving ? st.options.advertised : st.rep->leader();
    },
    [=](log_tick_atom) { on_tick(self); },
    [=](peer_atom, uint32_t peer, const caf::strong_actor_ptr& handle) {
      auto& st = self->state;
      if (peer >= st.peers.size() || !handle)
        return;
      st.peers[peer] = caf::actor_cast<caf::actor>(handle);
      self->monitor(st.peers[peer]);
    },
  };
}

} // namespace

caf::expected<log_actor> spawn_log(caf::actor_system& sys, log_options options, caf::actor owner) {
  if (options.id >= options.addresses.size() || options.quorum * 2 <= options.addresses.size())
    return make_error(fmt::format("log: node {} of {} with quorum {}: a quorum must be a majority",
                                  options.id, options.addresses.size(), options.quorum));
  auto store = open_leveldb_log_store(options.work_dir + "/replicated_log");
  if (!store)
    return store.error();
  auto durable = (*store)->load();
  if (!durable)
    return durable.error();
  std::shared_ptr<log_store> shared = std::move(*store);
  return sys.spawn<caf::detached>(log_node, std::move(options), std::move(shared),
                                  std::move(*durable), std::move(owner));
}

} // namespace cairn
