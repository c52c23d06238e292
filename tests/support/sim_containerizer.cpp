#include "tests/support/sim_containerizer.hpp"

#include <deque>
#include <random>
#include <unordered_map>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/handles.hpp"
#include "actors/resources/convert.hpp"
#include "actors/task_state.hpp"
#include "runtime/clock.hpp"
#include "runtime/errors.hpp"
#include "runtime/random.hpp"
#include "schema/executor.capnp.h"

namespace cairn::testing {

void usage_probe::set_total(const std::string& agent, const resources& total) {
  std::lock_guard<std::mutex> guard{mutex_};
  total_[agent] = total.unallocated();
}

void usage_probe::start(const std::string& agent, const resources& res) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto& running = running_[agent];
  running += res.unallocated();
  ++running_count_;
  ++started_;
  if (!total_[agent].contains(running))
    ++overcommits_;
}

void usage_probe::stop(const std::string& agent, const resources& res) {
  std::lock_guard<std::mutex> guard{mutex_};
  running_[agent] -= res.unallocated();
  --running_count_;
}

size_t usage_probe::overcommits() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return overcommits_;
}

size_t usage_probe::running() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return running_count_;
}

size_t usage_probe::started() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return started_;
}

namespace {

using Event = schema::executor::Event;
using Call = schema::executor::Call;
using finish_atom = caf::atom_constant<caf::atom("finish")>;

struct sim_executor_state {
  static inline const char* name = "sim-executor";
  std::string agent_name;
  std::string framework_id;
  std::string executor_id;
  executor_call_sink agent;
  std::shared_ptr<usage_probe> probe;
  std::unique_ptr<random_source> random;
  std::chrono::milliseconds run_time{};
  std::string task_id;
  resources res;
  bool running = false;
  std::string terminal_uuid;
};

using self_ptr = caf::stateful_actor<sim_executor_state>*;

void send_status(self_ptr self, schema::TaskState state) {
  auto& st = self->state;
  auto uuid = st.random->uuid_bytes();
  if (is_terminal(state))
    st.terminal_uuid.assign(reinterpret_cast<const char*>(uuid.data()), uuid.size());
  self->send(st.agent, make_wire<Call>([&](Call::Builder c) {
               c.setType(Call::Type::UPDATE);
               c.initFrameworkId().setValue(st.framework_id);
               c.initExecutorId().setValue(st.executor_id);
               auto s = c.initUpdate().initStatus();
               s.initTaskId().setValue(st.task_id);
               s.setState(state);
               s.setSource(schema::TaskStatus::Source::SOURCE_EXECUTOR);
               s.setTimestamp(wall_clock_seconds());
               s.setUuid(kj::arrayPtr(uuid.data(), uuid.size()));
             }));
}

void end_task(self_ptr self, schema::TaskState state) {
  auto& st = self->state;
  if (!st.running)
    return;
  st.running = false;
  st.probe->stop(st.agent_name, st.res);
  send_status(self, state);
}

caf::behavior sim_executor(self_ptr self, sim_executor_state init) {
  self->state = std::move(init);
  self->send(self->state.agent, make_wire<Call>([&](Call::Builder c) {
               c.setType(Call::Type::SUBSCRIBE);
               c.initFrameworkId().setValue(self->state.framework_id);
               c.initExecutorId().setValue(self->state.executor_id);
               c.initSubscribe();
             }));
  return {
    [=](const executor_event& msg) {
      auto& st = self->state;
      auto e = *msg;
      switch (e.getType()) {
        case Event::Type::LAUNCH: {
          auto task = e.getLaunch().getTask();
          st.task_id = task.getTaskId().getValue();
          st.res = read_resources(task.getResources()).value();
          st.running = true;
          st.probe->start(st.agent_name, st.res);
          send_status(self, schema::TaskState::TASK_STARTING);
          send_status(self, schema::TaskState::TASK_RUNNING);
          self->delayed_send(self, st.run_time, finish_atom::value);
          break;
        }
        case Event::Type::KILL:
        case Event::Type::SHUTDOWN:
          if (st.running)
            end_task(self, schema::TaskState::TASK_KILLED);
          else if (st.task_id.empty())
            self->quit();
          break;
        case Event::Type::ACKNOWLEDGED: {
          auto uuid = e.getAcknowledged().getUuid();
          if (std::string(reinterpret_cast<const char*>(uuid.begin()), uuid.size())
              == st.terminal_uuid)
            self->quit();
          break;
        }
        default:
          break;
      }
    },
    [=](finish_atom) { end_task(self, schema::TaskState::TASK_FINISHED); },
  };
}

using sim_exited_atom = caf::atom_constant<caf::atom("simexited")>;

struct sim_containerizer_state {
  static inline const char* name = "sim-containerizer";
  caf::strong_actor_ptr agent;
  std::string agent_name;
  sim_options options;
  std::shared_ptr<usage_probe> probe;
  std::unique_ptr<std::mt19937_64> rng;
  struct running {
    caf::actor executor;
    std::vector<caf::response_promise> waiters;
  };
  std::unordered_map<std::string, running> containers;
};

using sim_containerizer_impl = containerizer_actor::extend<caf::reacts_to<sim_exited_atom, std::string>>;
using sim_containerizer_ptr = sim_containerizer_impl::stateful_pointer<sim_containerizer_state>;

container_termination sim_termination() {
  return make_wire<schema::containerizer::Termination>([](auto t) {
    t.setHasStatus(true);
    t.setStatus(0);
    t.setState(schema::TaskState::TASK_FAILED);
    t.setReason(schema::TaskStatus::Reason::EXECUTOR_TERMINATED);
    t.setMessage("Executor exited with status 0");
  });
}

sim_containerizer_impl::behavior_type sim_containerizer(sim_containerizer_ptr self,
                                                        sim_containerizer_state init) {
  self->state = std::move(init);
  self->set_down_handler([=](caf::down_msg&) {});
  // Executors never outlive the containerizer that runs them.
  self->attach_functor([st = &self->state] {
    for (auto& [id, c] : st->containers)
      caf::anon_send_exit(c.executor, caf::exit_reason::kill);
  });
  return {
    [=](container_launch_atom, const container_config& msg) -> caf::result<int64_t> {
      auto& st = self->state;
      auto config = *msg;
      std::string id = config.getContainerId();
      if (st.containers.count(id) > 0)
        return make_error("container exists already");
      sim_executor_state init;
      init.agent_name = st.agent_name;
      init.framework_id = config.getFrameworkId();
      init.executor_id = config.getExecutorId();
      init.agent = caf::actor_cast<executor_call_sink>(st.agent);
      init.probe = st.probe;
      init.random = std::make_unique<random_source>((*st.rng)());
      std::uniform_int_distribution<int64_t> time(st.options.min_task_time.count(),
                                                  st.options.max_task_time.count());
      init.run_time = std::chrono::milliseconds(time(*st.rng));
      auto executor = self->system().spawn(sim_executor, std::move(init));
      auto me = caf::actor_cast<caf::actor>(self);
      executor->attach_functor([me, id] { caf::anon_send(me, sim_exited_atom::value, id); });
      st.containers[id].executor = executor;
      return int64_t{0};  // an actor, no process of its own
    },
    [=](container_wait_atom, const std::string& id) -> caf::result<container_termination> {
      auto i = self->state.containers.find(id);
      if (i == self->state.containers.end())
        return make_error("unknown container", caf::sec::invalid_argument);
      auto promise = self->make_response_promise<container_termination>();
      i->second.waiters.push_back(promise);
      return promise;
    },
    [=](container_update_atom, const container_config&) { return true; },
    [=](container_usage_atom, const std::string&) {
      return make_wire<schema::containerizer::ResourceStatistics>([](auto s) {
        s.setTimestamp(wall_clock_seconds());
      });
    },
    [=](container_destroy_atom, const std::string& id) {
      auto i = self->state.containers.find(id);
      if (i == self->state.containers.end())
        return false;
      caf::anon_send_exit(i->second.executor, caf::exit_reason::kill);
      return true;
    },
    [=](container_recover_atom, const container_recovery&) { return true; },
    [=](container_limitation_atom, const std::string&) {
      return make_wire<schema::containerizer::Termination>(
        [](auto t) { t.setState(schema::TaskState::TASK_FAILED); });
    },
    [=](sim_exited_atom, const std::string& id) {
      auto i = self->state.containers.find(id);
      if (i == self->state.containers.end())
        return;
      auto outcome = sim_termination();
      for (auto& w : i->second.waiters)
        w.deliver(outcome);
      self->state.containers.erase(i);
    },
  };
}

} // namespace

containerizer_factory make_sim_containerizer(std::string agent_name, sim_options options,
                                             std::shared_ptr<usage_probe> probe) {
  return [agent_name, options, probe](caf::actor_system& sys, caf::strong_actor_ptr agent) {
    sim_containerizer_state init;
    init.agent = std::move(agent);
    init.agent_name = agent_name;
    init.options = options;
    init.probe = probe;
    init.rng = std::make_unique<std::mt19937_64>(options.seed);
    return caf::actor_cast<containerizer_actor>(sys.spawn(sim_containerizer, std::move(init)));
  };
}

} // namespace cairn::testing
