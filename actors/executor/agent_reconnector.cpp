#include "actors/executor/agent_reconnector.hpp"

#include <random>

#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>

#include "actors/handles.hpp"
#include "runtime/log.hpp"
#include "runtime/random.hpp"

namespace cairn {

namespace {

using attempt_atom = caf::atom_constant<caf::atom("attempt")>;

struct reconnector_state {
  static inline const char* name = "agent-reconnector";
  reconnector_options options;
  caf::actor owner;
  std::unique_ptr<random_source> random;
  bool wanted = false;             // the owner asked and has no answer yet
  bool attempt_scheduled = false;
  uint64_t attempts = 0;
};

using self_ptr = caf::stateful_actor<reconnector_state>*;

caf::expected<caf::strong_actor_ptr> connect_to_agent(caf::actor_system& sys,
                                                      const std::string& host, uint16_t port) {
  auto agent = sys.middleman().remote_actor<executor_call_sink>(host, port);
  if (!agent)
    return agent.error();
  return caf::actor_cast<caf::strong_actor_ptr>(*agent);
}

duration next_backoff(reconnector_state& st) {
  auto max_ns = st.options.backoff_max.count();
  if (max_ns <= 0)
    return duration{0};
  std::uniform_int_distribution<int64_t> pick(0, max_ns);
  return duration{pick(st.random->engine())};
}

// One attempt; blocking, which is why this actor is detached.
void attempt(self_ptr self) {
  auto& st = self->state;
  st.attempt_scheduled = false;
  if (!st.wanted)
    return;
  ++st.attempts;
  auto handle = st.options.connect(self->home_system(), st.options.host, st.options.port);
  if (handle && *handle) {
    logger("executor")->info("reached the agent at {}:{} again (attempt {})", st.options.host,
                             st.options.port, st.attempts);
    st.wanted = false;
    st.attempts = 0;
    self->send(st.owner, reconnected_atom::value, *handle);
    return;
  }
  auto wait = next_backoff(st);
  logger("executor")->debug("agent at {}:{} not reachable ({}); trying again in {}",
                            st.options.host, st.options.port,
                            handle ? std::string("no actor") : self->home_system().render(handle.error()),
                            format_duration(wait));
  st.attempt_scheduled = true;
  self->delayed_send(self, wait, attempt_atom::value);
}

caf::behavior reconnector(self_ptr self, caf::actor owner, reconnector_options options) {
  auto& st = self->state;
  st.options = std::move(options);
  if (!st.options.connect)
    st.options.connect = connect_to_agent;
  st.owner = std::move(owner);
  st.random = std::make_unique<random_source>(st.options.seed);
  self->monitor(st.owner);
  self->set_down_handler([=](caf::down_msg&) { self->quit(); });
  return {
    [=](reconnect_atom) {
      auto& st = self->state;
      st.wanted = true;
      if (!st.attempt_scheduled) {
        st.attempt_scheduled = true;
        self->send(self, attempt_atom::value);
      }
    },
    [=](attempt_atom) { attempt(self); },
  };
}

} // namespace

caf::actor spawn_agent_reconnector(caf::actor_system& sys, caf::actor owner,
                                   reconnector_options options) {
  return sys.spawn<caf::detached>(reconnector, std::move(owner), std::move(options));
}

} // namespace cairn
