#include "tests/support/test_framework.hpp"

#include "schema/scheduler.capnp.h"

namespace cairn::testing {

test_framework::test_framework(caf::actor_system& sys, scheduler_call_sink master,
                               std::string name, bool partition_aware)
  : self_(sys) {
  driver_options options;
  options.framework_info = make_wire<schema::FrameworkInfo>([&](schema::FrameworkInfo::Builder i) {
    i.setName(name);
    i.setUser("root");
    auto caps = i.initCapabilities(partition_aware ? 2 : 1);
    caps[0].setType(schema::FrameworkInfo::Capability::Type::TASK_KILLING_STATE);
    if (partition_aware)
      caps[1].setType(schema::FrameworkInfo::Capability::Type::PARTITION_AWARE);
  });
  driver_ = spawn_driver(sys, std::move(options), std::move(master),
                         caf::actor_cast<scheduler_sink>(self_));
}

bool test_framework::next_event(duration bound) {
  bool got = false;
  self_->receive(
    [&](const scheduler_event& event) {
      got = true;
      scheduler_handlers h;
      h.subscribed = [&](const std::string& id) { framework_id_ = id; };
      h.offers = [&](capnp::List<schema::Offer>::Reader offers) {
        for (auto o : offers)
          offers_.push_back(copy_to_wire<schema::Offer>(o));
      };
      h.update = [&](schema::TaskStatus::Reader s) {
        updates_.push_back(copy_to_wire<schema::TaskStatus>(s));
      };
      dispatch(event, h);
    },
    caf::after(bound) >> [] {});
  return got;
}

bool test_framework::subscribed(duration bound) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  while (framework_id_.empty() && std::chrono::steady_clock::now() < deadline)
    next_event(bound);
  return !framework_id_.empty();
}

std::vector<wire<schema::Offer>> test_framework::offers(duration bound) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  while (offers_.empty() && std::chrono::steady_clock::now() < deadline)
    next_event(std::chrono::milliseconds(100));
  return std::exchange(offers_, {});
}

void test_framework::launch(const wire<schema::Offer>& offer, const task_spec& task) {
  send(calls::launch(framework_id_, {offer->getId().getValue()}, {task}));
}

void test_framework::send(scheduler_call call) {
  self_->send(driver_, std::move(call));
}

std::optional<wire<schema::TaskStatus>>
test_framework::wait_for(const std::string& task_id, schema::TaskState state, duration bound) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  size_t checked = 0;
  for (;;) {
    for (; checked < updates_.size(); ++checked) {
      const auto& u = updates_[checked];
      if (u->getTaskId().getValue() == task_id && u->getState() == state)
        return u;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return std::nullopt;
    next_event(std::chrono::milliseconds(100));
  }
}

} // namespace cairn::testing
