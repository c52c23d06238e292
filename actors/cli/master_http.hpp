// Fetching JSON documents from a master or an agent for the CLI's views:
// blocking GETs (libcurl), 307 redirects followed to the leading master, and
// bodies decoded only through the project's codec into schema/state.capnp
// types. Errors say what failed and at which node.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <caf/expected.hpp>

#include "runtime/errors.hpp"
#include "runtime/http_client.hpp"
#include "runtime/json.hpp"
#include "runtime/wire.hpp"
#include "schema/state.capnp.h"

namespace cairn {

// How long one GET may take: a /master/state of a large cluster is tens of
// megabytes, which loopback and a LAN move well within this.
inline constexpr std::chrono::seconds cli_http_timeout{30};
// Redirect hops followed: one is enough to reach the leader from any master;
// a few more tolerate a leader that moved while we were being redirected,
// and the bound stops two masters that point at each other.
inline constexpr int cli_max_redirects = 4;

// A node's HTTP API as one command sees it. After a redirect the node is
// the one redirected to, so later requests go straight to the leader. Given
// several addresses (every master), a request goes to the one that answered
// last, then to each other in turn until one answers: a master that is down,
// or that answers 503 while none leads, is passed over.
class node_http {
public:
  // `role` names the node in messages ("master", "agent"); `address` is
  // HOST:PORT, or a URL http://HOST:PORT, or several of them separated by commas.
  node_http(std::string role, const std::string& address);

  // Where requests go now (HOST:PORT), after any redirect.
  const std::string& address() const {
    return address_;
  }

  // "the master at 127.0.0.1:5050", for messages.
  std::string where() const;

  // The answer to GET `path` (with its query), whatever its status;
  // redirects are followed. Errors are the node not answering.
  caf::expected<http_result> get_any(const std::string& path);

  // The body of GET `path`, which must answer 200.
  caf::expected<std::string> get(const std::string& path);

  // GET `path` decoded as T.
  template <class T>
  caf::expected<wire<T>> get_json(const std::string& path) {
    auto body = get(path);
    if (!body)
      return body.error();
    auto doc = from_json<T>(*body);
    if (!doc)
      return make_error(where() + " answered GET " + path
                        + " with a document that does not parse: " + error_message(doc.error()));
    return doc;
  }

private:
  // GET `path` at address_, following redirects.
  caf::expected<http_result> get_here(const std::string& path);

  std::string role_;
  std::string scheme_; // "http://" unless a redirect said https
  std::string address_;
  std::vector<std::pair<std::string, std::string>> others_; // (scheme, address) given
};

// Every task of a /master/state document with its framework: the tasks and
// completed tasks of frameworks and of completed frameworks, in that order.
template <class F>
void for_each_task(schema::state::Master::Reader state, F&& visit) {
  for (auto frameworks : {state.getFrameworks(), state.getCompletedFrameworks()})
    for (auto framework : frameworks) {
      for (auto task : framework.getTasks())
        visit(framework, task);
      for (auto task : framework.getCompletedTasks())
        visit(framework, task);
    }
}

// `text` with every byte outside [A-Za-z0-9-._~/] percent-encoded, for query
// values such as sandbox paths.
std::string url_encode(const std::string& text);

} // namespace cairn
