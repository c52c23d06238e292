#include "actors/agent/docker_containerizer.hpp"

#include <deque>
#include <unordered_map>
#include <unordered_set>

#include <caf/blocking_actor.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/response_promise.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/docker/engine.hpp"
#include "actors/docker/handover.hpp"
#include "actors/resources/convert.hpp"
#include "runtime/duration.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

using Config = schema::containerizer::ContainerConfig;
using Termination = schema::containerizer::Termination;
using prepared_atom = caf::atom_constant<caf::atom("dkprepare")>;
using pulled_atom = caf::atom_constant<caf::atom("dkpulled")>;
using remove_atom = caf::atom_constant<caf::atom("dkremove")>;

using docker_impl = containerizer_actor::extend<
  // A container is created and started, or why not, or its image is
  // missing (container id, "" or why, whether the image is missing).
  caf::reacts_to<prepared_atom, std::string, std::string, bool>,
  // An image is pulled, or why not (container id, "" or why).
  caf::reacts_to<pulled_atom, std::string, std::string>,
  // Time to remove a stopped container (its name).
  caf::reacts_to<remove_atom, std::string>>;

// What a container needs before its executor watches it.
struct container_plan {
  std::string id;
  std::string name;
  std::string image;
  std::string create_body;  // POST /containers/create's, from docker::create_body
};

struct docker_container {
  std::string id;
  std::string name;
  bool preparing = false;  // queued, its image pulled, or the container created and started
  bool pulled = false;     // its image pulled for this launch
  bool queued = false;     // waiting for its turn to be created and started
  container_plan plan;     // while preparing
  bool destroyed = false;
  std::vector<caf::typed_response_promise<container_termination>> waiters;
  caf::typed_response_promise<int64_t> launched;
  std::optional<container_config> config;  // what the executor is launched with
};

struct docker_state {
  static inline const char* name = "docker-containerizer";
  docker_containerizer_options options;
  containerizer_actor processes;
  std::unordered_map<std::string, docker_container> containers;
  // Containers waiting to be created and started (their ids), and how
  // many are under way: at most options.launch_parallelism.
  std::deque<std::string> queued;
  size_t starting = 0;
};

using self_ptr = docker_impl::stateful_pointer<docker_state>;

container_termination termination(const std::string& message) {
  return make_wire<Termination>([&](Termination::Builder t) {
    t.setState(schema::TaskState::TASK_FAILED);
    t.setReason(schema::TaskStatus::Reason::CONTAINER_LAUNCH_FAILED);
    t.setMessage(message);
  });
}

// What the docker containerizer cannot run yet is refused, naming it.
caf::error refuse_unsupported(Config::Reader config) {
  if (!config.getHasTask())
    return make_error("ContainerInfo of type DOCKER on a custom executor is not supported yet");
  auto task = config.getTask();
  if (task.hasHealthCheck())
    return make_error("TaskInfo.health_check of a DOCKER task is not supported yet");
  if (task.hasCheck())
    return make_error("TaskInfo.check of a DOCKER task is not supported yet");
  return caf::none;
}

// The executor's config: a plain process (the mesos containerizer runs it)
// told through its environment which container to start.
container_config executor_config(Config::Reader config, const docker_containerizer_options& o,
                                 const std::string& name) {
  wire_builder<Config> b;
  b.message().setRoot(config);
  auto c = b.message().getRoot<Config>();
  c.setHasContainer(false);
  c.disownContainer();
  auto env = c.getCommand().getEnvironment();
  std::vector<std::pair<std::string, std::string>> vars;
  for (auto v : env.getVariables())
    vars.emplace_back(v.getName().cStr(), v.getValue().cStr());
  vars.emplace_back(docker_socket_env, o.socket);
  vars.emplace_back(docker_container_env, name);
  auto list = env.initVariables(static_cast<unsigned>(vars.size()));
  for (unsigned i = 0; i < vars.size(); ++i) {
    list[i].setName(vars[i].first);
    list[i].setValue(vars[i].second);
  }
  return std::move(b).finish();
}

// Pulls the image; tells the containerizer how it went. Pulls are not
// counted among the launches under way: a large image does not hold up the
// containers of those already there.
void pull_image(caf::blocking_actor*, std::string socket, std::string id, std::string image,
                caf::duration timeout, caf::actor containerizer) {
  docker::engine engine(socket);
  auto err = engine.pull(image, std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::nanoseconds(timeout.count)));
  caf::anon_send(containerizer, pulled_atom::value, id, err ? error_message(err) : "");
}

