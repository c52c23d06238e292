#include "actors/lb/lb_actor.hpp"

#include <atomic>
#include <memory>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <fmt/format.h>

#include "actors/lb/haproxy_config.hpp"
#include "actors/lb/haproxy_process.hpp"
#include "actors/lb/lb_services.hpp"
#include "actors/lb/sse_events.hpp"
#include "runtime/errors.hpp"
#include "runtime/http_client.hpp"
#include "runtime/log.hpp"

namespace cairn::lb {

namespace {

using tick_atom = caf::atom_constant<caf::atom("tick")>;
using refresh_atom = caf::atom_constant<caf::atom("refresh")>;
using read_atom = caf::atom_constant<caf::atom("read")>;
using follow_atom = caf::atom_constant<caf::atom("follow")>;

constexpr auto read_timeout = std::chrono::seconds(10);
// Events come in bursts (a deployment's updates): one read after the first.
constexpr auto coalesce_events = std::chrono::milliseconds(100);
constexpr auto follow_again_after = std::chrono::seconds(1);

auto log() {
  return logger("lb");
}

struct lb_state {
  static inline const char* name = "lb";
  ~lb_state() {
    cancelled->store(true);
    if (follower)
      caf::anon_send_exit(follower, caf::exit_reason::user_shutdown);
  }
  lb_options options;
  caf::actor follower;  // of /v2/events
  std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
  bool read_pending = false;
  std::unique_ptr<haproxy_process> haproxy;  // stopped when the state goes, with the actor
  std::string installed;        // the configuration HAProxy runs
  std::string refused_config;   // the last text `haproxy -c` refused: not checked again
  std::vector<std::string> refused_apps;  // logged when they change, not every read
  std::string read_error;       // likewise
};

using self_ptr = caf::stateful_actor<lb_state>*;

// The body of the first services address that answers 200.
caf::expected<std::string> read_services(const std::vector<std::string>& addresses) {
  std::string errors;
  for (auto& address : addresses) {
    auto url = "http://" + address + "/v2/apps?embed=apps.tasks";
    auto got = http_get(url, read_timeout);
    if (got && got->status == 200)
      return std::move(got->body);
    errors += (errors.empty() ? "" : "; ") +
              (got ? fmt::format("{} answered {}", url, got->status)
                   : error_message(got.error()));
  }
  return make_error(errors);
}

void note_refusals(lb_state& st, std::vector<std::string> refused) {
  if (refused == st.refused_apps)
    return;
  for (auto& line : refused)
    log()->warn("not balanced: {}", line);
  st.refused_apps = std::move(refused);
}

// HAProxy running on `text`: installed and reloaded when it changed, started
// when it is not running (on the last configuration installed, when HAProxy
// refuses `text`).
void serve(lb_state& st, const std::string& text) {
  bool fresh = false;
  if (text != st.installed && text != st.refused_config) {
    if (auto err = st.haproxy->install(text)) {
      log()->error("configuration not installed: {}", error_message(err));
      st.refused_config = text;
    } else {
      st.installed = text;
      fresh = true;
    }
  }
  if (st.installed.empty() || (!fresh && st.haproxy->running()))
    return;
  bool was_running = st.haproxy->running();
  if (auto err = st.haproxy->reload())
    log()->error("{}", error_message(err));
  else
    log()->info("haproxy {} on {}", was_running ? "reloaded" : "started",
                st.options.config_path);
}

void refresh(lb_state& st) {
  if (auto how = st.haproxy->ended())
    log()->error("haproxy's master {}; starting it again", *how);
  config_options c{st.options.bind, st.options.stats_port,
                   fmt::format("{}", fmt::join(st.options.services, ","))};
  auto body = read_services(st.options.services);
  if (!body) {
    auto message = error_message(body.error());
    if (message != st.read_error)
      log()->warn("cannot read the apps: {}; keeping what HAProxy serves", message);
    st.read_error = message;
    // HAProxy runs even before the first read, serving its stats listener.
    if (!st.haproxy->running())
      serve(st, st.installed.empty() ? haproxy_config({}, c) : st.installed);
    return;
  }
  st.read_error.clear();
  auto apps = read_apps(*body);
  if (!apps) {
    log()->warn("{}; keeping what HAProxy serves", error_message(apps.error()));
    return;
  }
  note_refusals(st, std::move(apps->refused));
  serve(st, haproxy_config(*apps, c));
}

// Follows /v2/events of the first services address that streams one and
// asks `lb` for a read on each event that may change backends, and after a
// stream ends (events may have been missed). The stream blocks this actor's
// thread; `cancelled` ends it when the lb ends.
caf::behavior event_follower(caf::event_based_actor* self, std::vector<std::string> addresses,
                             caf::actor lb, std::shared_ptr<std::atomic<bool>> cancelled) {
  self->send(self, follow_atom::value);
  auto last_error = std::make_shared<std::string>();
  return {
    [=](follow_atom) {
      for (auto& address : addresses) {
        if (cancelled->load())
          return;
        sse_events events;
        auto err = http_stream_get(
          "http://" + address + "/v2/events",
          [&](std::string_view chunk) {
            for (auto& type : events.feed(chunk))
              if (changes_backends(type))
                self->send(lb, refresh_atom::value);
            return !cancelled->load();
          },
          read_timeout, cancelled.get());
        auto message = err ? error_message(err) : "";
        if (err && message != *last_error)
          log()->warn("cannot follow the events: {}; reading every interval", message);
        *last_error = message;
      }
      self->send(lb, refresh_atom::value);
      self->delayed_send(self, follow_again_after, follow_atom::value);
    },
  };
}

caf::behavior lb_node(self_ptr self, lb_options options) {
  auto& st = self->state;
  st.options = std::move(options);
  st.haproxy = std::make_unique<haproxy_process>(st.options.haproxy, st.options.config_path);
  self->send(self, tick_atom::value);
  if (st.options.sse)
    st.follower = self->spawn<caf::detached>(event_follower, st.options.services,
                                             caf::actor_cast<caf::actor>(self), st.cancelled);
  return {
    [self](tick_atom) {
      refresh(self->state);
      self->delayed_send(self, self->state.options.interval, tick_atom::value);
    },
    [self](refresh_atom) {
      if (self->state.read_pending)
        return;
      self->state.read_pending = true;
      self->delayed_send(self, coalesce_events, read_atom::value);
    },
    [self](read_atom) {
      self->state.read_pending = false;
      refresh(self->state);
    },
  };
}

} // namespace

caf::actor spawn_lb(caf::actor_system& sys, lb_options options) {
  return sys.spawn<caf::detached>(lb_node, std::move(options));
}

} // namespace cairn::lb
