#include "actors/http/node_calls.hpp"

#include <atomic>
#include <cerrno>
#include <climits>
#include <chrono>
#include <cstdlib>

#include <caf/event_based_actor.hpp>

#include "actors/http/files_api.hpp"
#include "actors/http/routes.hpp"
#include "runtime/duration.hpp"
#include "runtime/limits.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

namespace op = schema::operator_api;
using Type = op::Call::Type;

using revert_atom = caf::atom_constant<caf::atom("logrevert")>;

// At most this many files calls block a thread of their own at once; more
// are answered 503 rather than queued without bound.
std::atomic<size_t> files_calls_running{0};

// Sets the verbosity and starts the timer that takes it back. The timer is a
// hidden actor, so that a long duration does not hold up the node's stop.
void set_level_for(caf::actor_system& sys, uint32_t level, duration d) {
  uint64_t generation = set_logging_verbosity(level);
  logger("http")->info("logging level set to {} for {}", level, format_duration(d));
  sys.spawn<caf::hidden>([generation, d](caf::event_based_actor* self) -> caf::behavior {
    self->delayed_send(self, d, revert_atom::value);
    return {[=](revert_atom) {
      revert_logging_verbosity(generation);
      self->quit();
    }};
  });
}

// Mesos' levels are glog's verbosity, an int.
bool level_in_range(uint64_t level) {
  return level <= static_cast<uint64_t>(INT32_MAX);
}

std::optional<duration> duration_in_range(duration d) {
  if (d.count() < 0 || to_seconds(d) > limits::max_input_duration_seconds)
    return std::nullopt;
  return d;
}

template <class Fill>
http_response answer(const mesos_media& media, mesos_message type, Type call, Fill fill) {
  auto r = make_wire<op::Response>([&](op::Response::Builder b) {
    b.setType(call);
    fill(b);
  });
  return mesos_answer(media, type, to_json(*r));
}

} // namespace

void off_the_loop(caf::actor_system& sys, const http_reply& reply,
                  std::function<http_response()> work) {
  if (++files_calls_running > limits::max_files_calls_running) {
    --files_calls_running;
    reply.send(text_response(503, "too many files calls at once; try again"));
    return;
  }
  sys.spawn<caf::detached + caf::hidden>([reply, work](caf::event_based_actor* self) {
    reply.send(work());
    --files_calls_running;
    self->quit();
  });
}

namespace {

void list_files(caf::actor_system& sys, const op::Call::Reader& call, const mesos_media& media,
                mesos_message type, const std::string& root, const http_reply& reply) {
  std::string path = call.getListFiles().getPath();
  if (path.empty())
    return reply.send(text_response(400, "Expecting 'list_files.path'"));
  off_the_loop(sys, reply, [=]() {
    std::vector<file_entry> entries;
    if (auto failed = root.empty() ? std::optional<files_error>(files_error{
                                       404, "no such file or directory here: " + path})
                                   : list_directory(root, path, entries))
      return text_response(failed->status, failed->message);
    return answer(media, type, Type::LIST_FILES, [&](op::Response::Builder b) {
      auto list = b.initListFiles().initFileInfos(static_cast<unsigned>(entries.size()));
      for (unsigned i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        list[i].setPath(e.path);
        list[i].setNlink(static_cast<int32_t>(std::min<uint64_t>(e.nlink, INT32_MAX)));
        list[i].setSize(e.size);
        list[i].initMtime().setNanoseconds(e.mtime_ns);
        list[i].setMode(e.mode);
        list[i].setUid(e.uid);
        list[i].setGid(e.gid);
      }
    });
  });
}

void read_file(caf::actor_system& sys, const op::Call::Reader& call, const mesos_media& media,
               mesos_message type, const std::string& root, const http_reply& reply) {
  auto asked = call.getReadFile();
  std::string path = asked.getPath();
  if (path.empty())
    return reply.send(text_response(400, "Expecting 'read_file.path'"));
  uint64_t offset = asked.getOffset();
  // 0 (or absent) reads to the end, a page at most.
  std::optional<uint64_t> to_read;
  if (asked.getLength() != 0)
    to_read = asked.getLength();
  off_the_loop(sys, reply, [=]() {
    uint64_t size = 0;
    std::string data;
    if (auto failed = root.empty() ? std::optional<files_error>(files_error{
                                       404, "no such file or directory here: " + path})
                                   : read_bytes(root, path, offset, to_read, size, data))
      return text_response(failed->status, failed->message);
    return answer(media, type, Type::READ_FILE, [&](op::Response::Builder b) {
      auto r = b.initReadFile();
      r.setSize(size);
      r.setData(kj::arrayPtr(reinterpret_cast<const kj::byte*>(data.data()), data.size()));
    });
  });
}

} // namespace

bool serve_node_call(caf::actor_system& sys, const operator_call& call, const mesos_media& media,
                     mesos_message type, const std::string& files_root,
                     const http_reply& reply) {
  auto c = *call;
  switch (c.getType()) {
    case Type::GET_LOGGING_LEVEL:
      reply.send(answer(media, type, Type::GET_LOGGING_LEVEL, [](op::Response::Builder b) {
        b.initGetLoggingLevel().setLevel(logging_verbosity());
      }));
      return true;
    case Type::SET_LOGGING_LEVEL: {
      if (!c.hasSetLoggingLevel() || !c.getSetLoggingLevel().hasDuration()) {
        reply.send(text_response(400, "Expecting 'set_logging_level' with 'level' and "
                                      "'duration'"));
        return true;
      }
      auto set = c.getSetLoggingLevel();
      auto d = duration_in_range(duration(set.getDuration().getNanoseconds()));
      if (!d || !level_in_range(set.getLevel())) {
        reply.send(text_response(400, "Expecting 'set_logging_level.duration' between 0 and "
                                      "ten years and a 'level' that fits an int"));
        return true;
      }
      set_level_for(sys, set.getLevel(), *d);
      reply.send(text_response(200, ""));
      return true;
    }
    case Type::LIST_FILES:
      list_files(sys, c, media, type, files_root, reply);
      return true;
    case Type::READ_FILE:
      read_file(sys, c, media, type, files_root, reply);
      return true;
    default:
      return false;
  }
}

void serve_logging_toggle(caf::actor_system& sys, const http_request& request,
                          http_reply reply) {
  auto level_text = request.query_param("level");
  auto duration_text = request.query_param("duration");
  if (level_text.empty())
    return reply.send(text_response(400, "Expecting 'level' in query parameters"));
  if (duration_text.empty())
    return reply.send(text_response(400, "Expecting 'duration' in query parameters"));
  char* end = nullptr;
  errno = 0;
  unsigned long long level = std::strtoull(level_text.c_str(), &end, 10);
  if (errno != 0 || end == level_text.c_str() || *end != '\0' || level_text[0] == '-'
      || !level_in_range(level))
    return reply.send(text_response(400, "Invalid level '" + level_text + "'"));
  auto parsed = parse_duration(duration_text);
  auto d = parsed ? duration_in_range(*parsed) : std::nullopt;
  if (!d)
    return reply.send(text_response(400, "Invalid duration '" + duration_text + "'"));
  set_level_for(sys, static_cast<uint32_t>(level), *d);
  reply.send(text_response(200, ""));
}

} // namespace cairn
