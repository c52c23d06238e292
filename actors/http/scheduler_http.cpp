#include "actors/http/scheduler_http.hpp"

#include <mutex>
#include <unordered_map>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/http/mesos_media.hpp"
#include "actors/http/operator_http.hpp"
#include "actors/http/recordio.hpp"
#include "actors/master/unsupported.hpp"
#include "actors/master/validation.hpp"
#include "actors/http/routes.hpp"
#include "runtime/log.hpp"
#include "runtime/random.hpp"
#include "schema/scheduler.capnp.h"
#include "storage/registry.hpp"

namespace cairn {

namespace {

using Call = schema::Call;
using Event = schema::Event;

// The HTTP frameworks subscribed through this gateway, by Mesos-Stream-Id.
// Shared by the HTTP thread (lookups) and the stream actors (updates).
class stream_registry {
public:
  struct entry {
    caf::actor stream;
    std::string framework_id;  // known once SUBSCRIBED came
  };

  // The stream actor may see SUBSCRIBED before its handle is recorded here,
  // so the entry exists first and the handle is added to it.
  void reserve(const std::string& id) {
    std::lock_guard<std::mutex> guard{mutex_};
    streams_[id] = {};
  }
  void set_stream(const std::string& id, caf::actor stream) {
    std::lock_guard<std::mutex> guard{mutex_};
    if (auto i = streams_.find(id); i != streams_.end())
      i->second.stream = std::move(stream);
  }
  void subscribed(const std::string& id, const std::string& framework_id) {
    std::lock_guard<std::mutex> guard{mutex_};
    if (auto i = streams_.find(id); i != streams_.end())
      i->second.framework_id = framework_id;
  }
  void remove(const std::string& id) {
    std::lock_guard<std::mutex> guard{mutex_};
    streams_.erase(id);
  }
  std::optional<entry> find(const std::string& id) {
    std::lock_guard<std::mutex> guard{mutex_};
    auto i = streams_.find(id);
    if (i == streams_.end())
      return std::nullopt;
    return i->second;
  }

private:
  std::mutex mutex_;
  std::unordered_map<std::string, entry> streams_;
};

struct stream_state {
  static inline const char* name = "scheduler-stream";
  std::string id;
  std::shared_ptr<http_stream> out;
  std::shared_ptr<stream_registry> registry;
  mesos_media media;
};

// Acts for one HTTP framework: the master sees this actor as the framework
// (it sends SUBSCRIBE and every later call), and its events become RecordIO
// records on the HTTP stream. When the client goes, so does the actor, and
// the master counts the framework disconnected.
caf::behavior scheduler_stream(caf::stateful_actor<stream_state>* self, caf::actor master,
                               scheduler_call subscribe, std::string id,
                               std::shared_ptr<http_stream> out,
                               std::shared_ptr<stream_registry> registry, mesos_media media) {
  self->state.id = id;
  self->state.media = media;
  self->state.out = out;
  self->state.registry = registry;
  self->attach_functor([registry, id] { registry->remove(id); });
  // The client's hang-up ends this actor at once, not at the next event or
  // heartbeat: the master then counts the framework disconnected and takes
  // its offers back, as Mesos does when the subscription connection closes.
  exit_with_stream(*out, self->address());
  // The stream ends with the master.
  self->monitor(master);
  self->set_down_handler([=](caf::down_msg&) {
    self->state.out->close();
    self->quit();
  });
  self->send(master, std::move(subscribe));
  return {
    [=](const scheduler_event& e) {
      auto& st = self->state;
      if (e->getType() == Event::Type::SUBSCRIBED)
        st.registry->subscribed(st.id, e->getSubscribed().getFrameworkId().getValue());
      auto record = write_mesos_message(st.media, mesos_message::scheduler_event, to_json(*e));
      if (!record)
        logger("http")->error("event is not a Mesos event, stream ended: {}",
                              error_message(record.error()));
      bool ok = record && st.out->write(recordio(*record));
      if (!ok || e->getType() == Event::Type::ERROR) {
        st.out->close(); // Mesos ends the stream after ERROR
        self->quit();
      }
    },
    [=](const scheduler_call& c) {
      self->send(master, c);
      if (c->getType() != Call::Type::TEARDOWN)
        return;
      // As Mesos does, the subscription's connection closes once the
      // framework is torn down: after the master's answer to a call sent
      // behind TEARDOWN, every event it wrote before has arrived.
      auto end = [=] {
        self->state.out->close();
        self->quit();
      };
      auto probe = make_wire<schema::operator_api::Call>(
        [](auto call) { call.setType(schema::operator_api::Call::Type::GET_HEALTH); });
      self->request(master, actor_answer_timeout, probe)
        .then([=](const operator_response&) { end(); }, [=](caf::error&) { end(); });
    },
  };
}

http_response bad_request(const std::string& message) {
  return text_response(400, message);
}

} // namespace

http_handler scheduler_api(caf::actor_system& sys, master_actor master) {
  auto registry = std::make_shared<stream_registry>();
  auto ids = std::make_shared<random_source>(entropy_seed());
  auto ids_mutex = std::make_shared<std::mutex>();
  return [&sys, master, registry, ids, ids_mutex](http_request request, http_reply reply) {
    if (request.method != "POST")
      return reply.send(text_response(405, "Expecting 'POST', got '" + request.method + "'"));
    mesos_media media;
    if (auto refused = negotiate(request, media))
      return reply.send(std::move(*refused));
    auto call = read_mesos_call<Call>(request, media, mesos_message::scheduler_call);
    if (!call)
      return reply.send(bad_request("Failed to parse body into Call: "
                                    + error_message(call.error())));
    auto c = **call;
    if (c.getType() == Call::Type::UNKNOWN)
      return reply.send(bad_request("Expecting 'type' to be present"));
    // Known to Mesos but not served here yet: said so, not taken and dropped.
    if (auto why = unsupported_call(c.getType()); !why.empty())
      return reply.send(text_response(501, why));
    if (c.getType() == Call::Type::SUBSCRIBE) {
      if (!c.hasSubscribe() || !c.getSubscribe().hasFrameworkInfo())
        return reply.send(bad_request("Expecting 'subscribe' to be present"));
      auto info = c.getSubscribe().getFrameworkInfo();
      if (auto why = unsupported_in_subscribe(c.getSubscribe()); !why.empty())
        return reply.send(text_response(501, why));
      // Refused before a stream is opened; the master would refuse it too.
      if (auto why = framework_info_problem(info); !why.empty())
        return reply.send(bad_request(why));
      if (info.getName().size() == 0)
        return reply.send(bad_request("Expecting 'framework_info.name' to be present"));
      if (c.hasFrameworkId() && info.hasId()
          && c.getFrameworkId().getValue() != info.getId().getValue())
        return reply.send(bad_request("'framework_id' differs from 'framework_info.id'"));
      // Refused here with a 400 rather than as an ERROR on an open stream;
      // the master checks again, for frameworks that are actors.
      if (auto roles = check_framework_info(info); !roles)
        return reply.send(bad_request(error_message(roles.error())));
      auto id_problem = c.hasFrameworkId() ? check_id(whole(c.getFrameworkId().getValue()))
                                           : std::string{};
      if (!id_problem.empty())
        return reply.send(bad_request("Invalid framework_id: " + id_problem));
      std::string id;
      {
        std::lock_guard<std::mutex> guard{*ids_mutex};
        id = ids->uuid();
      }
      auto out = reply.open_stream(200, media.answer_type(), {{"Mesos-Stream-Id", id}});
      registry->reserve(id);
      registry->set_stream(id, sys.spawn(scheduler_stream, caf::actor_cast<caf::actor>(master),
                                         *call, id, out, registry, media));
      return;
    }
    auto stream_id = request.header("mesos-stream-id");
    if (stream_id.empty())
      return reply.send(bad_request("All non-subscribe calls should include the "
                                    "'Mesos-Stream-Id' header"));
    auto entry = registry->find(stream_id);
    if (!entry || !entry->stream)
      return reply.send(text_response(403, "The stream ID '" + stream_id + "' is not valid"));
    if (!c.hasFrameworkId() || c.getFrameworkId().getValue().size() == 0)
      return reply.send(bad_request("Expecting 'framework_id' to be present"));
    if (entry->framework_id != c.getFrameworkId().getValue().cStr())
      return reply.send(text_response(403, "The stream ID '" + stream_id
                                             + "' belongs to another framework"));
    if (c.getType() == Call::Type::UPDATE_FRAMEWORK) {
      // As at SUBSCRIBE, what is wrong with the new FrameworkInfo is answered
      // here (400, as Mesos answers it) rather than as an ERROR on the stream.
      if (!c.hasUpdateFramework() || !c.getUpdateFramework().hasFrameworkInfo())
        return reply.send(bad_request("Expecting 'update_framework.framework_info' to be present"));
      auto update = c.getUpdateFramework();
      if (auto why = unsupported_in_update_framework(update); !why.empty())
        return reply.send(text_response(501, why));
      if (update.getFrameworkInfo().getId().getValue() != c.getFrameworkId().getValue())
        return reply.send(bad_request("'framework_info.id' differs from 'framework_id'"));
      if (auto roles = check_framework_info(update.getFrameworkInfo()); !roles)
        return reply.send(bad_request(error_message(roles.error())));
      // The master's answer is the HTTP answer: 200 once applied, else 400.
      sys.spawn([master, call = *call, reply](caf::event_based_actor* self) {
        self->request(master, actor_answer_timeout, update_framework_atom::value, call)
          .then(
            [reply](const std::string& why) {
              if (!why.empty())
                return reply.send(bad_request(why));
              http_response ok;
              ok.status = 200;
              ok.content_type = "text/plain";
              reply.send(std::move(ok));
            },
            [reply](caf::error& err) {
              reply.send(text_response(503, "no answer: " + error_message(err)));
            });
      });
      return;
    }
    caf::anon_send(entry->stream, *call);
    http_response accepted;
    accepted.status = 202;
    accepted.content_type = "text/plain";
    reply.send(std::move(accepted));
  };
}

} // namespace cairn
