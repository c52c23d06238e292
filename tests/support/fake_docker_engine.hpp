// A stand-in for the Docker Engine on a unix socket, for tests of the
// Engine API client: it answers each request from a handler and records
// what it was asked. One connection at a time, each closed after its answer,
// unless made concurrent: then each connection is answered on a thread of its
// own, for handlers that block (a wait until a kill came).
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cairn::test {

struct fake_request {
  std::string method;
  std::string target;  // path and query, e.g. /v1.41/containers/create?name=x
  std::string body;
};

struct fake_reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

class fake_docker_engine {
public:
  using handler = std::function<fake_reply(const fake_request&)>;
  explicit fake_docker_engine(handler h, bool concurrent = false);
  ~fake_docker_engine();
  const std::string& socket_path() const { return path_; }
  std::vector<fake_request> requests() const;

private:
  void serve();
  void answer(int fd);
  handler handler_;
  bool concurrent_ = false;
  std::vector<std::thread> answering_;
  std::string dir_;
  std::string path_;
  int listener_ = -1;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<fake_request> requests_;
  std::thread thread_;
};

} // namespace cairn::test
