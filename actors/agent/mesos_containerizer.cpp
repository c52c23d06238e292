#include "actors/agent/mesos_containerizer.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <unordered_map>

#include <caf/event_based_actor.hpp>
#include <caf/response_promise.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/agent/fetcher.hpp"
#include "actors/docker/handover.hpp"
#include "actors/docker/image_command.hpp"
#include "actors/resources/convert.hpp"
#include "actors/command_line.hpp"
#include "runtime/clock.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "runtime/process.hpp"

namespace cairn {

namespace {

using Config = schema::containerizer::ContainerConfig;
using Termination = schema::containerizer::Termination;
using Reason = schema::TaskStatus::Reason;
using tick_atom = caf::atom_constant<caf::atom("cntick")>;
using fetched_atom = caf::atom_constant<caf::atom("cnfetched")>;
using provisioned_atom = caf::atom_constant<caf::atom("cnprovisd")>;

// The interface, its own poll timer, a fetch's end (container id, the
// failure or ""), and a provisioned image (container id, the failure or "",
// its rootfs, the launch merged for it).
using containerizer_impl = containerizer_actor::extend<
  caf::reacts_to<tick_atom>, caf::reacts_to<fetched_atom, std::string, std::string>,
  caf::reacts_to<provisioned_atom, std::string, std::string, std::string, std::string>>;

struct container {
  std::string id;
  pid_t pid = 0;
  bool child = true;  // ours to reap; false: recovered, watched for liveness
  container_limits limits;
  std::vector<caf::response_promise> waiters;
  std::optional<int> status;          // its first process's wait status
  std::optional<limitation> limit;    // why it is being destroyed, if a limit
  bool destroying = false;
  // While its URIs are fetched: no process yet; launch answers afterwards.
  bool fetching = false;
  bool provisioning = false;  // its image first, then its URIs
  std::optional<container_config> config;
  caf::typed_response_promise<int64_t> launched;
};

struct containerizer_state {
  static inline const char* name = "mesos-containerizer";
  mesos_containerizer_options options;
  std::shared_ptr<containerizer_plugins> plugins;
  std::unordered_map<std::string, container> containers;
  bool ticking = false;
  std::shared_ptr<fetcher_cache> cache;  // made with the first agent id seen

