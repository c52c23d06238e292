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

class sim_containerizer final : public containerizer {
public:
  sim_containerizer(caf::actor_system& sys, std::string agent_name, sim_options options,
                    std::shared_ptr<usage_probe> probe)
    : sys_(sys),
      agent_name_(std::move(agent_name)),
      options_(options),
      probe_(std::move(probe)),
      rng_(options.seed),
      ended_(std::make_shared<ended_queue>()) {
  }

  caf::error launch(const container_launch& l) override {
    sim_executor_state init;
    init.agent_name = agent_name_;
    init.framework_id = l.framework_id;
    init.executor_id = l.executor_id;
    init.agent = caf::actor_cast<executor_call_sink>(l.agent);
    init.probe = probe_;
    init.random = std::make_unique<random_source>(rng_());
    std::uniform_int_distribution<int64_t> time(options_.min_task_time.count(),
                                                options_.max_task_time.count());
    init.run_time = std::chrono::milliseconds(time(rng_));
    auto executor = sys_.spawn(sim_executor, std::move(init));
    auto ended = ended_;
    auto id = l.container_id;
    executor->attach_functor([ended, id] {
      std::lock_guard<std::mutex> guard{ended->mutex};
      ended->ids.push_back(id);
    });
    executors_[l.container_id] = executor;
    return caf::none;
  }

  void destroy(const std::string& container_id) override {
    if (auto i = executors_.find(container_id); i != executors_.end())
      caf::anon_send_exit(i->second, caf::exit_reason::kill);
  }

  std::vector<std::pair<std::string, int>> reap() override {
    std::vector<std::pair<std::string, int>> out;
    std::lock_guard<std::mutex> guard{ended_->mutex};
    for (const auto& id : ended_->ids) {
      executors_.erase(id);
      out.emplace_back(id, 0);
    }
    ended_->ids.clear();
    return out;
  }

private:
  struct ended_queue {
    std::mutex mutex;
    std::deque<std::string> ids;
  };
  caf::actor_system& sys_;
  std::string agent_name_;
  sim_options options_;
  std::shared_ptr<usage_probe> probe_;
  std::mt19937_64 rng_;
  std::shared_ptr<ended_queue> ended_;
  std::unordered_map<std::string, caf::actor> executors_;
};

} // namespace

std::unique_ptr<containerizer> make_sim_containerizer(caf::actor_system& sys,
                                                      std::string agent_name, sim_options options,
                                                      std::shared_ptr<usage_probe> probe) {
  return std::make_unique<sim_containerizer>(sys, std::move(agent_name), options,
                                             std::move(probe));
}

} // namespace cairn::testing
