// `cairn execute`: a framework in its own process that launches one task
// (from its flags, or a whole TaskInfo with --task, as mesos-execute takes it),
// prints each status update as it arrives (with --json, one JSON object a
// line), and exits 0 on TASK_FINISHED (as mesos-execute does). It refuses at
// once a task no agent could ever hold. Given several masters it follows the
// leading one through failovers and ends only with its task.
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <fmt/format.h>

#include "actors/cli/commands.hpp"
#include "actors/master/master.hpp"
#include "actors/resources/convert.hpp"
#include "actors/scheduler/calls.hpp"
#include "actors/scheduler/driver.hpp"
#include "actors/scheduler/launch_book.hpp"
#include "actors/task_state.hpp"
#include "runtime/connect.hpp"
#include "runtime/connector.hpp"
#include "runtime/errors.hpp"
#include "runtime/flags.hpp"
#include "runtime/json.hpp"
#include "runtime/log.hpp"
#include "runtime/system.hpp"
#include "schema/operator.capnp.h"

namespace cairn {

namespace {

// How long to look for a leading master before giving up: masters that were
// just started elect one within seconds.
constexpr auto master_wait = std::chrono::seconds(10);

struct execute_flags {
  std::string master = "127.0.0.1:5050";
  std::string name;
  std::string command;
  std::string resources = "cpus:0.1;mem:32";
  std::string role = "*";
  std::string user;
  duration agent_wait = std::chrono::seconds(30);
  bool json = false;
  std::string task;                  // a TaskInfo as JSON, or a file holding one
  std::string health_check_command;  // a COMMAND health check with Mesos' defaults
  bool partition_aware = false;
  // As mesos-execute's; beyond it, the Docker network and one port mapping.
  std::string docker_image;
  std::string containerizer = "mesos";
  std::string network = "host";
  std::string port_mapping;  // HOST:CONTAINER
  bool checkpoint = false;  // FrameworkInfo.checkpoint: the task outlives an agent restart
};

struct execute_state {
  static inline const char* name = "execute";
  task_spec task;
  bool json = false; // updates as JSON lines instead of "STATE REASON message"
  std::string framework_id;
  std::string role;
  bool launched = false;
  launch_book book;  // to reconcile after a master failover
  std::shared_ptr<std::atomic<int>> exit_code;
};

using reconcile_atom = caf::atom_constant<caf::atom("reconcile")>;

// Prints "TASK_FAILED REASON_X message": the state, then what explains it,
// then the health and check result it reports.
std::string describe(schema::TaskStatus::Reader s) {
  std::string line = state_name(s.getState());
  if (s.getReason() != schema::TaskStatus::Reason::NONE)
    line += std::string(" ") + reason_name(s.getReason());
  if (s.getMessage().size() > 0)
    line += std::string(" ") + s.getMessage().cStr();
  if (s.getHealthy() != schema::TaskStatus::Health::UNKNOWN)
    line += s.getHealthy() == schema::TaskStatus::Health::HEALTHY ? " healthy=true"
                                                                  : " healthy=false";
  if (s.getReason() == schema::TaskStatus::Reason::TASK_CHECK_STATUS_UPDATED)
    line += " check_status=" + to_json(s.getCheckStatus());
  return line;
}

void on_offers(caf::stateful_actor<execute_state>* self, caf::actor driver,
               capnp::List<schema::Offer>::Reader offers) {
  auto& st = self->state;
  std::vector<std::string> decline;
  for (auto offer : offers) {
    std::string id = offer.getId().getValue();
    auto res = read_resources(offer.getResources());
    if (!st.launched && res && res->unallocated().contains(st.task.res)) {
      st.launched = true;
      st.book.launched(st.task.id, offer.getAgentId().getValue());
      self->send(driver, calls::launch(st.framework_id, {id}, {st.task}));
      self->send(driver, calls::suppress(st.framework_id));
      continue;
    }
    decline.push_back(id);
  }
  if (!decline.empty())
    self->send(driver, calls::decline(st.framework_id, decline, st.launched ? 3600 : 5));
}

// After subscribing again (the master failed over), asks the master about
// the task, and again while it holds its answer (the book says when).
void reconcile(caf::stateful_actor<execute_state>* self, caf::actor driver, bool first) {
  auto& st = self->state;
  auto q = st.book.ask(first);
  if (q.tasks.empty())
    return;
  self->send(driver, calls::reconcile(st.framework_id, q.tasks));
  self->delayed_send(self, q.ask_again_after, reconcile_atom::value, driver);
}

caf::behavior execute_framework(caf::stateful_actor<execute_state>* self, task_spec task,
                                bool json, std::shared_ptr<std::atomic<int>> exit_code) {
  self->state.task = std::move(task);
  self->state.json = json;
  self->state.exit_code = std::move(exit_code);
  return {
    [=](const scheduler_event& event) {
      // Events come from the driver; calls go back to it.
      auto driver = caf::actor_cast<caf::actor>(self->current_sender());
      auto& st = self->state;
      scheduler_handlers h;
      h.subscribed = [&](const std::string& id) {
        bool again = !st.framework_id.empty();
        st.framework_id = id;
        if (again)
          reconcile(self, driver, true);
      };
      h.offers = [&](auto offers) { on_offers(self, driver, offers); };
      h.update = [&](schema::TaskStatus::Reader s) {
        switch (st.book.heard(s)) {
          case launch_book::verdict::repeat:
            return;
          case launch_book::verdict::lost_launch:
            // It never reached an agent: launch it again, on a new offer.
            std::cerr << "the launch was lost with the master; launching again" << std::endl;
            st.launched = false;
            self->send(driver, calls::revive(st.framework_id));
            return;
          case launch_book::verdict::news:
            break;
        }
        std::cout << (st.json ? to_json(s) : describe(s)) << std::endl;
        if (!is_terminal(s.getState()))
          return;
        st.exit_code->store(s.getState() == schema::TaskState::TASK_FINISHED ? 0 : 1);
        self->send(driver, calls::teardown(st.framework_id));
        self->quit();
      };
      h.error = [&](const std::string& message) {
        std::cerr << "error: " << message << std::endl;
        st.exit_code->store(1);
        self->quit();
      };
      dispatch(event, h);
    },
    [=](reconcile_atom, const caf::actor& driver) { reconcile(self, driver, false); },
  };
}

// Asks the master for its agents until there are some; says whether any could
// ever hold `need` for `role`.
caf::expected<bool> fits_some_agent(caf::actor_system& sys, const master_actor& master,
                                    const resources& need, const std::string& role,
                                    duration agent_wait, std::string& largest) {
  caf::scoped_actor self{sys};
  constexpr auto pause = std::chrono::milliseconds(500);
  for (auto attempts = agent_wait / pause;; --attempts) {
    caf::expected<bool> result = make_error("the master did not answer");
    bool any = false;
    self->request(master, std::chrono::seconds(10), make_wire<schema::operator_api::Call>([](auto c) {
                    c.setType(schema::operator_api::Call::Type::GET_AGENTS);
                  }))
      .receive(
        [&](const operator_response& r) {
          bool fits = false;
          for (auto a : r->getGetAgents().getAgents()) {
            any = true;
            auto total = read_resources(a.getTotalResources());
            if (!total)
              continue;
            auto usable = total->usable_by(role);
            if (usable.contains(need))
              fits = true;
            largest = usable.to_string();
          }
          result = fits;
        },
        [&](caf::error& err) { result = make_error("the master did not answer: " + sys.render(err)); });
    if (!result || any || attempts <= 0)
      return any || !result ? result : caf::expected<bool>{make_error("the cluster has no agents")};
    self->receive(caf::after(pause) >> [] {}); // no agents yet: look again
  }
}

// `--task`: the JSON itself when it starts with '{', else a file holding it.
caf::expected<wire<schema::TaskInfo>> read_task(const std::string& given) {
  auto first = given.find_first_not_of(" \t\r\n");
  std::string text = given;
  if (first == std::string::npos || given[first] != '{') {
    std::ifstream in(given, std::ios::binary);
    if (!in)
      return make_error("cannot read " + given + ": " + std::strerror(errno));
    std::ostringstream all;
    all << in.rdbuf();
    text = all.str();
  }
  auto info = from_json<schema::TaskInfo>(text);
  if (!info)
    return info.error();
  if ((*info)->getTaskId().getValue().size() == 0)
    return make_error("the TaskInfo has no task_id");
  if ((*info)->getResources().size() == 0)
    return make_error("the TaskInfo has no resources");
  return info;
}

// The task from the flags: --task as it is, or --name, --command,
// --resources and --health-check-command. Prints why not and returns nothing.
std::optional<task_spec> task_of(const execute_flags& f) {
  task_spec task;
  if (!f.task.empty()) {
    if (!f.command.empty() || !f.health_check_command.empty()) {
      std::cerr << "cairn execute: --task carries the whole task: give it without --command "
                   "or --health-check-command" << std::endl;
      return std::nullopt;
    }
    auto info = read_task(f.task);
    if (!info) {
      std::cerr << "cairn execute: --task: " << error_message(info.error()) << std::endl;
      return std::nullopt;
    }
    auto res = read_resources((*info)->getResources());
    if (!res) {
      std::cerr << "cairn execute: --task: resources: " << error_message(res.error()) << std::endl;
      return std::nullopt;
    }
    task.id = (*info)->getTaskId().getValue();
    task.name = (*info)->getName();
    task.res = *res;
    task.info = std::move(*info);
    return task;
  }
  auto need = parse_resources(f.resources);
  if (!need) {
    std::cerr << "cairn execute: --resources: " << error_message(need.error()) << std::endl;
    return std::nullopt;
  }
  if (f.name.empty() || f.command.empty()) {
    std::cerr << "cairn execute: --name and --command are required (or --task)" << std::endl;
    return std::nullopt;
  }
  task.id = f.name;
  task.name = f.name;
  task.shell_command = f.command;
  task.res = *need;
  if (!f.health_check_command.empty())
    task.health_check = make_wire<schema::HealthCheck>([&](schema::HealthCheck::Builder h) {
      h.setType(schema::HealthCheck::Type::COMMAND);
      h.initCommand().setShell(true);
      h.getCommand().setValue(f.health_check_command);
    });
  return task;
}

// --docker_image and what goes with it: a DOCKER container (--containerizer
// docker) or a Docker image for the mesos containerizer, a network, and a
// port mapping whose host port joins the task's resources.
caf::error add_container(const execute_flags& f, task_spec& task) {
  bool docker = f.containerizer == "docker";
  if (!docker && f.containerizer != "mesos")
    return make_error("--containerizer must be mesos or docker, not '" + f.containerizer + "'");
  if (docker && f.docker_image.empty())
    return make_error("--containerizer=docker needs --docker_image");
  if (!docker && (f.network != "host" || !f.port_mapping.empty()))
    return make_error("--network and --port_mapping need --containerizer=docker");
  using Network = schema::ContainerInfo::DockerInfo::Network;
  Network network;
  if (f.network == "host")
    network = Network::HOST;
  else if (f.network == "bridge")
    network = Network::BRIDGE;
  else if (f.network == "none")
    network = Network::NONE;
  else
    return make_error("--network must be host, bridge or none, not '" + f.network + "'");
  unsigned host_port = 0, container_port = 0;
  if (!f.port_mapping.empty()) {
    char extra = 0;
    if (std::sscanf(f.port_mapping.c_str(), "%u:%u%c", &host_port, &container_port, &extra) != 2
        || host_port == 0 || host_port > 65535 || container_port == 0 || container_port > 65535)
      return make_error("--port_mapping must be HOST:CONTAINER, not '" + f.port_mapping + "'");
    auto port = parse_resources("ports:[" + std::to_string(host_port) + "-" +
                                std::to_string(host_port) + "]");
    if (!port)
      return port.error();
    task.res += *port;
  }
  if (f.docker_image.empty())
    return caf::none;
  task.container = make_wire<schema::ContainerInfo>([&](schema::ContainerInfo::Builder c) {
    if (!docker) {
      c.setType(schema::ContainerInfo::Type::MESOS);
      auto image = c.initMesos().initImage();
      image.setType(schema::Image::Type::DOCKER);
      image.initDocker().setName(f.docker_image);
      return;
    }
    c.setType(schema::ContainerInfo::Type::DOCKER);
    auto d = c.initDocker();
    d.setImage(f.docker_image);
    d.setNetwork(network);
    if (host_port > 0) {
      auto m = d.initPortMappings(1)[0];
      m.setHostPort(host_port);
      m.setContainerPort(container_port);
      m.setProtocol("tcp");
    }
  });
  return caf::none;
}

int run_execute(const execute_flags& f) {
  setup_logging("WARNING");
  auto task = task_of(f);
  if (!task)
    return 2;
  if (!f.task.empty() && (!f.docker_image.empty() || f.containerizer != "mesos"))
    return std::cerr << "cairn execute: --task carries the whole task: give its container "
                        "there, not with --docker_image or --containerizer" << std::endl, 2;
  if (auto err = add_container(f, *task))
    return std::cerr << "cairn execute: " << error_message(err) << std::endl, 2;
  auto need = &task->res;
  auto addresses = parse_address_list(f.master, default_master_port);
  if (!addresses)
    return std::cerr << "cairn execute: --master: " << error_message(addresses.error())
                     << std::endl, 2;
  system_config cfg;
  caf::actor_system sys{cfg};
  auto master = connect_within<master_actor>(sys, *addresses, master_wait);
  if (!master)
    return std::cerr << "cairn execute: cannot reach the master at " << f.master << ": "
                     << error_message(master.error()) << std::endl,
           1;
  std::string largest;
  auto fits = fits_some_agent(sys, *master, *need, f.role, f.agent_wait, largest);
  if (!fits)
    return std::cerr << "cairn execute: " << error_message(fits.error()) << std::endl, 1;
  if (!*fits) {
    std::cerr << "cairn execute: no agent can ever fit " << need->to_string()
              << " for role " << f.role << " (an agent offers at most " << largest << ")"
              << std::endl;
    return 1;
  }
  auto exit_code = std::make_shared<std::atomic<int>>(1);
  auto framework = sys.spawn(execute_framework, *task, f.json, exit_code);
  driver_options options;
  options.framework_info = make_wire<schema::FrameworkInfo>([&](schema::FrameworkInfo::Builder i) {
    i.setName("cairn-execute");
    i.setUser(f.user.empty() ? (getenv("USER") ? getenv("USER") : "root") : f.user);
    i.initRoles(1).set(0, f.role);
    i.setCheckpoint(f.checkpoint);
    using Capability = schema::FrameworkInfo::Capability::Type;
    auto capabilities = i.initCapabilities(f.partition_aware ? 2 : 1);
    capabilities[0].setType(Capability::MULTI_ROLE);
    if (f.partition_aware)
      capabilities[1].setType(Capability::PARTITION_AWARE);
  });
  // Given every master, the driver follows the leader when this one dies and
  // subscribes again as the same framework; the task runs on meanwhile.
  options.master_addresses = *addresses;
  spawn_driver(sys, std::move(options), caf::actor_cast<scheduler_call_sink>(*master),
               caf::actor_cast<scheduler_sink>(framework));
  sys.await_all_actors_done();
  return exit_code->load();
}

} // namespace

command add_execute_command(CLI::App& parent) {
  auto f = std::make_shared<execute_flags>();
  auto* app = parent.add_subcommand("execute", "Run one task on a cluster, like mesos-execute");
  add_flag(*app, "master", f->master, "The masters' HTTP addresses, HOST:PORT[,HOST:PORT...]");
  add_flag(*app, "name", f->name, "Task name (and id); required without --task");
  add_flag(*app, "command", f->command, "Shell command to run; required without --task");
  add_flag(*app, "task", f->task,
           "The task as a TaskInfo in Mesos' JSON, or a file holding it (as mesos-execute's "
           "--task; its agent_id is ignored)");
  add_flag(*app, "health-check-command", f->health_check_command,
           "A shell command that checks the task's health (exit 0: healthy), with Mesos' "
           "defaults: after 15 s, every 10 s, 20 s timeout, 10 s grace, killed after 3 failures");
  add_bool_flag(*app, "partition-aware", f->partition_aware,
                "Subscribe as a PARTITION_AWARE framework");
  add_bool_flag(*app, "checkpoint", f->checkpoint,
                "Ask agents to checkpoint the task (FrameworkInfo.checkpoint), so that it "
                "survives an agent restart");
  add_flag(*app, "resources", f->resources, "Resources the task needs");
  add_flag(*app, "docker-image", f->docker_image,
           "Run the command in this Docker image (with --containerizer docker)");
  add_flag(*app, "containerizer", f->containerizer,
           "mesos or docker: which containerizer runs --docker_image");
  add_flag(*app, "network", f->network,
           "The Docker network: host, bridge or none (--containerizer docker)");
  add_flag(*app, "port-mapping", f->port_mapping,
           "HOST:CONTAINER: a Docker port mapping with bridge; HOST joins the task's ports");
  add_flag(*app, "role", f->role, "Role to run in");
  add_flag(*app, "user", f->user, "User the framework runs as");
  add_duration_flag(*app, "agent-wait", f->agent_wait,
                    "How long to wait for the cluster's first agent");
  add_bool_flag(*app, "json", f->json, "Print each status update as one line of JSON");
  return {app, [f] { return run_execute(*f); }};
}

} // namespace cairn
