#include "runtime/connector.hpp"

#include <algorithm>
#include <cassert>
#include <set>

#include <caf/event_based_actor.hpp>
#include <caf/response_promise.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "runtime/connect.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "runtime/random.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace cairn {

namespace {

using retry_connect_atom = caf::atom_constant<caf::atom("reconnect")>;
using watch_tick_atom = caf::atom_constant<caf::atom("watchtick")>;

// A watch pass asks each master at most this long: the others answer on a
// LAN in a millisecond; one that hangs should not hold up the rest.
constexpr auto watch_http_timeout = std::chrono::milliseconds(1000);

// Where the actor a caller follows was found.
struct found_at {
  caf::strong_actor_ptr handle;
  std::string address;  // the HTTP address that answered with its endpoint
  std::string host;
  uint16_t port = 0;
};

struct connector_state {
  static inline const char* name = "connector";
  connector_options options;
  std::vector<caf::response_promise> waiting;
  size_t next = 0;          // the address to try next
  duration backoff{};
  bool attempt_scheduled = false;
  found_at last_found;             // what the last pass connected to
  found_at followed;               // what the watcher's caller follows; port 0: not located yet
  caf::response_promise watcher;   // pending while watching
  bool watch_scheduled = false;
  std::mt19937_64 rng;
};

using self_ptr = caf::stateful_actor<connector_state>*;

// One pass over the addresses; blocking, which is why this actor is detached.
void attempt(self_ptr self) {
  auto& st = self->state;
  st.attempt_scheduled = false;
  if (st.waiting.empty())
    return;
  bool someone_answered = false;
  // Asked once a pass: a leader that hangs (paused, or its host gone) and
  // that standbys still name would otherwise cost a timeout per standby.
  std::set<std::string> silent;
  for (size_t i = 0; i < st.options.addresses.size(); ++i) {
    const auto& address = st.options.addresses[st.next];
    st.next = (st.next + 1) % st.options.addresses.size();
    if (silent.count(address) > 0)
      continue;
    auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(st.options.http_timeout);
    auto ep = resolve_actor_endpoint(address, timeout);
    someone_answered = someone_answered || static_cast<bool>(ep);
    if (!ep)
      silent.insert(address);
    // A master that does not lead names the one that does: go there.
    if (ep && st.options.follow_leader && !ep->leader.empty() && ep->leader != address) {
      auto leader = ep->leader;
      if (silent.count(leader) > 0) {
        logger("connector")->debug("{} names {} as leader, which did not answer", address, leader);
        continue;
      }
      ep = resolve_actor_endpoint(leader, timeout);
      if (!ep)
        silent.insert(leader);
    }
    if (!ep) {
      logger("connector")->debug("{}: {}", address, error_message(ep.error()));
      continue;
    }
    uint16_t port = st.options.use_log_port ? ep->log_port : ep->port;
    if (port == 0) {
      logger("connector")->debug("{}: no such endpoint there (yet)", address);
      continue;
    }
    auto handle = st.options.connect(self->home_system(), ep->host, port);
    if (!handle) {
      logger("connector")->debug("{}: {}", address, self->home_system().render(handle.error()));
      continue;
    }
    logger("connector")->info("connected to {} (actors at {}:{})", address, ep->host, ep->port);
    st.last_found = {*handle, ep->leader.empty() || !st.options.follow_leader ? address : ep->leader,
                     ep->host, port};
    for (auto& rp : st.waiting)
      rp.deliver(*handle);
    st.waiting.clear();
    st.backoff = st.options.min_backoff;
    return;
  }
  if (someone_answered && st.options.standby_retry.count() > 0) {
    logger("connector")->info("no leader at {} yet; trying again in {}",
                              fmt::format("{}", fmt::join(st.options.addresses, ",")),
                              format_duration(st.options.standby_retry));
    st.attempt_scheduled = true;
    self->delayed_send(self, st.options.standby_retry, retry_connect_atom::value);
    return;
  }
  auto wait = jittered_backoff(st.backoff, std::uniform_real_distribution<double>(0, 1)(st.rng));
  logger("connector")->info("no answer from {}; trying again in {}",
                            fmt::format("{}", fmt::join(st.options.addresses, ",")),
                            format_duration(wait));
  st.attempt_scheduled = true;
  self->delayed_send(self, wait, retry_connect_atom::value);
  st.backoff = std::min(st.backoff * 2, st.options.max_backoff);
}

void schedule_watch(self_ptr self) {
  auto& st = self->state;
  if (st.watch_scheduled || st.watcher.pending() == false)
    return;
  st.watch_scheduled = true;
  self->delayed_send(self, st.options.watch_interval, watch_tick_atom::value);
}

// Whether the actor at host:port is the one followed; locates it the first
// time (connecting is cached by the middleman: no new connection to a node
// already reached).
bool is_followed(self_ptr self, const std::string& address, const std::string& host,
                 uint16_t port) {
  auto& st = self->state;
  if (st.followed.port != 0)
    return host == st.followed.host && port == st.followed.port;
  auto handle = st.options.connect(self->home_system(), host, port);
  if (!handle || *handle != st.followed.handle)
    return !handle; // unreachable: no claim to act on
  st.followed.address = address;
  st.followed.host = host;
  st.followed.port = port;
  return true;
}

// One pass over the other addresses: does one of them lead now?
void watch(self_ptr self) {
  auto& st = self->state;
  st.watch_scheduled = false;
  if (!st.watcher.pending())
    return;
  if (!st.waiting.empty())
    return schedule_watch(self); // connecting again already
  for (size_t i = 0; i < st.options.addresses.size(); ++i) {
    const auto& address = st.options.addresses[i];
    if (address == st.followed.address)
      continue; // a paused leader would only cost the timeout
    auto ep = resolve_actor_endpoint(address, watch_http_timeout);
    if (!ep)
      continue;
    uint16_t port = st.options.use_log_port ? ep->log_port : ep->port;
    if (port == 0 || is_followed(self, address, ep->host, port))
      continue;
    logger("connector")->info("{} leads now (actors at {}:{})", address, ep->host, port);
    st.next = i;
    st.watcher.deliver(watch_atom::value);
    st.watcher = caf::response_promise{};
    return;
  }
  schedule_watch(self);
}

caf::behavior connector(self_ptr self, connector_options options) {
  self->state.options = std::move(options);
  self->state.backoff = self->state.options.min_backoff;
  auto seed = self->state.options.seed;
  self->state.rng.seed(seed != 0 ? seed : entropy_seed());
  return {
    [=](connect_atom) {
      auto& st = self->state;
      st.waiting.push_back(self->make_response_promise());
      if (!st.attempt_scheduled) {
        st.attempt_scheduled = true;
        self->send(self, retry_connect_atom::value);
      }
    },
    [=](retry_connect_atom) { attempt(self); },
    [=](watch_atom, const caf::strong_actor_ptr& handle) {
      auto& st = self->state;
      auto rp = self->make_response_promise();
      if (st.options.watch_interval.count() <= 0 || st.options.addresses.empty() || !handle) {
        rp.deliver(make_error("this connector does not watch"));
        return;
      }
      if (st.watcher.pending())
        st.watcher.deliver(make_error("replaced by a newer watch"));
      st.watcher = rp;
      st.followed = handle == st.last_found.handle ? st.last_found : found_at{handle, {}, {}, 0};
      schedule_watch(self);
    },
    [=](watch_tick_atom) { watch(self); },
  };
}

} // namespace

