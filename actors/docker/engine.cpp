// One libcurl easy handle per call, so that calls on different threads share
// nothing; the engine's answers are bounded except the streams (logs, pull),
// which are consumed as they arrive.
#include "actors/docker/engine.hpp"

#include <curl/curl.h>

#include <cstdio>
#include <functional>
#include <memory>

#include "actors/docker/json_text.hpp"
#include "runtime/errors.hpp"

namespace cairn::docker {

namespace {

// Larger answers (a huge inspect, a list of thousands) are refused, not held.
constexpr size_t max_reply_bytes = 16 << 20;

struct curl_deleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct slist_deleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

using on_data_fn = std::function<bool(std::string_view)>;

struct transfer_state {
  on_data_fn on_data;
  const std::atomic<bool>* cancelled = nullptr;
};

size_t on_write(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<transfer_state*>(user);
  return t->on_data(std::string_view(data, size * count)) ? size * count : 0;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<transfer_state*>(user);
  return t->cancelled && t->cancelled->load() ? 1 : 0;
}

std::string escape(const std::string& text) {
  std::unique_ptr<CURL, curl_deleter> c(curl_easy_init());
  char* out = curl_easy_escape(c.get(), text.c_str(), static_cast<int>(text.size()));
  std::string escaped = out ? out : "";
  curl_free(out);
  return escaped;
}

// The engine's own words for a failed call ({"message": ...}), else its body.
std::string engine_message(const engine_reply& reply) {
  if (auto tree = json_tree::parse(reply.body)) {
    auto message = text_member(tree->root(), "message");
    if (!message.empty())
      return message;
  }
  auto body = reply.body.substr(0, 200);
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r'))
    body.pop_back();
  return body.empty() ? "status " + std::to_string(reply.status) : body;
}

caf::error failed(const std::string& what, const engine_reply& reply) {
  return make_error("Docker Engine: " + what + ": " + engine_message(reply) + " (status " +
                    std::to_string(reply.status) + ")");
}

} // namespace

image_ref split_image(const std::string& ref) {
  auto at = ref.find('@');
  if (at != std::string::npos)
    return {ref.substr(0, at), ref.substr(at + 1)};
  auto slash = ref.rfind('/');
  auto colon = ref.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
    return {ref.substr(0, colon), ref.substr(colon + 1)};
  return {ref, "latest"};
}

engine::engine(std::string socket_path, std::chrono::milliseconds timeout)
    : socket_(std::move(socket_path)), timeout_(timeout) {
}

namespace {

// The one place a request is made: `on_data` takes the body as it arrives.
caf::expected<long> transfer(const std::string& socket, const std::string& method,
                             const std::string& path, const std::string& body,
                             std::chrono::milliseconds timeout, transfer_state& state) {
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void) initialised;
  std::unique_ptr<CURL, curl_deleter> c(curl_easy_init());
  if (!c)
    return make_error("Docker Engine: cannot make a libcurl handle");
  std::string url = std::string("http://localhost/") + api_version + path;
  char error_text[CURL_ERROR_SIZE] = {0};
  std::unique_ptr<curl_slist, slist_deleter> headers;
  auto add_header = [&](const char* h) { headers.reset(curl_slist_append(headers.release(), h)); };
  add_header("Expect:");  // bodies go at once, not after a 100 Continue
  if (!body.empty())
    add_header("Content-Type: application/json");
  curl_easy_setopt(c.get(), CURLOPT_UNIX_SOCKET_PATH, socket.c_str());
  curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(c.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c.get(), CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(c.get(), CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  if (timeout.count() > 0)
    curl_easy_setopt(c.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  if (method == "POST" || !body.empty()) {
    curl_easy_setopt(c.get(), CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(c.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  if (method == "HEAD")
    curl_easy_setopt(c.get(), CURLOPT_NOBODY, 1L);
  curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &state);
  if (state.cancelled) {
    curl_easy_setopt(c.get(), CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c.get(), CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c.get(), CURLOPT_XFERINFODATA, &state);
  }
  auto rc = curl_easy_perform(c.get());
  long status = 0;
  curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &status);
  if (rc == CURLE_WRITE_ERROR || rc == CURLE_ABORTED_BY_CALLBACK)
    return status;  // the reader stopped on purpose
  if (rc != CURLE_OK)
    return make_error("Docker Engine at " + socket + ": " + method + " " + path + ": " +
                      (error_text[0] ? error_text : curl_easy_strerror(rc)));
  return status;
}

} // namespace

caf::expected<engine_reply> engine::call(const std::string& method, const std::string& path,
                                         const std::string& body,
                                         std::chrono::milliseconds timeout) const {
  engine_reply reply;
  bool too_large = false;
  transfer_state state;
  state.on_data = [&](std::string_view data) {
    if (reply.body.size() + data.size() > max_reply_bytes) {
      too_large = true;
      return false;
    }
    reply.body.append(data);
    return true;
  };
  auto status = transfer(socket_, method, path, body,
                         timeout.count() < 0 ? timeout_ : timeout, state);
  if (!status)
    return status.error();
  if (too_large)
    return make_error("Docker Engine: " + method + " " + path + ": answer larger than " +
                      std::to_string(max_reply_bytes) + " bytes");
  reply.status = *status;
  return reply;
}

caf::expected<std::string> engine::create(const std::string& name,
                                          const std::string& body) const {
  auto reply = call("POST", "/containers/create?name=" + escape(name), body);
  if (!reply)
    return reply.error();
  if (reply->status != 201)
    return failed("create " + name, *reply);
  auto tree = json_tree::parse(reply->body);
  if (!tree)
    return tree.error();
  return text_member(tree->root(), "Id");
}

caf::error engine::start(const std::string& name) const {
  auto reply = call("POST", "/containers/" + escape(name) + "/start");
  if (!reply)
    return reply.error();
  // 304: it runs already.
  if (reply->status != 204 && reply->status != 304)
    return failed("start " + name, *reply);
  return caf::none;
}

caf::expected<container_state> engine::inspect(const std::string& name) const {
  auto reply = call("GET", "/containers/" + escape(name) + "/json");
  if (!reply)
    return reply.error();
  if (reply->status != 200)
    return failed("inspect " + name, *reply);
  auto tree = json_tree::parse(reply->body);
  if (!tree)
    return tree.error();
  container_state s;
  s.id = text_member(tree->root(), "Id");
  capnp::JsonValue::Reader storage;
  if (auto state = member(tree->root(), "State", storage)) {
    s.status = text_member(*state, "Status");
    s.running = bool_member(*state, "Running");
    s.exit_code = static_cast<int>(number_member(*state, "ExitCode"));
    s.oom_killed = bool_member(*state, "OOMKilled");
    s.pid = static_cast<int>(number_member(*state, "Pid"));
  }
  return s;
}

caf::expected<int> engine::wait(const std::string& name) const {
  auto reply = call("POST", "/containers/" + escape(name) + "/wait", {},
                    std::chrono::milliseconds(0));
  if (!reply)
    return reply.error();
  if (reply->status != 200)
    return failed("wait " + name, *reply);
  auto tree = json_tree::parse(reply->body);
  if (!tree)
    return tree.error();
  capnp::JsonValue::Reader storage;
  if (auto err = member(tree->root(), "Error", storage); err && err->isObject()) {
    auto message = text_member(*err, "Message");
    if (!message.empty())
      return make_error("Docker Engine: wait " + name + ": " + message);
  }
  return static_cast<int>(number_member(tree->root(), "StatusCode", -1));
}

caf::error engine::stop(const std::string& name, int grace_seconds) const {
  // The engine answers once the container stopped: past its grace period.
  auto reply = call("POST", "/containers/" + escape(name) + "/stop?t=" +
                              std::to_string(grace_seconds),
                    {}, timeout_ + std::chrono::seconds(grace_seconds));
  if (!reply)
    return reply.error();
  if (reply->status != 204 && reply->status != 304)
    return failed("stop " + name, *reply);
  return caf::none;
}

caf::error engine::kill(const std::string& name, const std::string& signal) const {
  auto reply = call("POST", "/containers/" + escape(name) + "/kill?signal=" + escape(signal));
  if (!reply)
    return reply.error();
  if (reply->status != 204)
    return failed("kill " + name, *reply);
  return caf::none;
}

caf::error engine::remove(const std::string& name, bool force) const {
  auto reply = call("DELETE", "/containers/" + escape(name) + "?v=1&force=" +
                                (force ? "1" : "0"));
  if (!reply)
    return reply.error();
  if (reply->status != 204)
    return failed("remove " + name, *reply);
  return caf::none;
}

caf::expected<std::vector<std::string>>
engine::names_with_prefix(const std::string& prefix) const {
  auto reply = call("GET", "/containers/json?all=1");
  if (!reply)
    return reply.error();
  if (reply->status != 200)
    return failed("list containers", *reply);
  auto tree = json_tree::parse(reply->body);
  if (!tree)
    return tree.error();
  std::vector<std::string> found;
  if (!tree->root().isArray())
    return make_error("Docker Engine: list containers: the answer is not a list");
  for (auto c : tree->root().getArray()) {
    capnp::JsonValue::Reader storage;
    auto names = member(c, "Names", storage);
    if (!names || !names->isArray())
      continue;
    for (auto n : names->getArray()) {
      if (!n.isString())
        continue;
      std::string name = n.getString().cStr();
      if (!name.empty() && name[0] == '/')
        name.erase(0, 1);
      if (name.compare(0, prefix.size(), prefix) == 0)
        found.push_back(name);
    }
  }
  return found;
}

caf::expected<bool> engine::has_image(const std::string& ref) const {
  auto reply = call("GET", "/images/" + ref + "/json");
  if (!reply)
    return reply.error();
  if (reply->status == 200)
    return true;
  if (reply->status == 404)
    return false;
  return failed("inspect image " + ref, *reply);
}

caf::error engine::pull(const std::string& ref, std::chrono::milliseconds timeout) const {
  auto parts = split_image(ref);
  std::string path = "/images/create?fromImage=" + escape(parts.name) + "&tag=" +
                     escape(parts.tag);
  // Progress arrives as JSON lines; a failure is a line with "error".
  std::string line, failure, body;
  transfer_state state;
  state.on_data = [&](std::string_view data) {
    for (char c : data) {
      if (c != '\n') {
        if (line.size() < 65536)
          line += c;
        continue;
      }
      if (auto tree = json_tree::parse(line); tree && failure.empty())
        failure = text_member(tree->root(), "error");
      if (body.size() < 4096)
        body += line;
      line.clear();
    }
    return true;
  };
  auto status = transfer(socket_, "POST", path, {}, timeout, state);
  if (!status)
    return make_error("Failed to pull image '" + ref + "': " + error_message(status.error()));
  if (!line.empty() && failure.empty())
    if (auto tree = json_tree::parse(line))
      failure = text_member(tree->root(), "error");
  if (*status != 200)
    return make_error("Failed to pull image '" + ref + "': " +
                      engine_message({*status, body + line}));
  if (!failure.empty())
    return make_error("Failed to pull image '" + ref + "': " + failure);
  return caf::none;
}

caf::error engine::follow_logs(const std::string& name, const std::string& stdout_path,
                               const std::string& stderr_path,
                               const std::atomic<bool>& cancelled) const {
  std::unique_ptr<FILE, int (*)(FILE*)> out(std::fopen(stdout_path.c_str(), "ae"), std::fclose);
  std::unique_ptr<FILE, int (*)(FILE*)> err(std::fopen(stderr_path.c_str(), "ae"), std::fclose);
  if (!out || !err)
    return make_error("cannot open " + stdout_path + " or " + stderr_path + " for the logs");
  // Frames: 1 byte stream (1 stdout, 2 stderr), 3 zero bytes, a big-endian
  // 32-bit length, then that many bytes.
  std::string header;
  size_t left = 0;
  FILE* target = out.get();
  transfer_state state;
  state.cancelled = &cancelled;
  state.on_data = [&](std::string_view data) {
    while (!data.empty()) {
      if (left == 0) {
        size_t take = std::min(data.size(), 8 - header.size());
        header.append(data.substr(0, take));
        data.remove_prefix(take);
        if (header.size() < 8)
          break;
        auto b = [&](int i) { return static_cast<size_t>(static_cast<unsigned char>(header[i])); };
        target = header[0] == 2 ? err.get() : out.get();
        left = b(4) << 24 | b(5) << 16 | b(6) << 8 | b(7);
        header.clear();
        continue;
      }
      size_t take = std::min(data.size(), left);
      std::fwrite(data.data(), 1, take, target);
      std::fflush(target);
      data.remove_prefix(take);
      left -= take;
    }
    return !cancelled.load();
  };
  auto status = transfer(socket_, "GET",
                         "/containers/" + escape(name) +
                           "/logs?follow=1&stdout=1&stderr=1",
                         {}, std::chrono::milliseconds(0), state);
  if (!status)
    return status.error();
  if (*status != 200 && !cancelled.load())
    return make_error("Docker Engine: logs of " + name + ": status " + std::to_string(*status));
  return caf::none;
}

} // namespace cairn::docker
