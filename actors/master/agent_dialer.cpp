#include "actors/master/agent_dialer.hpp"

#include <algorithm>
#include <memory>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include "runtime/connect.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

using dial_atom = caf::atom_constant<caf::atom("dial")>;

constexpr int dial_rounds = 3;
// Agents are reached by up to max_dialers threads at once, each taking at
// least agents_per_dialer of them: one at a time, 10,000 agents took as
// many sequential lookups, and an agent that hangs held up all behind it.
constexpr size_t max_dialers = 8;
constexpr size_t agents_per_dialer = 64;
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

// The dialers of one election: it ends when they all have, and they end
// with it (linked), so that the master's exit stops them all.
caf::behavior dialer_group(caf::event_based_actor* self, master_actor master,
                           std::vector<std::string> addresses) {
  // One address once: agents behind one address are one actor there.
  std::sort(addresses.begin(), addresses.end());
  addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
  size_t workers = std::min(max_dialers, (addresses.size() + agents_per_dialer - 1)
                                           / agents_per_dialer);
  if (workers == 0)
    return {};
  std::vector<std::vector<std::string>> shares(workers);
  for (size_t i = 0; i < addresses.size(); ++i)
    shares[i % workers].push_back(std::move(addresses[i]));
  auto running = std::make_shared<size_t>(workers);
  self->set_down_handler([=](caf::down_msg&) {
    if (--*running == 0)
      self->quit();
  });
  for (auto& share : shares) {
    auto worker = self->spawn<caf::detached + caf::linked + caf::monitored>(dialer, master,
                                                                           std::move(share));
    (void) worker;
  }
  return {[](dial_atom) {}};
}

} // namespace

caf::actor spawn_agent_dialer(caf::actor_system& sys, master_actor master,
                              std::vector<std::string> addresses) {
  return sys.spawn(dialer_group, std::move(master), std::move(addresses));
}

} // namespace cairn
