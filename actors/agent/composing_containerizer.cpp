#include "actors/agent/composing_containerizer.hpp"

#include <unordered_map>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/agent/docker_containerizer.hpp"
#include "runtime/errors.hpp"
#include "runtime/limits.hpp"

namespace cairn {

namespace {

struct composing_state {
  static inline const char* name = "composing-containerizer";
  containerizer_actor docker;
  containerizer_actor mesos;
  bool mesos_enabled = true;
  // Which containerizer each container is with (absent: the mesos one).
  std::unordered_map<std::string, bool> is_docker;
};

using self_ptr = containerizer_actor::stateful_pointer<composing_state>;

containerizer_actor owner(self_ptr self, const std::string& id) {
  auto& st = self->state;
  auto i = st.is_docker.find(id);
  return i != st.is_docker.end() && i->second ? st.docker : st.mesos;
}

containerizer_actor::behavior_type composing(self_ptr self, containerizer_actor docker,
                                             containerizer_actor mesos, bool mesos_enabled) {
  self->state.docker = std::move(docker);
  self->state.mesos = std::move(mesos);
  self->state.mesos_enabled = mesos_enabled;
  // They live and die with it, as it does with its agent.
  self->link_to(self->state.docker);
  self->link_to(self->state.mesos);
  // Each container stays with its containerizer until the agent forgets it;
  // a wait answer is the last word on it.
  return {
    [=](container_launch_atom, const container_config& msg) -> caf::result<int64_t> {
      auto& st = self->state;
      bool docker = wants_docker(msg);
      if (!docker && !st.mesos_enabled)
        return make_error("--containerizers does not include 'mesos': only containers of "
                          "type DOCKER run on this agent");
      std::string id = msg->getContainerId();
      st.is_docker[id] = docker;
      return self->delegate(docker ? st.docker : st.mesos, container_launch_atom::value, msg);
    },
    [=](container_wait_atom, const std::string& id) -> caf::result<container_termination> {
      auto target = owner(self, id);
      auto promise = self->make_response_promise<container_termination>();
      self->request(target, caf::infinite, container_wait_atom::value, id)
        .then(
          [=](const container_termination& how) mutable {
            self->state.is_docker.erase(id);
            promise.deliver(how);
          },
          [=](const caf::error& err) mutable {
            self->state.is_docker.erase(id);
            promise.deliver(err);
          });
      return promise;
    },
    [=](container_update_atom, const container_config& msg) {
      return self->delegate(owner(self, msg->getContainerId()), container_update_atom::value,
                            msg);
    },
    [=](container_usage_atom, const std::string& id) {
      return self->delegate(owner(self, id), container_usage_atom::value, id);
    },
    [=](container_destroy_atom, const std::string& id) {
      return self->delegate(owner(self, id), container_destroy_atom::value, id);
    },
    [=](container_limitation_atom, const std::string& id) {
      return self->delegate(owner(self, id), container_limitation_atom::value, id);
    },
    [=](container_recover_atom, const container_recovery& state) -> caf::result<bool> {
      auto& st = self->state;
      for (auto r : state->getContainers()) {
        auto config = r.getConfig();
        st.is_docker[r.getContainerId()] =
          config.getHasContainer() &&
          config.getContainer().getType() == schema::ContainerInfo::Type::DOCKER;
      }
      auto promise = self->make_response_promise<bool>();
      self->request(st.mesos, caf::infinite, container_recover_atom::value, state)
        .then(
          [=](bool) mutable {
            self->request(self->state.docker, caf::infinite, container_recover_atom::value, state)
              .then([=](bool ok) mutable { promise.deliver(ok); },
                    [=](const caf::error& err) mutable { promise.deliver(err); });
          },
          [=](const caf::error& err) mutable { promise.deliver(err); });
      return promise;
    },
  };
}

} // namespace

containerizer_actor spawn_composing_containerizer(caf::actor_system& sys,
                                                  containerizer_actor docker,
                                                  containerizer_actor mesos,
                                                  bool mesos_enabled) {
  return sys.spawn(composing, std::move(docker), std::move(mesos), mesos_enabled);
}

} // namespace cairn
