#include "actors/http/kv_http.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include <caf/event_based_actor.hpp>
#include <fmt/format.h>

#include "actors/http/routes.hpp"
#include "schema/registry.capnp.h"
#include "storage/registry.hpp"

namespace cairn {

namespace {

// A write's precondition: a version to match, or none (any version will do).
struct precondition {
  bool given = false;
  uint64_t version = 0;  // 0: the key must not exist
};

// If-Match: "7" (or 7) and If-None-Match: *; an error names what is wrong.
caf::expected<precondition> read_precondition(const http_request& request, bool put) {
  precondition p;
  auto match = request.header("if-match");
  auto none_match = request.header("if-none-match");
  if (!match.empty() && !none_match.empty())
    return make_error("give If-Match or If-None-Match, not both");
  if (!none_match.empty()) {
    if (!put || none_match != "*")
      return make_error("If-None-Match: only '*', and only on PUT");
    p.given = true;
    return p;
  }
  if (match.empty())
    return p;
  std::string digits = match;
  if (digits.size() >= 2 && digits.front() == '"' && digits.back() == '"')
    digits = digits.substr(1, digits.size() - 2);
  if (digits.empty() || digits.size() > 19
      || !std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); })
      || std::stoull(digits) == 0)
    return make_error("If-Match: a version is a positive number, as ETag gives it");
  p.given = true;
  p.version = std::stoull(digits);
  return p;
}

http_response written(const std::string& key, uint64_t version) {
  return json_response(to_json(make_wire<schema::registry::KvWritten>([&](auto w) {
                                 w.setKey(key);
                                 w.setVersion(version);
                               }).get()));
}

// What a refused write answers: a failed precondition, else the store is full
// (or, for a delete, the key was not there).
http_response refused(const precondition& p, bool put, const std::string& why) {
  if (p.given)
    return text_response(412, why);
  return text_response(put ? 507 : 404, why);
}

template <class Request>
void write(caf::actor_system& sys, std::string key, precondition p, bool put, http_reply reply,
           Request request) {
  sys.spawn([=](caf::event_based_actor* self) {
    request(self).then(
      [=](bool ok, const std::string& why, uint64_t version) {
        reply.send(ok ? written(key, version) : refused(p, put, why));
      },
      [=](caf::error& err) {
        reply.send(text_response(503, error_message(err)));
      });
  });
}

} // namespace

void serve_kv(caf::actor_system& sys, const master_actor& master, const http_request& request,
              http_reply reply) {
  auto key = url_decode(std::string_view(request.path).substr(kv_path_prefix.size()), false);
  // Refused here, with the registry's own reason, before anything is written.
  if (auto why = kv_key_problem(key); !why.empty())
    return reply.send(text_response(400, why));
  if (request.method == "GET") {
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(master, actor_answer_timeout, kv_get_atom::value, key)
        .then(
          [=](uint64_t version, const std::string& value) {
            if (version == 0)
              return reply.send(text_response(404, "no such key: " + key));
            http_response r;
            r.content_type = "application/octet-stream";
            r.body = value;
            r.headers.emplace_back("ETag", fmt::format("\"{}\"", version));
            reply.send(std::move(r));
          },
          [=](caf::error& err) {
            reply.send(text_response(503, "no answer: " + error_message(err)));
          });
    });
    return;
  }
  bool put = request.method == "PUT";
  if (!put && request.method != "DELETE")
    return reply.send(text_response(405, "GET, PUT or DELETE a key"));
  if (put) {
    if (auto refused = refuse_body_type(request, body_format::bytes))
      return reply.send(std::move(*refused));
  }
  auto p = read_precondition(request, put);
  if (!p)
    return reply.send(text_response(400, error_message(p.error())));
  if (put && request.body.size() > registry_limits::max_value_bytes)
    return reply.send(text_response(413, kv_problem(key, request.body)));
  if (put) {
    auto value = request.body;
    return write(sys, key, *p, true, std::move(reply), [=](caf::event_based_actor* self) {
      return self->request(master, actor_answer_timeout, kv_set_atom::value, key, value,
                           p->version, !p->given);
    });
  }
  write(sys, key, *p, false, std::move(reply), [=](caf::event_based_actor* self) {
    return self->request(master, actor_answer_timeout, kv_delete_atom::value, key, p->version,
                         !p->given);
  });
}

void serve_registry(caf::actor_system& sys, const master_actor& master, http_reply reply) {
  serve_from_actor<std::string>(sys, master, registry_atom::value, std::move(reply),
                                [](const std::string& entry) {
                                  auto json = registry_json(entry);
                                  return json ? json_response(std::move(*json))
                                              : text_response(500, error_message(json.error()));
                                });
}

} // namespace cairn
