#include "actors/http/executor_http.hpp"

#include <map>
#include <mutex>

#include <caf/event_based_actor.hpp>

#include "actors/http/mesos_media.hpp"
#include "actors/http/recordio.hpp"
#include "actors/http/routes.hpp"
#include "runtime/log.hpp"
#include "schema/executor.capnp.h"

namespace cairn {

namespace {

using Call = schema::executor::Call;
using Event = schema::executor::Event;
using executor_key = std::pair<std::string, std::string>;  // (framework id, executor id)
using executor_heartbeat_atom = caf::atom_constant<caf::atom("exec_beat")>;

// HEARTBEAT events keep the executor's stream from looking idle to proxies
// and let the executor notice a dead agent; the first follows SUBSCRIBED at
// once, as on the scheduler stream.
constexpr std::chrono::seconds executor_heartbeat_interval{30};

executor_event heartbeat_event() {
  return make_wire<Event>([](Event::Builder e) { e.setType(Event::Type::HEARTBEAT); });
}

// The HTTP executors subscribed through this agent's gateway.
class executor_registry {
public:
  void set(const executor_key& key, caf::actor proxy) {
    std::lock_guard<std::mutex> guard{mutex_};
    proxies_[key] = std::move(proxy);
  }
  void remove(const executor_key& key, const caf::actor_addr& proxy) {
    std::lock_guard<std::mutex> guard{mutex_};
    if (auto i = proxies_.find(key); i != proxies_.end() && i->second.address() == proxy)
      proxies_.erase(i);
  }
  caf::actor find(const executor_key& key) {
    std::lock_guard<std::mutex> guard{mutex_};
    auto i = proxies_.find(key);
    return i == proxies_.end() ? caf::actor{} : i->second;
  }

private:
  std::mutex mutex_;
  std::map<executor_key, caf::actor> proxies_;
};

// Acts for one HTTP executor: the agent sees this actor as the executor.
caf::behavior executor_proxy(caf::event_based_actor* self, caf::actor agent, executor_call subscribe,
                             std::shared_ptr<http_stream> out,
                             std::shared_ptr<executor_registry> registry, executor_key key,
                             mesos_media media) {
  auto me = self->address();
  self->attach_functor([registry, key, me] { registry->remove(key, me); });
  // The agent learns of a closed connection at once, as Mesos' does.
  exit_with_stream(*out, me);
  self->monitor(agent);
  self->set_down_handler([=](caf::down_msg&) {
    out->close();
    self->quit();
  });
  self->send(agent, std::move(subscribe));
  auto write = [=](const executor_event& e) {
    auto record = write_mesos_message(media, mesos_message::executor_event, to_json(*e));
    if (!record)
      logger("http")->error("event is not a Mesos executor event, stream ended: {}",
                            error_message(record.error()));
    // The stream stays open after SHUTDOWN, as Mesos keeps it: the executor
    // still reports how its tasks ended, then exits and closes it.
    if (!record || !out->write(recordio(*record))) {
      out->close();
      self->quit();
      return false;
    }
    return true;
  };
  return {
    [=](const executor_event& e) {
      if (write(e) && e->getType() == Event::Type::SUBSCRIBED && write(heartbeat_event()))
        self->delayed_send(self, executor_heartbeat_interval, executor_heartbeat_atom::value);
    },
    [=](executor_heartbeat_atom) {
      if (write(heartbeat_event()))
        self->delayed_send(self, executor_heartbeat_interval, executor_heartbeat_atom::value);
    },
    [=](const executor_call& c) { self->send(agent, c); },
  };
}

} // namespace

http_handler executor_api(caf::actor_system& sys, agent_actor agent) {
  auto registry = std::make_shared<executor_registry>();
  return [&sys, agent, registry](http_request request, http_reply reply) {
    if (request.method != "POST")
      return reply.send(text_response(405, "Expecting 'POST', got '" + request.method + "'"));
    mesos_media media;
    if (auto refused = negotiate(request, media))
      return reply.send(std::move(*refused));
    auto call = read_mesos_call<Call>(request, media, mesos_message::executor_call);
    if (!call)
      return reply.send(text_response(400, "Failed to parse body into Call: "
                                             + error_message(call.error())));
    auto c = **call;
    if (c.getType() == Call::Type::UNKNOWN)
      return reply.send(text_response(400, "Expecting 'type' to be present"));
    executor_key key{c.getFrameworkId().getValue(), c.getExecutorId().getValue()};
    if (key.first.empty() || key.second.empty())
      return reply.send(text_response(400, "Expecting 'framework_id' and 'executor_id'"));
    if (c.getType() == Call::Type::SUBSCRIBE) {
      auto out = reply.open_stream(200, media.answer_type());
      registry->set(key, sys.spawn(executor_proxy, caf::actor_cast<caf::actor>(agent), *call,
                                   out, registry, key, media));
      return;
    }
    auto proxy = registry->find(key);
    if (!proxy)
      return reply.send(text_response(403, "Executor " + key.second + " of framework "
                                             + key.first + " is not subscribed"));
    if (c.getType() == Call::Type::UPDATE
        && (!c.hasUpdate() || c.getUpdate().getStatus().getUuid().size() != 16))
      return reply.send(text_response(400, "Expecting 'update.status.uuid' of 16 bytes"));
    caf::anon_send(proxy, *call);
    http_response accepted;
    accepted.status = 202;
    accepted.content_type = "text/plain";
    reply.send(std::move(accepted));
  };
}

} // namespace cairn
