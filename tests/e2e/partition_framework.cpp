// A long-running framework for end-to-end tests: launches K long tasks on each
// of N agents and prints every event as one JSON line, so a test can follow
// what it sees. Started again with --framework-id it takes over that
// framework (failover) and reconciles instead of launching.
#include <iostream>
#include <map>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/resources/convert.hpp"
#include "actors/resources/parse.hpp"
#include "actors/scheduler/calls.hpp"
#include "actors/scheduler/driver.hpp"
#include "actors/task_state.hpp"
#include "runtime/connector.hpp"
#include "runtime/json.hpp"
#include "runtime/log.hpp"
#include "runtime/system.hpp"

using namespace cairn;

namespace {

struct options {
  std::string masters = "127.0.0.1:5050";
  std::string framework_id;
  size_t agents = 2;
  size_t tasks_per_agent = 2;
  double failover_timeout = 60;
  bool partition_aware = false;
  std::string command = "sleep 3600";
};

struct state {
  static inline const char* name = "partition-framework";
  options opts;
  std::string framework_id;
  std::map<std::string, size_t> launched;  // per agent
  size_t total = 0;
  bool resuming = false;
};

void print(const std::string& line) {
  std::cout << line << std::endl;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s)
    out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  return out + "\"";
}

caf::behavior framework(caf::stateful_actor<state>* self, options opts) {
  self->state.opts = std::move(opts);
  self->state.resuming = !self->state.opts.framework_id.empty();
  return {[=](const scheduler_event& event) {
    auto& st = self->state;
    auto driver = caf::actor_cast<caf::actor>(self->current_sender());
    scheduler_handlers h;
    h.subscribed = [&](const std::string& id) {
      st.framework_id = id;
      print("{\"event\":\"subscribed\",\"framework_id\":" + quoted(id) + "}");
      if (st.resuming)
        self->send(driver, calls::reconcile(id, {}));
    };
    h.offers = [&](capnp::List<schema::Offer>::Reader offers) {
      auto task_res = parse_resources("cpus:0.1;mem:16").value();
      for (auto offer : offers) {
        std::string agent = offer.getAgentId().getValue();
        auto left = read_resources(offer.getResources()).value().unallocated();
        std::vector<task_spec> tasks;
        while (!st.resuming && st.total < st.opts.agents * st.opts.tasks_per_agent
               && st.launched[agent] < st.opts.tasks_per_agent && left.contains(task_res)) {
          task_spec t;
          t.id = "task-" + std::to_string(st.total++);
          t.shell_command = st.opts.command;
          t.res = task_res;
          left -= task_res;
          ++st.launched[agent];
          tasks.push_back(std::move(t));
        }
        if (tasks.empty())
          self->send(driver, calls::decline(st.framework_id, {offer.getId().getValue()}, 1));
        else
          self->send(driver, calls::launch(st.framework_id, {offer.getId().getValue()}, tasks, 1));
      }
    };
    h.update = [&](schema::TaskStatus::Reader s) {
      print(std::string("{\"event\":\"update\",\"task\":") + quoted(s.getTaskId().getValue())
            + ",\"state\":" + quoted(state_name(s.getState()))
            + ",\"reason\":" + quoted(reason_name(s.getReason()))
            + ",\"agent\":" + quoted(s.getAgentId().getValue())
            + ",\"message\":" + quoted(s.getMessage()) + "}");
    };
    h.error = [&](const std::string& message) {
      print("{\"event\":\"error\",\"message\":" + quoted(message) + "}");
    };
    dispatch(event, h);
  }};
}

} // namespace

int main(int argc, char** argv) {
  options opts;
  CLI::App app{"A long-running test framework that prints its events as JSON lines"};
  app.add_option("--master", opts.masters, "Masters' HTTP addresses");
  app.add_option("--framework-id", opts.framework_id, "Take over this framework");
  app.add_option("--agents", opts.agents, "Agents to spread tasks over");
  app.add_option("--tasks-per-agent", opts.tasks_per_agent, "Tasks on each agent");
  app.add_option("--failover-timeout", opts.failover_timeout, "Seconds");
  app.add_flag("--partition-aware", opts.partition_aware, "Ask for PARTITION_AWARE");
  app.add_option("--command", opts.command, "Command of each task");
  CLI11_PARSE(app, argc, argv);
  setup_logging("WARNING");
  system_config cfg;
  caf::actor_system sys{cfg};
  driver_options d;
  d.master_addresses = split_addresses(opts.masters);
  d.framework_info = make_wire<schema::FrameworkInfo>([&](schema::FrameworkInfo::Builder i) {
    i.setName("partition-test");
    i.setUser("root");
    i.setFailoverTimeout(opts.failover_timeout);
    if (!opts.framework_id.empty())
      i.initId().setValue(opts.framework_id);
    if (opts.partition_aware)
      i.initCapabilities(1)[0].setType(schema::FrameworkInfo::Capability::Type::PARTITION_AWARE);
  });
  auto f = sys.spawn(framework, opts);
  spawn_driver(sys, std::move(d), scheduler_call_sink{}, caf::actor_cast<scheduler_sink>(f));
  sys.await_all_actors_done();
  return 0;
}