duration jittered_backoff(duration backoff, double u) {
  assert(u >= 0 && u < 1 && "u is drawn from [0, 1)");
  auto spread = std::chrono::duration_cast<duration>(backoff * u);
  auto wait = backoff / 2 + spread;
  assert(wait >= backoff / 2 && wait <= backoff * 3 / 2);
  return wait;
}

caf::actor spawn_connector(caf::actor_system& sys, connector_options options) {
  return sys.spawn<caf::detached>(connector, std::move(options));
}

caf::expected<caf::strong_actor_ptr> connect_within(caf::actor_system& sys,
                                                    connector_options options, duration timeout) {
  auto addresses = fmt::format("{}", fmt::join(options.addresses, ","));
  if (options.addresses.empty())
    return make_error("no address to connect to");
  auto connector = spawn_connector(sys, std::move(options));
  caf::scoped_actor self{sys};
  caf::expected<caf::strong_actor_ptr> result = make_error("nothing answered");
  self->request(connector, timeout, connect_atom::value)
    .receive([&](const caf::strong_actor_ptr& handle) { result = handle; },
             [&](caf::error&) {
               result = make_error(fmt::format("no answer from {} within {}", addresses,
                                               format_duration(timeout)),
                                   caf::sec::cannot_connect_to_node);
             });
  self->send_exit(connector, caf::exit_reason::user_shutdown);
  return result;
}

std::vector<std::string> split_addresses(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    auto end = list.find(',', start);
    auto part = list.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!part.empty())
      out.push_back(part);
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  return out;
}

} // namespace cairn