// Creates and starts the container, before its executor is launched: the
// engine's start is the slow step of a launch, and begun by the executor it
// would wait on the executor's boot. Tells the containerizer how it went,
// or that the image is missing. The image is looked up only when a create
// fails: a present image costs the engine one call per container.
void prepare_container(caf::blocking_actor*, std::string socket, container_plan plan,
                       bool pulled, caf::actor containerizer) {
  docker::engine engine(socket);
  std::string failure;
  auto created = engine.create(plan.name, plan.create_body);
  if (!created) {
    // Missing, it is pulled and the create tried again; present, the
    // create failed for another reason, which is the one told.
    if (!pulled) {
      auto present = engine.has_image(plan.image);
      if (present && !*present) {
        caf::anon_send(containerizer, prepared_atom::value, plan.id, std::string(), true);
        return;
      }
    }
    failure = error_message(created.error());
  } else if (auto err = engine.start(plan.name)) {
    failure = error_message(err);
  }
  caf::anon_send(containerizer, prepared_atom::value, plan.id, failure, false);
}

// Stops what the executor left running (it was killed, or never got to
// it); a container created but never started (its start failed) has
// nothing to keep and goes at once.
void kill_container(caf::blocking_actor*, std::string socket, std::string name) {
  docker::engine engine(socket);
  auto state = engine.inspect(name);
  if (!state)
    return;
  if (state->status == "created") {
    if (auto err = engine.remove(name, true))
      logger("docker")->warn("cannot remove {}: {}", name, error_message(err));
  } else if (state->running) {
    if (auto err = engine.kill(name, "SIGKILL"))
      logger("docker")->warn("cannot kill {}: {}", name, error_message(err));
  }
}

void remove_container(caf::blocking_actor*, std::string socket, std::string name) {
  docker::engine engine(socket);
  if (auto err = engine.remove(name, true))
    logger("docker")->info("cannot remove {}: {}", name, error_message(err));
}

void forget(self_ptr self, const std::string& id, const container_termination& how) {
  auto i = self->state.containers.find(id);
  if (i == self->state.containers.end())
    return;
  auto name = i->second.name;
  for (auto& w : i->second.waiters)
    w.deliver(how);
  self->state.containers.erase(i);
  auto& o = self->state.options;
  self->spawn<caf::detached>(kill_container, o.socket, name);
  self->delayed_send(self, o.remove_delay, remove_atom::value, name);
}

// The executor ended (or could not start): its container goes with it.
void watch_executor(self_ptr self, const std::string& id) {
  self->request(self->state.processes, caf::infinite, container_wait_atom::value, id)
    .then([self, id](const container_termination& how) { forget(self, id, how); },
          [self, id](const caf::error& err) {
            forget(self, id, termination("Executor ended: " + error_message(err)));
          });
}

void prepared(self_ptr self, const std::string& id, const std::string& failure);

// Starts the queued containers while fewer than launch_parallelism are under
// way. A hundred starts at once keep the engine no busier than eight do, and
// each finishes later: its executor, and the task's TASK_RUNNING, wait longer.
void start_queued(self_ptr self) {
  auto& st = self->state;
  while (st.starting < st.options.launch_parallelism && !st.queued.empty()) {
    auto id = std::move(st.queued.front());
    st.queued.pop_front();
    auto i = st.containers.find(id);
    if (i == st.containers.end() || !i->second.queued)
      continue;
    i->second.queued = false;
    ++st.starting;
    self->spawn<caf::detached>(prepare_container, st.options.socket, i->second.plan,
                               i->second.pulled, caf::actor_cast<caf::actor>(self));
  }
}

void enqueue(self_ptr self, docker_container& c) {
  c.queued = true;
  self->state.queued.push_back(c.id);
  start_queued(self);
}

void pull(self_ptr self, docker_container& c) {
  c.pulled = true;
  self->spawn<caf::detached>(pull_image, self->state.options.socket, c.id, c.plan.image,
                             caf::duration{self->state.options.pull_timeout},
                             caf::actor_cast<caf::actor>(self));
}

