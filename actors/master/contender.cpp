#include "actors/master/contender.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <fmt/format.h>

#include "actors/registrar/registrar.hpp"
#include "runtime/actor_gate.hpp"
#include "runtime/duration.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

using init_atom = caf::atom_constant<caf::atom("init")>;
using poll_atom = caf::atom_constant<caf::atom("poll")>;

using restart_atom = caf::atom_constant<caf::atom("restart")>;

constexpr auto leader_poll_interval = std::chrono::milliseconds(250);
constexpr auto master_restart_delay = std::chrono::seconds(1);

struct contender_state {
  static inline const char* name = "contender";
  contender_options options;
  log_actor log;
  registrar_actor registrar;
  master_actor master;
  std::unique_ptr<published_actor> published;  // the master's actor port, while it leads
  uint64_t term = 0;  // bumped by each election and demotion: stale answers are ignored
  bool elected_early = false;  // the log elected this node before init arrived
  uint64_t masters_started = 0;
};

using self_ptr = caf::stateful_actor<contender_state>*;

void stop_master(self_ptr self) {
  auto& st = self->state;
  if (!st.master)
    return;
  // The master is told to stop before its connections close: their ends
  // reach its mailbox after the exit, so a master that no longer leads never
  // takes a framework for gone (with a failover timeout of 0, removed and
  // its tasks killed on the agents) while a new leader takes it over.
  self->send_exit(st.master, caf::exit_reason::user_shutdown);
  // Agents and frameworks connected to it see it go and look for the leader.
  st.published.reset();
  st.master = master_actor{};
  st.options.shared->clear_master();
}

void start_master(self_ptr self, const std::string& recovered) {
  auto& st = self->state;
  auto options = st.options.master;
  // Each master this node starts draws its ids (master id, and from it the
  // agents', frameworks' and offers' ids) from a seed of its own: with the
  // same seed, a master started again after a demotion took the ids of the
  // last, gave a new agent the id of one that was back, and the two shared
  // one record (calls of the first dropped as from an unknown agent, books
  // that no longer held what its offers had, and an assertion ending it).
  options.seed ^= 0x9e3779b97f4a7c15ULL * ++st.masters_started;
  options.registrar = st.registrar;
  options.recovered = recovered;
  st.master = spawn_master(self->home_system(), options);
  self->monitor(st.master);
  // Detached: publishing blocks.
  auto published = publish_actor(self->home_system(), st.master, st.options.listen_ip,
                                 st.options.actor_port);
  if (!published) {
    logger("contender")->error("cannot publish the master on {}:{} ({}); trying again in {}",
                               st.options.listen_ip, st.options.actor_port,
                               error_message(published.error()),
                               format_duration(master_restart_delay));
    stop_master(self);
    self->delayed_send(self, master_restart_delay, restart_atom::value, st.term);
    return;
  }
  st.published = std::move(*published);
  auto port = st.published->port();
  st.options.shared->set_master(st.master, port, st.options.log.advertised);
  logger("contender")->info("this node leads: master published on port {}", port);
}

// Replays the registry, then starts the master on what it holds.
void recover(self_ptr self) {
  auto& st = self->state;
  uint64_t term = st.term;
  stop_master(self);
  self->request(st.registrar, std::chrono::minutes(2), recover_atom::value)
    .then(
      [=](const std::string& recovered) {
        if (term == self->state.term)
          start_master(self, recovered);
      },
      [=](caf::error& err) {
        logger("contender")->error("recovery of the registry failed ({}); trying again",
                                   error_message(err));
        self->delayed_send(self, master_restart_delay, restart_atom::value, term);
      });
}

caf::behavior contender(self_ptr self, contender_options options) {
  self->state.options = std::move(options);
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& st = self->state;
    if (st.master && msg.source == st.master.address()) {
      // It stopped on its own (its registry could not be written): while
      // this node still leads, a new one recovers in its place.
      logger("contender")->error("the master actor ended ({}); recovering a new one in {}",
                                 self->home_system().render(msg.reason),
                                 format_duration(master_restart_delay));
      st.master = master_actor{};
      st.published.reset();
      st.options.shared->clear_master();
      uint64_t term = st.term;
      self->delayed_send(self, master_restart_delay, restart_atom::value, term);
    }
  });
  self->set_exit_handler([=](caf::exit_msg& msg) {
    stop_master(self);
    self->quit(msg.reason);
  });
  return {
    [=](init_atom, log_actor log) {
      auto& st = self->state;
      st.log = std::move(log);
      self->link_to(st.log);
      registrar_options r;
      r.log = st.log;
      st.registrar = spawn_registrar(self->home_system(), r);
      self->link_to(st.registrar);
      self->send(self, poll_atom::value);
      if (st.elected_early)
        self->send(self, elected_atom::value);
    },
    [=](elected_atom) {
      auto& st = self->state;
      if (!st.registrar) {
        st.elected_early = true;
        return;
      }
      ++st.term;
      recover(self);
    },
    [=](restart_atom, uint64_t term) {
      if (term == self->state.term && !self->state.master)
        recover(self);
    },
    [=](demoted_atom) {
      ++self->state.term;
      self->state.elected_early = false;
      stop_master(self);
    },
    [=](poll_atom) {
      auto& st = self->state;
      self->request(st.log, std::chrono::seconds(5), leader_atom::value)
        .then([=](const std::string& leader) { self->state.options.shared->set_leader(leader); },
              [](caf::error&) {});
      self->delayed_send(self, leader_poll_interval, poll_atom::value);
    },
  };
}

} // namespace

caf::expected<contender_node> spawn_contender(caf::actor_system& sys,
                                              contender_options options) {
  auto log_options = options.log;
  auto ip = options.listen_ip;
  auto log_port = options.log_port;
  auto shared = options.shared;
  auto node = sys.spawn<caf::detached>(contender, std::move(options));
  auto log = spawn_log(sys, log_options, node);
  if (!log) {
    caf::anon_send_exit(node, caf::exit_reason::user_shutdown);
    return log.error();
  }
  contender_node result{node, nullptr};
  if (log_options.addresses.size() > 1) {
    auto published = publish_actor(sys, *log, ip, log_port);
    if (!published) {
      caf::anon_send_exit(*log, caf::exit_reason::user_shutdown);
      caf::anon_send_exit(node, caf::exit_reason::user_shutdown);
      return make_error(fmt::format("cannot listen for the log on {}:{}: {}", ip, log_port,
                                    error_message(published.error())));
    }
    shared->set_log_port((*published)->port());
    result.log_port = std::move(*published);
  }
  caf::anon_send(node, init_atom::value, *log);
  return result;
}

} // namespace cairn
