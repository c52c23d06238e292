#include "examples/launch_n_framework.hpp"

#include <deque>
#include <optional>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <fmt/format.h>

#include "actors/resources/convert.hpp"
#include "actors/scheduler/calls.hpp"
#include "actors/scheduler/driver.hpp"
#include "actors/scheduler/launch_book.hpp"
#include "actors/task_state.hpp"

namespace cairn::examples {

size_t tally::finished() const {
  auto i = terminal.find("TASK_FINISHED");
  return i == terminal.end() ? 0 : i->second;
}

namespace {

struct framework_state {
  static inline const char* name = "launch-n";
  launch_n_config config;
  tally_callback done;
  std::string framework_id;
  std::deque<size_t> pending;          // task indices not launched yet
  std::vector<uint8_t> terminal_seen;  // terminal updates per task
  size_t ended = 0;
  tally result;
  bool suppressed = false;
  launch_book book;  // to reconcile after a master failover
};

using reconcile_atom = caf::atom_constant<caf::atom("reconcile")>;

using self_ptr = caf::stateful_actor<framework_state>*;

std::string task_id(const framework_state& st, size_t index) {
  return fmt::format("{}-{}", st.config.name, index);
}

void on_offers(self_ptr self, const caf::actor& driver, capnp::List<schema::Offer>::Reader offers) {
  auto& st = self->state;
  std::vector<std::string> declined;
  for (auto offer : offers) {
    auto res = read_resources(offer.getResources());
    std::vector<task_spec> tasks;
    if (res) {
      auto left = res->unallocated();
      while (!st.pending.empty() && left.contains(st.config.task_resources)) {
        task_spec t;
        t.id = task_id(st, st.pending.front());
        t.shell_command = st.config.command;
        t.res = st.config.task_resources;
        left -= t.res;
        st.book.launched(t.id, offer.getAgentId().getValue());
        tasks.push_back(std::move(t));
        st.pending.pop_front();
      }
    }
    if (tasks.empty()) {
      declined.push_back(offer.getId().getValue());
      continue;
    }
    st.result.launched += tasks.size();
    // Refuse 0: what is left is offered again at the next pass.
    self->send(driver, calls::launch(st.framework_id, {offer.getId().getValue()}, tasks, 0));
  }
  if (!declined.empty())
    self->send(driver, calls::decline(st.framework_id, declined, st.pending.empty() ? 3600 : 0));
  if (st.pending.empty() && !st.suppressed) {
    st.suppressed = true;
    self->send(driver, calls::suppress(st.framework_id));
  }
}

// The index of one of this framework's tasks, or none.
std::optional<size_t> task_index(const framework_state& st, const std::string& id) {
  auto prefix = st.config.name + "-";
  if (id.rfind(prefix, 0) != 0 || id.size() == prefix.size())
    return std::nullopt;
  size_t index = 0;
  for (char c : id.substr(prefix.size())) {
    if (c < '0' || c > '9' || index > st.terminal_seen.size())
      return std::nullopt;
    index = index * 10 + static_cast<size_t>(c - '0');
  }
  if (index >= st.terminal_seen.size())
    return std::nullopt;
  return index;
}

// After subscribing again, asks about every task not yet ended, and again
// while the master holds its answer (the book says when).
void reconcile(self_ptr self, const caf::actor& driver, bool first) {
  auto& st = self->state;
  auto q = st.book.ask(first);
  if (q.tasks.empty())
    return;
  self->send(driver, calls::reconcile(st.framework_id, q.tasks));
  self->delayed_send(self, q.ask_again_after, reconcile_atom::value, driver);
}

void on_update(self_ptr self, const caf::actor& driver, schema::TaskStatus::Reader status) {
  auto& st = self->state;
  auto index = task_index(st, status.getTaskId().getValue());
  switch (st.book.heard(status)) {
    case launch_book::verdict::repeat:
      return;
    case launch_book::verdict::lost_launch:
      // It never reached an agent: it goes back in line for an offer.
      if (index) {
        st.pending.push_front(*index);
        --st.result.launched;
        st.suppressed = false;
        self->send(driver, calls::revive(st.framework_id));
      }
      return;
    case launch_book::verdict::news:
      break;
  }
  ++st.result.updates;
  if (!is_terminal(status.getState()) || !index)
    return;
  if (++st.terminal_seen[*index] == 2)
    ++st.result.tasks_with_two_terminal_states;
  if (st.terminal_seen[*index] > 1)
    return;
  ++st.result.terminal[state_name(status.getState())];
  if (++st.ended < st.config.count)
    return;
  st.done(st.result);
  self->send(driver, calls::teardown(st.framework_id));
  self->quit();
}

caf::behavior launch_n(self_ptr self, launch_n_config config, tally_callback done) {
  auto& st = self->state;
  st.config = std::move(config);
  st.done = std::move(done);
  st.terminal_seen.assign(st.config.count, 0);
  for (size_t i = 0; i < st.config.count; ++i)
    st.pending.push_back(i);
  return {
    [=](const scheduler_event& event) {
      auto driver = caf::actor_cast<caf::actor>(self->current_sender());
      scheduler_handlers h;
      h.subscribed = [&](const std::string& id) {
        bool again = !self->state.framework_id.empty();
        self->state.framework_id = id;
        if (again)
          reconcile(self, driver, true);
      };
      h.offers = [&](auto offers) { on_offers(self, driver, offers); };
      h.update = [&](auto status) { on_update(self, driver, status); };
      h.error = [&](const std::string&) {
        self->state.done(self->state.result);
        self->quit();
      };
      dispatch(event, h);
    },
    [=](reconcile_atom, const caf::actor& driver) { reconcile(self, driver, false); },
  };
}

} // namespace

void spawn_launch_n(caf::actor_system& sys, scheduler_call_sink master, launch_n_config config,
                    tally_callback done) {
  driver_options options;
  options.framework_info = make_wire<schema::FrameworkInfo>([&](schema::FrameworkInfo::Builder i) {
    i.setName(config.name);
    i.setUser("root");
    i.initRoles(1).set(0, config.role);
    i.initCapabilities(1)[0].setType(schema::FrameworkInfo::Capability::Type::MULTI_ROLE);
  });
  options.master_addresses = config.master_addresses;
  auto framework = sys.spawn(launch_n, std::move(config), std::move(done));
  spawn_driver(sys, std::move(options), std::move(master),
               caf::actor_cast<scheduler_sink>(framework));
}

} // namespace cairn::examples