void on_pulled(self_ptr self, const std::string& id, const std::string& failure) {
  auto i = self->state.containers.find(id);
  if (i == self->state.containers.end() || !i->second.preparing)
    return;
  if (!failure.empty() || i->second.destroyed)
    prepared(self, id, failure);
  else
    enqueue(self, i->second);
}

void on_prepared(self_ptr self, const std::string& id, const std::string& failure,
                 bool image_missing) {
  auto& st = self->state;
  --st.starting;
  start_queued(self);
  auto i = st.containers.find(id);
  if (i == st.containers.end() || !i->second.preparing)
    return;
  if (image_missing && !i->second.destroyed)
    pull(self, i->second);
  else
    prepared(self, id, failure);
}

// The container is created and started, or it never will be: the executor
// is launched, or the launch fails.
void prepared(self_ptr self, const std::string& id, const std::string& failure) {
  auto& st = self->state;
  auto i = st.containers.find(id);
  if (i == st.containers.end() || !i->second.preparing)
    return;
  auto& c = i->second;
  c.preparing = false;
  c.plan = {};
  std::string why = c.destroyed ? "Container was destroyed while it was prepared" : failure;
  if (!why.empty()) {
    c.launched.deliver(make_error(why));
    forget(self, id, termination("Failed to launch container: " + why));
    return;
  }
  // Debug lines that mark the steps of a launch (tests/bench/docker_breakdown.py).
  logger("docker")->debug("container {}: created", id);
  auto config = std::move(*c.config);
  c.config.reset();
  auto promise = c.launched;
  self->request(st.processes, caf::infinite, container_launch_atom::value, config)
    .then([promise, id](int64_t pid) mutable {
            logger("docker")->debug("container {}: executor started (pid {})", id, pid);
            promise.deliver(pid);
          },
          [promise](const caf::error& err) mutable { promise.deliver(err); });
  // Right behind the launch, so that the executor's end is never missed.
  watch_executor(self, id);
}

caf::result<int64_t> launch(self_ptr self, const container_config& msg) {
  auto& st = self->state;
  auto config = *msg;
  std::string id = config.getContainerId();
  if (id.empty() || st.containers.count(id) > 0)
    return make_error("container '" + id + "' exists already or has no id");
  if (!config.getHasContainer() ||
      config.getContainer().getType() != schema::ContainerInfo::Type::DOCKER)
    return make_error("the docker containerizer runs only containers of type DOCKER");
  if (auto err = refuse_unsupported(config))
    return err;
  auto res = read_resources(config.getResources());
  if (!res)
    return res.error();
  auto options = docker::make_run_options(id, config.getDirectory(), config.getContainer(),
                                          config.getTask().getCommand(), *res,
                                          st.options.mapping);
  if (!options)
    return options.error();
  docker_container c;
  c.id = id;
  c.name = options->name;
  c.preparing = true;
  c.config = executor_config(config, st.options, options->name);
  c.launched = self->make_response_promise<int64_t>();
  c.plan = {id, options->name, options->image, docker::create_body(*options)};
  auto promise = c.launched;
  auto& added = st.containers.emplace(id, std::move(c)).first->second;
  if (options->force_pull)
    pull(self, added);
  else
    enqueue(self, added);
  return promise;
}

bool is_docker(schema::containerizer::ContainerConfig::Reader config) {
  return config.getHasContainer() &&
         config.getContainer().getType() == schema::ContainerInfo::Type::DOCKER;
}

// After an agent restart: the executors' processes were recovered by the
// process containerizer; here the containers of the checkpointed DOCKER
// tasks are watched again, and the mesos- containers no checkpoint names
// are orphans, removed unless --no-docker_kill_orphans. The stopped
// container of a run that ended before the restart lost its removal timer
// with the agent: it is removed --docker_remove_delay from now.
void list_orphans(caf::blocking_actor*, std::string socket, std::unordered_set<std::string> known,
                  std::unordered_set<std::string> ended, bool kill, duration remove_delay,
                  caf::actor containerizer) {
  docker::engine engine(socket);
  auto names = engine.names_with_prefix(docker::name_prefix);
  if (!names) {
    logger("docker")->warn("cannot list containers for recovery: {}",
                           error_message(names.error()));
    return;
  }
  for (const auto& name : *names) {
    if (known.count(name) > 0)
      continue;
    if (ended.count(name) > 0) {
      logger("docker")->info("container {} of an ended run is removed in {}", name,
                             format_duration(remove_delay));
      caf::delayed_anon_send(containerizer, remove_delay, remove_atom::value, name);
      continue;
    }
    if (!kill) {
      logger("docker")->info("keeping orphan container {} (--no-docker_kill_orphans)", name);
      continue;
    }
    logger("docker")->info("removing orphan container {}", name);
    if (auto err = engine.remove(name, true))
      logger("docker")->warn("cannot remove {}: {}", name, error_message(err));
  }
}

