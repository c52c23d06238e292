#include "actors/log/log_actor.hpp"

#include <algorithm>
#include <map>

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
#include "storage/paxos/node.hpp"

namespace cairn {

namespace {

using namespace paxos;

struct log_state {
  static inline const char* name = "log";
  log_options options;
  std::shared_ptr<log_store> store;
  std::unique_ptr<paxos::node> core;
  caf::actor owner;
  std::vector<caf::actor> peers;       // by node id; empty while not connected
  std::vector<caf::actor> connectors;  // by node id, for peers found by address
  std::map<uint64_t, caf::typed_response_promise<uint64_t>> pending;
  bool flush_queued = false;  // a log_flush_atom waits in the mailbox
};

using self_ptr = log_actor::stateful_pointer<log_state>;

// The core's clock: the actor clock's, since its epoch.
node_time now(self_ptr self) {
  return std::chrono::duration_cast<node_time>(self->clock().now().time_since_epoch());
}

void send_out(self_ptr self, message m) {
  auto& st = self->state;
  if (m.to < st.peers.size() && st.peers[m.to])
    self->send(caf::actor_cast<log_actor>(st.peers[m.to]), encode(m));
  // Not connected: the message is lost, and resent on a later tick.
}

void answer(self_ptr self, const completion& c, bool written) {
  auto& st = self->state;
  auto i = st.pending.find(c.request);
  if (i == st.pending.end())
    return;
  if (c.ok && written)
    i->second.deliver(static_cast<uint64_t>(c.pos));
  else
    i->second.deliver(make_error("the entry was not written: the log lost its leader"));
  st.pending.erase(i);
}

// Persist, then send, then answer, until the core has nothing more to say
// (heartbeats, their answers and pre-votes, which depend on nothing unwritten,
// go before the writes).
// One flush syncs the disk once: each batch is written unsynced and the
// last one with sync when any asked for it, which makes all of them durable
// (the store's log is written in order). With a disk that takes 100 ms per
// fsync under load, a sync per write left heartbeats waiting behind a queue
// of fsyncs until the leader's lease ran out.
void flush(self_ptr self) {
  auto& st = self->state;
  while (st.core->has_ready()) {
    auto ready = st.core->take_ready();
    bool written = true;
    bool sync = std::any_of(ready.writes.begin(), ready.writes.end(),
                            [](const node_write& w) { return w.sync; });
    for (const auto& m : ready.messages)
      if (paxos::needs_no_persist(m))
        send_out(self, m);
    for (size_t i = 0; i < ready.writes.size() && written; ++i)
      if (auto err = st.store->write(ready.writes[i].batch,
                                     sync && st.options.sync && i + 1 == ready.writes.size())) {
        // Nothing it promised or accepted may leave unwritten: it stops.
        logger("log")->critical("node {}: the log store failed: {}", st.options.id,
                                error_message(err));
        st.core->store_failed("its store failed");
        written = false;
      }
    if (written)
      for (auto& m : ready.messages)
        if (!paxos::needs_no_persist(m))
          send_out(self, std::move(m));
    for (const auto& c : ready.completions)
      answer(self, c, written);
    if (!written)
      continue;
    for (const auto& n : ready.notices) {
      if (n.what == node_event::elected) {
        logger("log")->info("node {} leads the log from position {}", st.options.id,
                            st.core->prop().next_position());
        caf::anon_send(st.owner, elected_atom::value);
      } else {
        logger("log")->warn("node {} stops leading: {}", st.options.id, n.why);
        caf::anon_send(st.owner, demoted_atom::value);
      }
    }
  }
}

// Group commit: what arrives while the disk syncs waits in the mailbox; the
// core takes all of it in before one flush (behind it in the mailbox) writes
// and syncs for all of it at once.
void queue_flush(self_ptr self) {
  auto& st = self->state;
  if (st.flush_queued || !st.core->has_ready())
    return;
  st.flush_queued = true;
  self->send(self, log_flush_atom::value);
}

void on_tick(self_ptr self) {
  auto& st = self->state;
  auto stood = st.core->elections_stood();
  st.core->tick(now(self));
  if (st.core->elections_stood() != stood)
    logger("log")->info("node {} stands for election", st.options.id);
  queue_flush(self);
  self->delayed_send(self, log_tick_interval(st.options), log_tick_atom::value);
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
  size_t n = st.options.addresses.size();
  node_options o;
  o.id = st.options.id;
  o.nodes = n;
  o.quorum = st.options.quorum;
  o.advertised = st.options.advertised;
  o.tick_interval = log_tick_interval(st.options);
  o.heartbeat_interval = st.options.heartbeat_interval;
  o.election_timeout = st.options.election_timeout;
  st.core = std::make_unique<paxos::node>(std::move(o), std::move(durable), now(self),
                                          st.options.seed);
  st.peers.resize(n);
  st.connectors.resize(n);
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
  flush(self);
  self->send(self, log_tick_atom::value);
  return {
    [=](const log_message& msg) {
      auto& st = self->state;
      auto m = decode(*msg);
      if (!m || m->to != st.options.id || m->from >= st.peers.size()
          || m->from == st.options.id) {
        logger("log")->warn("dropping a malformed log message");
        return;
      }
      st.core->receive(*m, now(self));
      queue_flush(self);
    },
    [=](append_atom, std::string& data) -> caf::result<uint64_t> {
      auto& st = self->state;
      if (data.size() > max_entry_bytes)
        return make_error(fmt::format("an entry of {} bytes is over the log's limit of {} bytes "
                                      "(one entry must fit in one message)",
                                      data.size(), max_entry_bytes));
      auto request = st.core->append(std::move(data), now(self));
      if (!request)
        return make_error("not the leader of the log");
      auto promise = self->make_response_promise<uint64_t>();
      st.pending.emplace(*request, promise);
      queue_flush(self);
      return promise;
    },
    [=](truncate_atom, uint64_t to) -> caf::result<uint64_t> {
      auto& st = self->state;
      auto request = st.core->truncate(to, now(self));
      if (!request)
        return make_error("not the leader of the log");
      auto promise = self->make_response_promise<uint64_t>();
      st.pending.emplace(*request, promise);
      queue_flush(self);
      return promise;
    },
    [=](read_atom, uint64_t first) {
      auto& st = self->state;
      std::vector<uint64_t> positions;
      std::vector<std::string> data;
      const auto& rep = st.core->rep();
      for (position p = std::max<position>(first, rep.begin()); p < rep.learned_end(); ++p) {
        const action* a = rep.get(p);
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
      return st.core->leader();
    },
    [=](log_tick_atom) { on_tick(self); },
    [=](log_flush_atom) {
      self->state.flush_queued = false;
      flush(self);
    },
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

duration log_tick_interval(const log_options& options) {
  return std::clamp<duration>(options.heartbeat_interval / 4, std::chrono::milliseconds(1),
                              std::chrono::milliseconds(25));
}

caf::error check_log_timing(duration heartbeat_interval, duration election_timeout) {
  if (heartbeat_interval < std::chrono::milliseconds(1))
    return make_error("--heartbeat-interval must be at least 1ms");
  // The lease is about 2/3 of the election timeout: three heartbeats to it
  // leave two chances to renew it before it ends.
  if (election_timeout < heartbeat_interval * 3)
    return make_error(fmt::format("--election-timeout ({}) must be at least three times "
                                  "--heartbeat-interval ({})",
                                  format_duration(election_timeout),
                                  format_duration(heartbeat_interval)));
  return {};
}

caf::expected<log_actor> spawn_log(caf::actor_system& sys, log_options options, caf::actor owner) {
  if (options.id >= options.addresses.size() || options.quorum * 2 <= options.addresses.size()
      || options.quorum > options.addresses.size())
    return make_error(fmt::format("log: node {} of {} with quorum {}: a quorum must be a majority",
                                  options.id, options.addresses.size(), options.quorum));
  if (auto err = check_log_timing(options.heartbeat_interval, options.election_timeout))
    return err;
  if (options.addresses.size() > paxos::max_nodes)
    return make_error(fmt::format("log: {} nodes, over the log's limit of {}",
                                  options.addresses.size(), paxos::max_nodes));
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
