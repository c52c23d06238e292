#include "runtime/basp_guard.hpp"

#include <algorithm>
#include <cassert>

#include <caf/binary_deserializer.hpp>
#include <caf/node_id.hpp>
#include <fmt/format.h>

#include "runtime/limits.hpp"

namespace cairn {

namespace {

// BASP's operations in CAF 0.17 (caf/io/basp/message_type.hpp).
enum op : uint8_t {
  server_handshake = 0,
  client_handshake = 1,
  direct_message = 2,
  routed_message = 3,
  monitor_message = 4,
  down_message = 5,
  heartbeat = 6,
};

uint64_t read_be(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v = (v << 8) | p[i];
  return v;
}

void write_be(uint8_t* p, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(v & 0xff);
    v >>= 8;
  }
}

// The rules CAF's own writer keeps (and its basp::valid() half checks), plus
// a payload wherever CAF's reader goes on to deserialize one. Flags are left
// alone: CAF reads only the ones it knows, on the frames they belong to.
std::string check_message(const basp_header& h) {
  switch (h.operation) {
    case direct_message:
    case routed_message:
      if (h.dest_actor == 0 || h.payload_len == 0)
        return "a message without a receiver or a body";
      return "";
    case monitor_message:
      if (h.payload_len == 0 || h.operation_data != 0)
        return "a malformed monitor message";
      return "";
    case down_message:
      if (h.source_actor == 0 || h.dest_actor != 0 || h.payload_len == 0
          || h.operation_data != 0)
        return "a malformed down message";
      return "";
    case heartbeat:
      if (h.source_actor != 0 || h.dest_actor != 0 || h.payload_len != 0
          || h.operation_data != 0)
        return "a malformed heartbeat";
      return "";
    case server_handshake:
      return "a server handshake from a client";
    default:
      return fmt::format("unknown BASP operation {}", h.operation);
  }
}

} // namespace

basp_header basp_header::read(const uint8_t* b) {
  basp_header h;
  h.operation = b[0];
  // b[1] and b[2] are padding, which CAF neither writes nor reads.
  h.flags = b[3];
  h.payload_len = static_cast<uint32_t>(read_be(b + 4, 4));
  h.operation_data = read_be(b + 8, 8);
  h.source_actor = read_be(b + 16, 8);
  h.dest_actor = read_be(b + 24, 8);
  return h;
}

void basp_header::write(uint8_t* b) const {
  b[0] = operation;
  b[1] = 0;
  b[2] = 0;
  b[3] = flags;
  write_be(b + 4, payload_len, 4);
  write_be(b + 8, operation_data, 8);
  write_be(b + 16, source_actor, 8);
  write_be(b + 24, dest_actor, 8);
}

std::string basp_guard::check_header(const basp_header& h) const {
  if (h.payload_len > limits::basp_max_payload_bytes)
    return fmt::format("a BASP payload of {} bytes (at most {})", h.payload_len,
                       limits::basp_max_payload_bytes);
  // CAF may repeat its handshake (it reads and drops the repeat), so every
  // handshake is checked as the first one is.
  if (h.operation != client_handshake) {
    if (!handshaken_)
      return "a peer that has not shaken hands sent something else";
    return check_message(h);
  }
  if (h.operation_data != 0 || h.source_actor != 0 || h.dest_actor != 0)
    return "a malformed client handshake";
  if (h.payload_len == 0 || h.payload_len > limits::basp_max_handshake_bytes)
    return fmt::format("a client handshake of {} bytes", h.payload_len);
  return "";
}

bool basp_guard::holds_payload(const basp_header& h) const {
  return h.operation == client_handshake;
}

std::string basp_guard::check_payload(const basp_header& h, const uint8_t* data, size_t size) {
  assert(holds_payload(h) && check_header(h).empty());
  assert(size == h.payload_len);
  // The payload is the client's node id, parsed here with CAF's own reader so
  // that CAF never meets one that does not parse.
  caf::binary_deserializer source{static_cast<caf::execution_unit*>(nullptr),
                                  reinterpret_cast<const char*>(data), size};
  caf::node_id id;
  if (auto err = source(id))
    return "a client handshake whose node id does not parse";
  if (!id)
    return "a client handshake without a node id";
  if (source.remaining() != 0)
    return "a client handshake with bytes after its node id";
  handshaken_ = true;
  return "";
}

size_t basp_guard::scan(const uint8_t* data, size_t size, std::string& why) {
  size_t at = 0;
  while (at < size) {
    if (payload_left_ > 0) {
      auto take = static_cast<size_t>(std::min<uint64_t>(payload_left_, size - at));
      payload_left_ -= take;
      at += take;
      continue;
    }
    if (size - at < basp_header::size)
      break;
    auto h = basp_header::read(data + at);
    why = check_header(h);
    if (!why.empty())
      break;
    if (holds_payload(h)) {
      if (size - at - basp_header::size < h.payload_len)
        break; // the rest of the handshake is still to come
      why = check_payload(h, data + at + basp_header::size, h.payload_len);
      if (!why.empty())
        break;
      at += basp_header::size + h.payload_len;
      continue;
    }
    at += basp_header::size;
    payload_left_ = h.payload_len;
  }
  assert(at <= size);
  return at;
}

std::string check_basp_stream(const uint8_t* data, size_t size) {
  basp_guard guard;
  std::string why;
  guard.scan(data, size, why);
  return why;
}

} // namespace cairn
