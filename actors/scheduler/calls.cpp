#include "actors/scheduler/calls.hpp"

#include "actors/resources/convert.hpp"
#include "schema/scheduler.capnp.h"

namespace cairn::calls {

namespace {

using Call = schema::Call;

template <class F>
scheduler_call make_call(const std::string& framework_id, Call::Type type, F&& fill) {
  return make_wire<Call>([&](Call::Builder c) {
    c.setType(type);
    c.initFrameworkId().setValue(framework_id);
    fill(c);
  });
}

template <class List>
void set_offer_ids(List list, const std::vector<std::string>& ids) {
  for (unsigned i = 0; i < ids.size(); ++i)
    list[i].setValue(ids[i]);
}

void fill_task(schema::TaskInfo::Builder t, const task_spec& spec) {
  t.setName(spec.name.empty() ? spec.id : spec.name);
  t.initTaskId().setValue(spec.id);
  set_resources(t, spec.res);
  auto command = t.initCommand();
  if (!spec.shell_command.empty()) {
    command.setShell(true);
    command.setValue(spec.shell_command);
  } else {
    command.setShell(false);
    if (!spec.argv.empty())
      command.setValue(spec.argv.front());
    auto args = command.initArguments(static_cast<unsigned>(spec.argv.size()));
    for (unsigned i = 0; i < spec.argv.size(); ++i)
      args.set(i, spec.argv[i]);
  }
  if (!spec.env.empty()) {
    auto vars = command.initEnvironment().initVariables(static_cast<unsigned>(spec.env.size()));
    for (unsigned i = 0; i < spec.env.size(); ++i) {
      vars[i].setName(spec.env[i].first);
      vars[i].setValue(spec.env[i].second);
    }
  }
  if (spec.grace_period_seconds > 0)
    t.initKillPolicy().initGracePeriod().setNanoseconds(
      static_cast<int64_t>(spec.grace_period_seconds * 1e9));
  if (spec.health_check)
    t.setHealthCheck(*spec.health_check);
  if (spec.container)
    t.setContainer(*spec.container);
}

} // namespace

scheduler_call subscribe(schema::FrameworkInfo::Reader info) {
  return make_wire<Call>([&](Call::Builder c) {
    c.setType(Call::Type::SUBSCRIBE);
    c.initSubscribe().setFrameworkInfo(info);
  });
}

scheduler_call launch(const std::string& framework_id, const std::vector<std::string>& offer_ids,
                      const std::vector<task_spec>& tasks, double refuse_seconds) {
  return make_call(framework_id, Call::Type::ACCEPT, [&](Call::Builder c) {
    auto a = c.initAccept();
    set_offer_ids(a.initOfferIds(static_cast<unsigned>(offer_ids.size())), offer_ids);
    a.initFilters().setRefuseSeconds(refuse_seconds);
    auto op = a.initOperations(1)[0];
    op.setType(schema::Offer::Operation::Type::LAUNCH);
    auto infos = op.initLaunch().initTaskInfos(static_cast<unsigned>(tasks.size()));
    for (unsigned i = 0; i < tasks.size(); ++i) {
      if (!tasks[i].info) {
        fill_task(infos[i], tasks[i]);
        continue;
      }
      infos.setWithCaveats(i, *tasks[i].info);
      infos[i].disownAgentId();
    }
  });
}

scheduler_call decline(const std::string& framework_id, const std::vector<std::string>& offer_ids,
                       double refuse_seconds) {
  return make_call(framework_id, Call::Type::DECLINE, [&](Call::Builder c) {
    auto d = c.initDecline();
    set_offer_ids(d.initOfferIds(static_cast<unsigned>(offer_ids.size())), offer_ids);
    d.initFilters().setRefuseSeconds(refuse_seconds);
  });
}

scheduler_call kill(const std::string& framework_id, const std::string& task_id,
                    const std::string& agent_id) {
  return make_call(framework_id, Call::Type::KILL, [&](Call::Builder c) {
    auto k = c.initKill();
    k.initTaskId().setValue(task_id);
    if (!agent_id.empty())
      k.initAgentId().setValue(agent_id);
  });
}

scheduler_call acknowledge(const std::string& framework_id, schema::TaskStatus::Reader status) {
  return make_call(framework_id, Call::Type::ACKNOWLEDGE, [&](Call::Builder c) {
    auto a = c.initAcknowledge();
    a.setAgentId(status.getAgentId());
    a.setTaskId(status.getTaskId());
    a.setUuid(status.getUuid());
  });
}

scheduler_call reconcile(const std::string& framework_id,
                         const std::vector<std::pair<std::string, std::string>>& tasks) {
  return make_call(framework_id, Call::Type::RECONCILE, [&](Call::Builder c) {
    auto list = c.initReconcile().initTasks(static_cast<unsigned>(tasks.size()));
    for (unsigned i = 0; i < tasks.size(); ++i) {
      list[i].initTaskId().setValue(tasks[i].first);
      if (!tasks[i].second.empty())
        list[i].initAgentId().setValue(tasks[i].second);
    }
  });
}

scheduler_call revive(const std::string& framework_id) {
  return make_call(framework_id, Call::Type::REVIVE, [](Call::Builder c) { c.initRevive(); });
}

scheduler_call suppress(const std::string& framework_id) {
  return make_call(framework_id, Call::Type::SUPPRESS, [](Call::Builder c) { c.initSuppress(); });
}

scheduler_call teardown(const std::string& framework_id) {
  return make_call(framework_id, Call::Type::TEARDOWN, [](Call::Builder) {});
}

} // namespace cairn::calls

namespace cairn {

void dispatch(const scheduler_event& event, const scheduler_handlers& h) {
  using Event = schema::Event;
  auto e = *event;
  switch (e.getType()) {
    case Event::Type::SUBSCRIBED:
      if (h.subscribed)
        h.subscribed(e.getSubscribed().getFrameworkId().getValue());
      break;
    case Event::Type::OFFERS:
      if (h.offers)
        h.offers(e.getOffers().getOffers());
      break;
    case Event::Type::RESCIND:
      if (h.rescind)
        h.rescind(e.getRescind().getOfferId().getValue());
      break;
    case Event::Type::UPDATE:
      if (h.update)
        h.update(e.getUpdate().getStatus());
      break;
    case Event::Type::ERROR:
      if (h.error)
        h.error(e.getError().getMessage());
      break;
    default:
      break;
  }
}

} // namespace cairn