bool recover(self_ptr self, schema::containerizer::RecoverState::Reader state) {
  auto& st = self->state;
  std::unordered_set<std::string> known;
  for (auto r : state.getContainers()) {
    if (!is_docker(r.getConfig()))
      continue;
    std::string id = r.getContainerId();
    if (id.empty() || st.containers.count(id) > 0)
      continue;
    docker_container c;
    c.id = id;
    c.name = docker::name_prefix + id;
    known.insert(c.name);
    st.containers.emplace(id, std::move(c));
    watch_executor(self, id);
  }
  std::unordered_set<std::string> ended;
  for (auto r : state.getEnded()) {
    std::string id = r.getContainerId();
    if (is_docker(r.getConfig()) && !id.empty() && st.containers.count(id) == 0)
      ended.insert(docker::name_prefix + id);
  }
  self->spawn<caf::detached>(list_orphans, st.options.socket, std::move(known), std::move(ended),
                             st.options.kill_orphans, st.options.remove_delay,
                             caf::actor_cast<caf::actor>(self));
  return true;
}

docker_impl::behavior_type docker_containerizer(self_ptr self,
                                                docker_containerizer_options options,
                                                containerizer_actor processes) {
  self->state.options = std::move(options);
  self->state.processes = std::move(processes);
  return {
    [=](container_launch_atom, const container_config& msg) { return launch(self, msg); },
    [=](prepared_atom, const std::string& id, const std::string& failure,
        bool image_missing) { on_prepared(self, id, failure, image_missing); },
    [=](pulled_atom, const std::string& id, const std::string& failure) {
      on_pulled(self, id, failure);
    },
    [=](container_wait_atom, const std::string& id) -> caf::result<container_termination> {
      auto i = self->state.containers.find(id);
      if (i == self->state.containers.end())
        return make_error("unknown container '" + id + "'", caf::sec::invalid_argument);
      auto promise = self->make_response_promise<container_termination>();
      i->second.waiters.push_back(promise);
      return promise;
    },
    [=](container_update_atom, const container_config& msg) {
      return self->delegate(self->state.processes, container_update_atom::value, msg);
    },
    [=](container_usage_atom, const std::string& id) {
      return self->delegate(self->state.processes, container_usage_atom::value, id);
    },
    [=](container_destroy_atom, const std::string& id) -> caf::result<bool> {
      auto i = self->state.containers.find(id);
      if (i == self->state.containers.end())
        return false;
      if (i->second.preparing) {
        // Under way, it ends when the engine has answered; still queued,
        // it ends now.
        i->second.destroyed = true;
        if (i->second.queued) {
          i->second.queued = false;
          prepared(self, id, "");
        }
        return true;
      }
      // The executor may be killed before it stops its container.
      self->spawn<caf::detached>(kill_container, self->state.options.socket, i->second.name);
      return self->delegate(self->state.processes, container_destroy_atom::value, id);
    },
    [=](container_limitation_atom, const std::string& id) {
      return self->delegate(self->state.processes, container_limitation_atom::value, id);
    },
    [=](container_recover_atom, const container_recovery& state) -> caf::result<bool> {
      return recover(self, *state);
    },
    [=](remove_atom, const std::string& name) {
      self->spawn<caf::detached>(remove_container, self->state.options.socket, name);
    },
  };
}

} // namespace

bool wants_docker(const container_config& config) {
  return is_docker(*config);
}

containerizer_actor spawn_docker_containerizer(caf::actor_system& sys,
                                               docker_containerizer_options options,
                                               containerizer_actor processes) {
  return caf::actor_cast<containerizer_actor>(
    sys.spawn(docker_containerizer, std::move(options), std::move(processes)));
}

} // namespace cairn