  // Containers never outlive the containerizer that runs them in this shape.
  // Done here: CAF destroys an actor's state when it ends, before functors
  // attached to it run.
  ~containerizer_state();
};

using self_ptr = containerizer_impl::stateful_pointer<containerizer_state>;

// The user a container runs as, with its groups.
struct user_ids {
  uid_t uid;
  gid_t gid;
  std::vector<gid_t> groups;
};

caf::expected<user_ids> lookup_user(const std::string& name) {
  std::vector<char> buffer(16384);
  passwd pw{};
  passwd* found = nullptr;
  int rc = getpwnam_r(name.c_str(), &pw, buffer.data(), buffer.size(), &found);
  if (rc != 0 || found == nullptr)
    return make_error("Failed to get user information for '" + name + "'" +
                      (rc != 0 ? std::string(": ") + strerror(rc) : ": no such user"));
  user_ids ids{pw.pw_uid, pw.pw_gid, {}};
  int count = 64;
  ids.groups.resize(static_cast<size_t>(count));
  if (getgrouplist(name.c_str(), pw.pw_gid, ids.groups.data(), &count) < 0) {
    ids.groups.resize(static_cast<size_t>(count));
    getgrouplist(name.c_str(), pw.pw_gid, ids.groups.data(), &count);
  }
  ids.groups.resize(static_cast<size_t>(std::max(count, 0)));
  return ids;
}

bool wants_image(Config::Reader config) {
  return config.getHasContainer() && config.getContainer().hasMesos() &&
         config.getContainer().getMesos().hasImage();
}

// What cairn cannot do for a container yet is refused, naming it.
caf::error refuse_unsupported(Config::Reader config, bool images) {
  if (config.getHasContainer()) {
    auto info = config.getContainer();
    if (info.getType() == schema::ContainerInfo::Type::DOCKER)
      return make_error("ContainerInfo of type DOCKER needs the docker containerizer "
                        "(--containerizers=docker,mesos)");
    if (wants_image(config)) {
      auto image = info.getMesos().getImage();
      if (image.getType() != schema::Image::Type::DOCKER)
        return make_error("ContainerInfo.mesos.image of type APPC is not supported yet");
      if (!images)
        return make_error("ContainerInfo.mesos.image (a Docker image) needs an agent started "
                          "with --image_providers=docker");
      if (!config.getHasTask())
        return make_error("ContainerInfo.mesos.image on a custom executor is not supported "
                          "yet");
      if (info.getNetworkInfos().size() > 0)
        return make_error("ContainerInfo.network_infos (CNI networks) is not supported yet");
      // The executor runs probes on the host: a command would not see the image.
      auto task = config.getTask();
      if (task.hasHealthCheck() &&
          task.getHealthCheck().getType() == schema::HealthCheck::Type::COMMAND)
        return make_error("TaskInfo.health_check of type COMMAND in a Docker image is not "
                          "supported yet");
      if (task.hasCheck() && task.getCheck().getType() == schema::CheckInfo::Type::COMMAND)
        return make_error("TaskInfo.check of type COMMAND in a Docker image is not supported "
                          "yet");
    }
    if (info.getVolumes().size() > 0)
      return make_error("ContainerInfo.volumes is not supported yet");
  }
  return caf::none;
}

// Undoes what prepare did for a container that never ran.
void cleanup_all(containerizer_state& st, const std::string& id) {
  for (auto& iso : st.plugins->isolators)
    if (auto err = iso->cleanup(id))
      logger("containerizer")->warn("{}: cleanup of {}: {}", iso->name(), id, error_message(err));
}

// Prepares and starts the container; `pid` is set once its process runs
// (then an error leaves it to be destroyed as usual).
caf::error start(self_ptr self, Config::Reader config, const container_limits& limits,
                 pid_t& pid) {
  auto& st = self->state;
  std::string id = config.getContainerId();
  std::string dir = config.getDirectory();
  launch_plan plan;
  plan.argv = command_argv(config.getCommand());
  plan.env = command_environment(config.getCommand());
  plan.cwd = dir;
  plan.stdout_path = dir + "/stdout";
  plan.stderr_path = dir + "/stderr";
  std::string user = config.getUser();
  if (st.options.switch_user && !user.empty() && geteuid() == 0) {
    auto ids = lookup_user(user);
    if (!ids)
      return std::move(ids.error());
    plan.uid = ids->uid;
    plan.gid = ids->gid;
    plan.groups = ids->groups;
    // The sandbox and its output files belong to the container's user.
    for (const auto& path : {dir, plan.stdout_path, plan.stderr_path}) {
      if (path != dir)
        close(open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
      if (chown(path.c_str(), ids->uid, ids->gid) != 0)
        return make_error("cannot give " + path + " to user '" + user + "': " + strerror(errno));
    }
  }
  size_t prepared = 0;
  caf::error err;
  for (auto& iso : st.plugins->isolators) {
    if ((err = iso->prepare(id, limits, plan)))
      break;
    ++prepared;
  }
  if (!err)
    err = st.plugins->launch->prepare(id, plan);
  if (err) {
    cleanup_all(st, id);
    return err;
  }
  auto spawned = spawn_contained(plan);
  if (!spawned) {
    cleanup_all(st, id);
    return std::move(spawned.error());
  }
  pid = *spawned;
  for (auto& iso : st.plugins->isolators)
    if ((err = iso->isolate(id, pid)))
      return err;
  return caf::none;
}

container_termination termination_of(const container& c, const std::string& message) {
  return make_wire<Termination>([&](Termination::Builder t) {
    t.setState(schema::TaskState::TASK_FAILED);
    if (c.status) {
      t.setStatus(*c.status);
      t.setHasStatus(true);
    }
    if (c.limit) {
      t.setReason(c.limit->reason);
      t.setMessage(c.limit->message);
    } else {
      t.setReason(Reason::EXECUTOR_TERMINATED);
      t.setMessage(message);
    }
  });
}

void ensure_ticking(self_ptr self) {
  if (self->state.ticking)
    return;
  self->state.ticking = true;
  self->delayed_send(self, self->state.options.poll_interval, tick_atom::value);
}

void begin_destroy(self_ptr self, container& c) {
  if (c.destroying)
    return;
  c.destroying = true;
  ensure_ticking(self);
}

void remove_rootfs(self_ptr self, const std::string& id);

// One step of ending a container: kill what is left, reap, clean up, tell
// the waiters. True once it is gone.
bool step_destroy(self_ptr self, container& c) {
  auto& st = self->state;
  auto killed = st.plugins->launch->destroy(c.id, c.pid);
  if (!killed) {
    logger("containerizer")->warn("cannot destroy {}: {}", c.id, error_message(killed.error()));
    return false;
  }
  if (c.child && !c.status) {
    // Its first process may still be a zombie (or dying).
    if (c.pid > 1)
      ::kill(c.pid, SIGKILL);
    c.status = c.pid > 1 ? try_reap(c.pid) : std::optional<int>(W_EXITCODE(255, 0));
    if (!c.status)
      return false;
  }
  if (!*killed)
    return false;
  cleanup_all(st, c.id);
  remove_rootfs(self, c.id);
  std::string message = c.status ? "Executor " + describe_wait_status(*c.status)
                                 : std::string("Executor terminated");
  auto outcome = termination_of(c, message);
  for (auto& w : c.waiters)
    w.deliver(outcome);
  return true;
}

// Asks the isolators whether the container reached a limit; one that did is
// destroyed, and its waiters hear of the limit. True once it has one.
bool look_for_limit(self_ptr self, container& c) {
  if (c.limit)
    return true;
  for (auto& iso : self->state.plugins->isolators) {
    if (auto limit = iso->watch(c.id)) {
      logger("containerizer")->info("container {} reached a limit: {}", c.id, limit->message);
      c.limit = std::move(limit);
      begin_destroy(self, c);
      return true;
    }
  }
  return false;
}

bool alive(pid_t pid) {
  return pid > 1 && (::kill(pid, 0) == 0 || errno == EPERM);
}

void tick(self_ptr self) {
  auto& st = self->state;
  st.ticking = false;
  for (auto i = st.containers.begin(); i != st.containers.end();) {
    auto& c = i->second;
    if (c.fetching) {  // no process yet; the fetch's end decides
      ++i;
      continue;
    }
    if (!c.destroying) {
      if (c.child) {
        if ((c.status = try_reap(c.pid)))
          begin_destroy(self, c);  // what it started goes with it
      } else if (!alive(c.pid)) {
        begin_destroy(self, c);
      }
    }
    // Also when its first process has just ended: the OOM killer may have
    // picked that one.
    look_for_limit(self, c);
    if (c.destroying && step_destroy(self, c)) {
      i = st.containers.erase(i);
      continue;
    }
    ++i;
  }
  if (!st.containers.empty())
    ensure_ticking(self);
}

caf::error recover(self_ptr self, schema::containerizer::RecoverState::Reader state) {
  auto& st = self->state;
  std::vector<std::string> ids;
  for (auto r : state.getContainers()) {
    container c;
    c.id = r.getContainerId();
    c.pid = r.getPid();
    c.child = false;
    auto res = read_resources(r.getConfig().getResources());
    if (res)
      c.limits = limits_of(*res);
    if (c.id.empty() || st.containers.count(c.id) > 0)
      continue;
    ids.push_back(c.id);
    if (c.pid <= 1)
      c.destroying = true;  // never started: nothing to find
    st.containers.emplace(c.id, std::move(c));
  }
  if (auto err = st.plugins->launch->recover(ids))
    return err;
  for (auto& iso : st.plugins->isolators)
    if (auto err = iso->recover(ids))
      return err;
  for (auto& [id, c] : st.containers)
    if (!c.child && c.pid > 1)
      for (auto& iso : st.plugins->isolators)
        iso->isolate(id, c.pid);
  // Rootfses of containers no checkpoint names are left over from before.
  if (auto images = st.options.images) {
    std::set<std::string> known(ids.begin(), ids.end());
    self->system().spawn<caf::detached>([images, known](caf::event_based_actor* worker) {
      for (const auto& id : provisioner::provisioned_containers(*images))
        if (known.count(id) == 0)
          if (auto err = provisioner::destroy_rootfs(*images, id))
            logger("containerizer")->warn("cannot remove the orphan rootfs of {}: {}", id,
                                          error_message(err));
      worker->quit();
    });
  }
  ensure_ticking(self);
  return caf::none;
}

// Fetches the container's URIs on a thread of its own; the containerizer
// hears how it went (fetched_atom) and goes on with the launch.
void start_fetch(self_ptr self, Config::Reader config) {
  auto& st = self->state;
  std::string agent_id = config.getAgentId();
  if (!st.cache && !agent_id.empty())
    st.cache = make_fetcher_cache(st.options.fetcher, agent_id);
  fetch_request request;
  for (auto u : config.getCommand().getUris()) {
    fetch_uri uri;
    uri.value = u.getValue();
    uri.extract = u.getExtract();
    uri.executable = u.getExecutable();
    uri.cache = u.getCache();
    uri.output_file = u.getOutputFile();
    request.uris.push_back(std::move(uri));
  }
  request.sandbox_dir = config.getDirectory();
  if (st.options.switch_user)
    request.user = config.getUser();
  request.cache = st.cache;
  request.stall_timeout = st.options.fetcher.stall_timeout;
  auto me = caf::actor_cast<caf::actor>(self);
  std::string id = config.getContainerId();
  self->system().spawn<caf::detached>([me, id, request](caf::event_based_actor* worker) {
    auto err = fetch_uris(request);
    worker->send(me, fetched_atom::value, id, err ? error_message(err) : std::string());
    worker->quit();
  });
}

// The executor's config, told through its environment where its task's
// root file system is and what to run there.
container_config with_image(Config::Reader config, const std::vector<std::pair<std::string,
                                                                           std::string>>& add) {
  wire_builder<Config> b;
  b.message().setRoot(config);
  auto c = b.message().getRoot<Config>();
  auto env = c.getCommand().getEnvironment();
  std::vector<std::pair<std::string, std::string>> vars;
  for (auto v : env.getVariables())
    vars.emplace_back(v.getName().cStr(), v.getValue().cStr());
  vars.insert(vars.end(), add.begin(), add.end());
  auto list = env.initVariables(static_cast<unsigned>(vars.size()));
  for (unsigned i = 0; i < vars.size(); ++i) {
    list[i].setName(vars[i].first);
    list[i].setValue(vars[i].second);
  }
  return std::move(b).finish();
}

// Provisions the container's image on a thread of its own (extracting
// layers blocks) and merges its runtime config with the task's command.
void start_provision(self_ptr self, const container_config& msg) {
  auto images = self->state.options.images;
  auto me = caf::actor_cast<caf::actor>(self);
  self->system().spawn<caf::detached>([me, images, msg](caf::event_based_actor* worker) {
    auto config = *msg;
    std::string id = config.getContainerId();
    std::string image = config.getContainer().getMesos().getImage().getDocker().getName();
    std::string failure, rootfs, launch;
    auto made = provisioner::provision(*images, id, image);
    if (!made) {
      failure = error_message(made.error());
    } else {
      rootfs = made->rootfs;
      auto merged = docker::merge_image_command(config.getTask().getCommand(), made->config,
                                                images->sandbox_directory);
      if (merged)
        launch = docker::encode_image_launch(*merged);
      else
        failure = error_message(merged.error());
    }
    worker->send(me, provisioned_atom::value, id, failure, rootfs, launch);
    worker->quit();
  });
}

// Removes a container's rootfs off the actor's thread (a no-op without one).
void remove_rootfs(self_ptr self, const std::string& id) {
  auto images = self->state.options.images;
  if (!images)
    return;
  self->system().spawn<caf::detached>([images, id](caf::event_based_actor* worker) {
    if (auto err = provisioner::destroy_rootfs(*images, id))
      logger("containerizer")->warn("cannot remove the rootfs of {}: {}", id,
                                    error_message(err));
    worker->quit();
  });
}

void launch_fetched(self_ptr self, const std::string& id, const std::string& failure);

void on_provisioned(self_ptr self, const std::string& id, const std::string& failure,
                    const std::string& rootfs, const std::string& launch) {
  auto& st = self->state;
  auto i = st.containers.find(id);
  if (i == st.containers.end() || !i->second.provisioning)
    return;
  auto& c = i->second;
  c.provisioning = false;
  if (!failure.empty() || c.destroying)
    return launch_fetched(self, id, failure.empty() ? "Container was destroyed while its "
                                                      "image was provisioned" : failure);
  c.config = with_image(**c.config, {{image_rootfs_env, rootfs},
                                     {image_sandbox_env, st.options.images->sandbox_directory},
                                     {image_launch_env, launch}});
  auto config = **c.config;
  if (config.getCommand().getUris().size() == 0)
    launch_fetched(self, id, "");
  else
    start_fetch(self, config);
}

// The container's URIs are in its sandbox (or fetching failed): start its
// first process and answer the launch.
void launch_fetched(self_ptr self, const std::string& id, const std::string& failure) {
  auto& st = self->state;
  auto i = st.containers.find(id);
  if (i == st.containers.end() || !i->second.fetching)
    return;
  auto& c = i->second;
  c.fetching = false;
  caf::error err;
  if (c.destroying)
    err = make_error("Container was destroyed while its URIs were fetched");
  else if (!failure.empty())
    err = make_error(failure);
  else
    err = start(self, **c.config, c.limits, c.pid);
  c.config.reset();
  if (!err) {
    c.launched.deliver(static_cast<int64_t>(c.pid));
    ensure_ticking(self);
    return;
  }
  c.launched.deliver(err);
  // Its waiters hear it ended; a process that runs already is destroyed.
  begin_destroy(self, c);
}

containerizer_state::~containerizer_state() {
  if (!plugins)
    return;
  // Everything is killed, first processes reaped, and what can be removed
  // is. In rounds, never blocking on one process: a v1 freezer may take a
  // round to freeze, and a frozen process dies only once thawed.
  for (int round = 0; round < 50 && !containers.empty(); ++round) {
    for (auto i = containers.begin(); i != containers.end();) {
      auto& c = i->second;
      auto gone = plugins->launch->destroy(i->first, c.pid);
      if (c.child && c.pid > 1 && !c.status) {
        ::kill(c.pid, SIGKILL);
        c.status = try_reap(c.pid);
      }
      if (gone && *gone && (!c.child || c.pid <= 1 || c.status)) {
        cleanup_all(*this, i->first);
        if (options.images)  // the actor is gone: no worker to hand this to
          provisioner::destroy_rootfs(*options.images, i->first);
        i = containers.erase(i);
      } else {
        ++i;
      }
    }
    if (!containers.empty())
      pause_thread_ms(20);  // the killed processes are still dying
  }
}

containerizer_impl::behavior_type mesos_containerizer(
  self_ptr self, mesos_containerizer_options options,
  std::shared_ptr<containerizer_plugins> plugins) {
  self->state.options = options;
  self->state.plugins = std::move(plugins);
  for (auto& iso : self->state.plugins->isolators)
    iso->start(self->system(), caf::actor_cast<caf::actor>(self));
  return {
    [=](container_launch_atom, const container_config& msg) -> caf::result<int64_t> {
      auto& st = self->state;
      auto config = *msg;
      std::string id = config.getContainerId();
      if (id.empty() || st.containers.count(id) > 0)
        return make_error("container '" + id + "' exists already or has no id");
      if (auto err = refuse_unsupported(config, st.options.images != nullptr))
        return err;
      auto res = read_resources(config.getResources());
      if (!res)
        return res.error();
      container c;
      c.id = id;
      c.limits = limits_of(*res);
      c.config = msg;
      c.fetching = true;
      c.launched = self->make_response_promise<int64_t>();
      auto promise = c.launched;
      c.provisioning = wants_image(config);
      st.containers.emplace(id, std::move(c));
      if (wants_image(config))
        start_provision(self, msg);
      else if (config.getCommand().getUris().size() == 0)
        launch_fetched(self, id, "");
      else
        start_fetch(self, config);
      return promise;
    },
    [=](fetched_atom, const std::string& id, const std::string& failure) {
      launch_fetched(self, id, failure);
    },
    [=](provisioned_atom, const std::string& id, const std::string& failure,
        const std::string& rootfs, const std::string& launch) {
      on_provisioned(self, id, failure, rootfs, launch);
    },
    [=](container_wait_atom, const std::string& id) -> caf::result<container_termination> {
      auto i = self->state.containers.find(id);
      if (i == self->state.containers.end())
        return make_error("unknown container '" + id + "'", caf::sec::invalid_argument);
      auto promise = self->make_response_promise<container_termination>();
      i->second.waiters.push_back(promise);
      return promise;
    },
    [=](container_update_atom, const container_config& msg) -> caf::result<bool> {
      auto& st = self->state;
      auto config = *msg;
      auto i = st.containers.find(config.getContainerId());
      if (i == st.containers.end())
        return make_error("unknown container '" + std::string(config.getContainerId()) + "'",
                          caf::sec::invalid_argument);
      auto res = read_resources(config.getResources());
      if (!res)
        return res.error();
      i->second.limits = limits_of(*res);
      for (auto& iso : st.plugins->isolators)
        if (auto err = iso->update(i->first, i->second.limits))
          return err;
      return true;
    },
    [=](container_usage_atom, const std::string& id) -> caf::result<container_statistics> {
      auto& st = self->state;
      auto i = st.containers.find(id);
      if (i == st.containers.end())
        return make_error("unknown container '" + id + "'", caf::sec::invalid_argument);
      return make_wire<schema::containerizer::ResourceStatistics>([&](auto stats) {
        stats.setTimestamp(wall_clock_seconds());
        stats.setCpusLimit(i->second.limits.cpus);
        stats.setMemLimitBytes(static_cast<uint64_t>(i->second.limits.mem_mb * 1024 * 1024));
        for (auto& iso : st.plugins->isolators)
          iso->usage(id, stats);
      });
    },
    [=](container_destroy_atom, const std::string& id) -> bool {
      auto i = self->state.containers.find(id);
      if (i == self->state.containers.end())
        return false;
      begin_destroy(self, i->second);
      return true;
    },
    [=](container_limitation_atom,
        const std::string& id) -> caf::result<container_termination> {
      auto i = self->state.containers.find(id);
      if (i == self->state.containers.end())
        return make_error("unknown container '" + id + "'", caf::sec::invalid_argument);
      auto& c = i->second;
      look_for_limit(self, c);
      return make_wire<Termination>([&](Termination::Builder t) {
        t.setState(schema::TaskState::TASK_FAILED);
        if (c.limit) {
          t.setReason(c.limit->reason);
          t.setMessage(c.limit->message);
        }
      });
    },
    [=](container_recover_atom, const container_recovery& state) -> caf::result<bool> {
      if (auto err = recover(self, *state))
        return err;
      return true;
    },
    [=](tick_atom) { tick(self); },
  };
}

} // namespace

containerizer_actor spawn_mesos_containerizer(caf::actor_system& sys,
                                              mesos_containerizer_options options,
                                              std::shared_ptr<containerizer_plugins> plugins) {
  return caf::actor_cast<containerizer_actor>(
    sys.spawn<caf::detached>(mesos_containerizer, options, std::move(plugins)));
}

} // namespace cairn
