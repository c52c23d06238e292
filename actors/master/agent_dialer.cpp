#include "actors/master/agent_dialer.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include "runtime/connect.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

using dial_atom = caf::atom_constant<caf::atom("dial")>;

constexpr int dial_rounds = 3;
constexpr auto round_pause = std::chrono::seconds(5);
constexpr auto dial_timeout = std::chrono::seconds(2);

struct dialer_state {
  static inline const char* name = "agent-dialer";
  master_actor master;
  std::vector<std::string> addresses;  // this round's
  std::vector<std::string> failed;     // for the next round
  size_t next = 0;
  int round = 1;
};

using self_ptr = caf::stateful_actor<dialer_state>*;

// One agent per message, so that the master's exit stops the dialer between two.
void dial_one(self_ptr self) {
  auto& st = self->state;
  const auto& address = st.addresses[st.next++];
  auto agent = connect_to<agent_sink>(self->home_system(), address, dial_timeout);
  if (agent) {
    caf::send_as(st.master, *agent,
                 make_wire<schema::agent::Event>([](schema::agent::Event::Builder e) {
                   e.setType(schema::agent::Event::Type::NEW_MASTER);
                 }));
  } else {
    logger("master")->debug("agent at {} not reached: {}", address,
                            self->home_system().render(agent.error()));
    st.failed.push_back(address);
  }
  if (st.next < st.addresses.size()) {
    self->send(self, dial_atom::value);
    return;
  }
  if (st.failed.empty() || st.round == dial_rounds) {
    self->quit();
    return;
  }
  ++st.round;
  st.addresses = std::exchange(st.failed, {});
  st.next = 0;
  self->delayed_send(self, round_pause, dial_atom::value);
}

caf::behavior dialer(self_ptr self, master_actor master, std::vector<std::string> addresses) {
  self->state.master = std::move(master);
  self->state.addresses = std::move(addresses);
  if (self->state.addresses.empty())
    return {};
  self->send(self, dial_atom::value);
  return {
    [=](dial_atom) { dial_one(self); },
  };
}

} // namespace

caf::actor spawn_agent_dialer(caf::actor_system& sys, master_actor master,
                              std::vector<std::string> addresses) {
  return sys.spawn<caf::detached>(dialer, std::move(master), std::move(addresses));
}

} // namespace cairn
