// What a peer may send to a port where CAF's middleman serves actors: the
// frames of CAF 0.17's BASP, checked before the library parses them.
//
// CAF 0.17.6 trusts its peers: a client handshake with an empty payload, or a
// message of any kind whose header promises no payload, makes it dereference a
// null buffer and the whole process dies. The guard lets a connection through
// only while every frame is one CAF itself would send: a client handshake
// first (its payload a node id that parses), then messages whose headers obey
// BASP's rules, each within the size bounds of runtime/limits.hpp.
//
// A pure core: no sockets, no threads. actor_gate feeds it what arrives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace cairn {

// BASP's header as CAF 0.17 writes it: 32 bytes, integers big-endian.
struct basp_header {
  static constexpr size_t size = 32;

  uint8_t operation = 0;
  uint8_t flags = 0;
  uint32_t payload_len = 0;
  uint64_t operation_data = 0;
  uint64_t source_actor = 0;
  uint64_t dest_actor = 0;

  // `bytes` holds at least `size` bytes.
  static basp_header read(const uint8_t* bytes);
  void write(uint8_t* bytes) const;
};

// One connection's guard, from the client's side to the published actor's.
class basp_guard {
public:
  // "" when the header may pass, else why the connection must end.
  std::string check_header(const basp_header& h) const;

  // True when this frame's payload must be held and shown to check_payload
  // before it is passed on (a handshake); other payloads stream through.
  bool holds_payload(const basp_header& h) const;

  // Checks a held payload; on success the connection has shaken hands.
  std::string check_payload(const basp_header& h, const uint8_t* data, size_t size);

  bool handshaken() const {
    return handshaken_;
  }

private:
  bool handshaken_ = false;
};

// Runs a guard over a whole byte stream (for tests and fuzzing): "" when
// every complete frame passes; a trailing partial frame is not an error.
std::string check_basp_stream(const uint8_t* data, size_t size);

} // namespace cairn
