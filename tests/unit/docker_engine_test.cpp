// The Engine API client asks the engine what Docker documents and reads its
// answers and failures right, against a fake engine on a unix socket.
#include <doctest/doctest.h>

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "actors/docker/engine.hpp"
#include "runtime/errors.hpp"
#include "tests/support/fake_docker_engine.hpp"

using namespace cairn;
using namespace cairn::docker;
using cairn::test::fake_docker_engine;
using cairn::test::fake_reply;
using cairn::test::fake_request;

namespace {

std::string frame(char stream, const std::string& text) {
  std::string f(8, '\0');
  f[0] = stream;
  auto n = static_cast<uint32_t>(text.size());
  f[4] = static_cast<char>(n >> 24);
  f[5] = static_cast<char>(n >> 16);
  f[6] = static_cast<char>(n >> 8);
  f[7] = static_cast<char>(n);
  return f + text;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

} // namespace

TEST_CASE("create posts the body under the container's name and returns its id") {
  fake_docker_engine fake([](const fake_request&) { return fake_reply{201, R"({"Id":"abc"})"}; });
  engine e(fake.socket_path());
  auto id = e.create("mesos-1", R"({"Image":"busybox"})");
  REQUIRE(id);
  CHECK(*id == "abc");
  auto asked = fake.requests();
  REQUIRE(asked.size() == 1);
  CHECK(asked[0].method == "POST");
  CHECK(asked[0].target == "/v1.41/containers/create?name=mesos-1");
  CHECK(asked[0].body == R"({"Image":"busybox"})");
}

TEST_CASE("an engine error carries the engine's message and status") {
  fake_docker_engine fake([](const fake_request&) {
    return fake_reply{404, R"({"message":"No such image: nothere:1"})"};
  });
  engine e(fake.socket_path());
  auto id = e.create("mesos-1", "{}");
  REQUIRE_FALSE(id);
  CHECK(error_message(id.error()) ==
        "Docker Engine: create mesos-1: No such image: nothere:1 (status 404)");
  CHECK(e.start("mesos-1"));
  CHECK(e.kill("mesos-1", "SIGTERM"));
  CHECK(e.remove("mesos-1", true));
  CHECK_FALSE(e.inspect("mesos-1"));
}

TEST_CASE("start, stop, kill and remove use the Engine API's paths") {
  fake_docker_engine fake([](const fake_request& r) {
    return fake_reply{r.target.find("/start") != std::string::npos ? 304 : 204, ""};
  });
  engine e(fake.socket_path());
  CHECK_FALSE(e.start("mesos-a"));  // 304: already running is no error
  CHECK_FALSE(e.stop("mesos-a", 7));
  CHECK_FALSE(e.kill("mesos-a", "SIGKILL"));
  CHECK_FALSE(e.remove("mesos-a", true));
  auto asked = fake.requests();
  REQUIRE(asked.size() == 4);
  CHECK(asked[0].target == "/v1.41/containers/mesos-a/start");
  CHECK(asked[1].target == "/v1.41/containers/mesos-a/stop?t=7");
  CHECK(asked[2].target == "/v1.41/containers/mesos-a/kill?signal=SIGKILL");
  CHECK(asked[3].method == "DELETE");
  CHECK(asked[3].target == "/v1.41/containers/mesos-a?v=1&force=1");
}

TEST_CASE("inspect reads the state: running, exit code, OOM kill") {
  fake_docker_engine fake([](const fake_request&) {
    return fake_reply{200, R"({"Id":"x1","State":{"Status":"exited","Running":false,
      "ExitCode":137,"OOMKilled":true,"Pid":0},"Name":"/mesos-1"})"};
  });
  engine e(fake.socket_path());
  auto s = e.inspect("mesos-1");
  REQUIRE(s);
  CHECK(s->id == "x1");
  CHECK(s->status == "exited");
  CHECK_FALSE(s->running);
  CHECK(s->exit_code == 137);
  CHECK(s->oom_killed);
}

TEST_CASE("wait returns the exit code, or the engine's wait error") {
  int round = 0;
  fake_docker_engine fake([&](const fake_request&) {
    return ++round == 1 ? fake_reply{200, R"({"StatusCode":3})"}
                        : fake_reply{200, R"({"StatusCode":0,"Error":{"Message":"gone"}})"};
  });
  engine e(fake.socket_path());
  auto code = e.wait("mesos-1");
  REQUIRE(code);
  CHECK(*code == 3);
  auto failed = e.wait("mesos-1");
  REQUIRE_FALSE(failed);
  CHECK(error_message(failed.error()).find("gone") != std::string::npos);
  CHECK(fake.requests()[0].target == "/v1.41/containers/mesos-1/wait");
}

