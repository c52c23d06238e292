// Only frames CAF itself would send get past an actor port's gate, and a real
// node behind a gate serves peers and survives the bytes that crash CAF alone.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <algorithm>
#include <cstring>
#include <vector>

#include <caf/all.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/io/all.hpp>

#include "runtime/actor_gate.hpp"
#include "runtime/basp_guard.hpp"
#include "runtime/limits.hpp"
#include "runtime/system.hpp"

using namespace cairn;

namespace {

enum : uint8_t { server_hs = 0, client_hs = 1, direct = 2, routed = 3, monitor = 4, down = 5,
                 heartbeat = 6 };

std::vector<uint8_t> frame(basp_header h, const std::vector<uint8_t>& payload = {}) {
  std::vector<uint8_t> out(basp_header::size);
  h.write(out.data());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

std::vector<uint8_t> node_id_bytes() {
  caf::node_id::default_data::host_id_type host{};
  host[0] = 7;
  auto id = caf::make_node_id(42, host);
  std::vector<char> buf;
  caf::binary_serializer sink{static_cast<caf::execution_unit*>(nullptr), buf};
  REQUIRE(!sink(id));
  return {buf.begin(), buf.end()};
}

basp_header header(uint8_t op, uint32_t len) {
  basp_header h;
  h.operation = op;
  h.payload_len = len;
  return h;
}

// The client's handshake, as CAF writes it.
std::vector<uint8_t> handshake() {
  auto id = node_id_bytes();
  return frame(header(client_hs, static_cast<uint32_t>(id.size())), id);
}

std::string check(const std::vector<uint8_t>& bytes) {
  return check_basp_stream(bytes.data(), bytes.size());
}

std::vector<uint8_t> operator+(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

} // namespace

TEST_CASE("a header reads back as it was written, big-endian") {
  basp_header h;
  h.operation = direct;
  h.flags = 1;
  h.payload_len = 0x01020304;
  h.operation_data = 0x1122334455667788;
  h.source_actor = 9;
  h.dest_actor = 0xfffffffffffffffe;
  uint8_t bytes[basp_header::size];
  h.write(bytes);
  CHECK(bytes[4] == 1);
  CHECK(bytes[7] == 4);
  auto back = basp_header::read(bytes);
  CHECK(back.operation == h.operation);
  CHECK(back.flags == h.flags);
  CHECK(back.payload_len == h.payload_len);
  CHECK(back.operation_data == h.operation_data);
  CHECK(back.source_actor == h.source_actor);
  CHECK(back.dest_actor == h.dest_actor);
}

TEST_CASE("a handshake with an empty payload, which crashes CAF 0.17, is refused") {
  std::vector<uint8_t> crash(32, 0);
  crash[0] = 0x01;
  CHECK_FALSE(check(crash).empty());
}

TEST_CASE("a real handshake, then messages as CAF sends them, pass") {
  auto d = header(direct, 5);
  d.dest_actor = 3;
  auto m = header(monitor, 4);
  auto dn = header(down, 4);
  dn.source_actor = 5;
  auto stream = handshake() + frame(d, {1, 2, 3, 4, 5}) + frame(header(heartbeat, 0)) +
                frame(m, {0, 0, 0, 0}) + frame(dn, {0, 0, 0, 0});
  CHECK(check(stream) == "");
}

TEST_CASE("bytes that arrive a few at a time pass as far as they are whole, and no further") {
  auto d = header(direct, 5);
  d.dest_actor = 3;
  auto good = handshake() + frame(d, {1, 2, 3, 4, 5}) + frame(header(heartbeat, 0));
  auto bad = frame(header(direct, 0));
  auto stream = good + bad;
  basp_guard guard;
  std::vector<uint8_t> held;
  size_t passed = 0;
  std::string why;
  for (size_t at = 0; at < stream.size() && why.empty(); at += 3) {
    held.insert(held.end(), stream.begin() + at,
                stream.begin() + std::min(stream.size(), at + 3));
    size_t n = guard.scan(held.data(), held.size(), why);
    passed += n;
    held.erase(held.begin(), held.begin() + n);
    // Never a part of a header or of the handshake, never the bad frame.
    CHECK(passed <= good.size());
  }
  CHECK(passed == good.size());
  CHECK_FALSE(why.empty());
  CHECK(guard.handshaken());
}

TEST_CASE("nothing but a handshake comes first") {
  auto d = header(direct, 1);
  d.dest_actor = 3;
  CHECK_FALSE(check(frame(d, {0})).empty());
  CHECK_FALSE(check(frame(header(heartbeat, 0))).empty());
  CHECK_FALSE(check(frame(header(server_hs, 4), {0, 0, 0, 0})).empty());
}

TEST_CASE("a handshake whose node id does not parse or runs on is refused") {
  CHECK_FALSE(check(frame(header(client_hs, 3), {1, 2, 3})).empty());
  auto id = node_id_bytes();
  id.push_back(0);
  CHECK_FALSE(check(frame(header(client_hs, static_cast<uint32_t>(id.size())), id)).empty());
  auto big = header(client_hs, limits::basp_max_handshake_bytes + 1);
  CHECK_FALSE(check(frame(big)).empty());
  auto with_actor = header(client_hs, static_cast<uint32_t>(node_id_bytes().size()));
  with_actor.dest_actor = 1;
  CHECK_FALSE(check(frame(with_actor, node_id_bytes())).empty());
}

TEST_CASE("after the handshake, frames CAF would not send are refused") {
  auto hs = handshake();
  // Every kind of message that CAF reads a body for, without one.
  for (uint8_t op : {direct, routed, monitor, down}) {
    auto h = header(op, 0);
    h.dest_actor = op == down ? 0 : 3;
    h.source_actor = 5;
    CAPTURE(int(op));
    CHECK_FALSE(check(hs + frame(h)).empty());
  }
  auto no_receiver = header(direct, 1);
  CHECK_FALSE(check(hs + frame(no_receiver, {0})).empty());
  auto beat = header(heartbeat, 0);
  beat.operation_data = 1;
  CHECK_FALSE(check(hs + frame(beat)).empty());
  CHECK(check(hs + handshake()).empty()); // CAF repeats it; checked all the same
  CHECK_FALSE(check(hs + frame(header(client_hs, 0))).empty());
  CHECK_FALSE(check(hs + frame(header(server_hs, 1), {0})).empty());
  CHECK_FALSE(check(hs + frame(header(7, 0))).empty());
  auto huge = header(direct, limits::basp_max_payload_bytes + 1);
  huge.dest_actor = 3;
  CHECK_FALSE(check(hs + frame(huge)).empty());
}

namespace {

using echo_actor = caf::typed_actor<caf::replies_to<int>::with<int>>;

echo_actor::behavior_type echo() {
  return {[](int x) { return x + 1; }};
}

// Sends `bytes` to 127.0.0.1:port and waits until the other side closes (a
// reset counts: closing with unread bytes resets).
bool closed_after(uint16_t port, const std::vector<uint8_t>& bytes) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{20, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0
            && write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  char buf[4096];
  ssize_t n = 0;
  while (ok && (n = read(fd, buf, sizeof(buf))) > 0) {
    // the server's handshake, then nothing more
  }
  bool reset = n < 0 && errno == ECONNRESET;
  close(fd);
  return ok && (n == 0 || reset);
}

int ask(caf::actor_system& sys, const echo_actor& remote, int x) {
  caf::scoped_actor self{sys};
  int answer = -1;
  self->request(remote, std::chrono::seconds(10), x)
    .receive([&](int y) { answer = y; }, [](caf::error&) {});
  return answer;
}

} // namespace

TEST_CASE("a node behind a gate serves peers and cuts off hostile ones") {
  system_config server_cfg;
  caf::actor_system server{server_cfg};
  auto echoing = server.spawn(echo);
  auto published = publish_actor(server, echoing, "127.0.0.1", 0);
  REQUIRE(published);
  auto port = (*published)->port();

  system_config client_cfg;
  caf::actor_system client{client_cfg};
  auto remote = client.middleman().remote_actor<echo_actor>("127.0.0.1", port);
  REQUIRE(remote);
  CHECK(ask(client, *remote, 1) == 2);

  std::vector<uint8_t> crash(32, 0);
  crash[0] = 0x01;
  CHECK(closed_after(port, crash));
  CHECK(closed_after(port, std::vector<uint8_t>(64, 0xff)));
  auto d = header(direct, 0);
  d.dest_actor = 1;
  CHECK(closed_after(port, handshake() + frame(d)));

  // The server still runs, and its first peer still talks to it.
  CHECK(ask(client, *remote, 41) == 42);
  system_config late_cfg;
  caf::actor_system late{late_cfg};
  auto again = late.middleman().remote_actor<echo_actor>("127.0.0.1", port);
  REQUIRE(again);
  CHECK(ask(late, *again, 9) == 10);
  caf::anon_send_exit(echoing, caf::exit_reason::user_shutdown);
}