TEST_CASE("names_with_prefix lists only the names that start with it") {
  fake_docker_engine fake([](const fake_request&) {
    return fake_reply{200, R"([{"Names":["/mesos-1"]},{"Names":["/other"]},
      {"Names":["/mesos-2","/alias"]}])"};
  });
  engine e(fake.socket_path());
  auto names = e.names_with_prefix("mesos-");
  REQUIRE(names);
  CHECK(*names == std::vector<std::string>{"mesos-1", "mesos-2"});
  CHECK(fake.requests()[0].target == "/v1.41/containers/json?all=1");
}

TEST_CASE("has_image tells present from missing; other answers are errors") {
  fake_docker_engine fake([](const fake_request& r) {
    if (r.target.find("busybox:local") != std::string::npos)
      return fake_reply{200, "{}"};
    if (r.target.find("broken") != std::string::npos)
      return fake_reply{500, R"({"message":"boom"})"};
    return fake_reply{404, R"({"message":"no such image"})"};
  });
  engine e(fake.socket_path());
  CHECK(*e.has_image("busybox:local") == true);
  CHECK(*e.has_image("missing:1") == false);
  CHECK_FALSE(e.has_image("broken:1"));
}

TEST_CASE("pull splits name and tag and finds a failure inside a 200 stream") {
  fake_docker_engine fake([](const fake_request& r) {
    if (r.target.find("bad") != std::string::npos)
      return fake_reply{200, "{\"status\":\"Pulling\"}\n{\"errorDetail\":{\"message\":\"x\"},"
                             "\"error\":\"manifest unknown\"}\n"};
    if (r.target.find("denied") != std::string::npos)
      return fake_reply{404, R"({"message":"pull access denied"})"};
    return fake_reply{200, "{\"status\":\"Pulling\"}\n{\"status\":\"Done\"}\n"};
  });
  engine e(fake.socket_path());
  CHECK_FALSE(e.pull("127.0.0.1:5000/app:2", std::chrono::seconds(5)));
  CHECK_FALSE(e.pull("plain", std::chrono::seconds(5)));
  auto bad = e.pull("bad:1", std::chrono::seconds(5));
  REQUIRE(bad);
  CHECK(error_message(bad) == "Failed to pull image 'bad:1': manifest unknown");
  auto denied = e.pull("denied", std::chrono::seconds(5));
  REQUIRE(denied);
  CHECK(error_message(denied) == "Failed to pull image 'denied': pull access denied");
  auto asked = fake.requests();
  CHECK(asked[0].target == "/v1.41/images/create?fromImage=127.0.0.1%3A5000%2Fapp&tag=2");
  CHECK(asked[1].target == "/v1.41/images/create?fromImage=plain&tag=latest");
}

TEST_CASE("split_image: registry ports, tags and digests") {
  CHECK(split_image("busybox").tag == "latest");
  CHECK(split_image("busybox:1.36").name == "busybox");
  CHECK(split_image("busybox:1.36").tag == "1.36");
  CHECK(split_image("127.0.0.1:1/missing").name == "127.0.0.1:1/missing");
  CHECK(split_image("127.0.0.1:1/missing").tag == "latest");
  CHECK(split_image("127.0.0.1:1/missing:1").tag == "1");
  CHECK(split_image("a/b@sha256:00").name == "a/b");
  CHECK(split_image("a/b@sha256:00").tag == "sha256:00");
}

TEST_CASE("follow_logs splits the multiplexed stream into stdout and stderr") {
  std::string body = frame(1, "hello\n") + frame(2, "oops\n") + frame(1, "bye\n");
  fake_docker_engine fake([&](const fake_request&) {
    return fake_reply{200, body, "application/vnd.docker.raw-stream"};
  });
  engine e(fake.socket_path());
  char dir[] = "/tmp/docker-logs-XXXXXX";
  REQUIRE(mkdtemp(dir));
  std::string out = std::string(dir) + "/stdout", err = std::string(dir) + "/stderr";
  std::atomic<bool> cancelled{false};
  CHECK_FALSE(e.follow_logs("mesos-1", out, err, cancelled));
  CHECK(read_file(out) == "hello\nbye\n");
  CHECK(read_file(err) == "oops\n");
  CHECK(fake.requests()[0].target == "/v1.41/containers/mesos-1/logs?follow=1&stdout=1&stderr=1");
  unlink(out.c_str());
  unlink(err.c_str());
  rmdir(dir);
}

TEST_CASE("no engine at the socket is an error naming the socket") {
  engine e("/nonexistent/docker.sock");
  auto s = e.inspect("mesos-1");
  REQUIRE_FALSE(s);
  CHECK(error_message(s.error()).find("/nonexistent/docker.sock") != std::string::npos);
}
