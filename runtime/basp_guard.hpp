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
  // Checks the bytes a peer sent since the last call (with what was left
  // over then in front): returns how many of them may pass now, which is
  // every whole header and handshake and every payload byte of other frames
  // (they stream through). The rest stays with the caller until more comes.
  // `why` is set when the bytes after that prefix break the protocol: the
  // caller passes the prefix and cuts the peer off.
  size_t scan(const uint8_t* data, size_t size, std::string& why);

  // Whether the last scan stopped inside a frame (a part of it still to come).
  bool mid_frame() const {
    return payload_left_ > 0;
  }

  bool handshaken() const {
    return handshaken_;
  }

  // The steps of scan, for tests: "" when a header may pass, else why not.
  std::string check_header(const basp_header& h) const;
  // True when a frame's payload must be whole and shown to check_payload
  // before it passes (a handshake); other payloads stream through.
  bool holds_payload(const basp_header& h) const;
  std::string check_payload(const basp_header& h, const uint8_t* data, size_t size);

private:
  bool handshaken_ = false;
  uint64_t payload_left_ = 0; // of the frame whose header last passed
};

// Runs a guard over a whole byte stream (for tests and fuzzing): "" when
// every complete frame passes; a trailing partial frame is not an error.
std::string check_basp_stream(const uint8_t* data, size_t size);

} // namespace cairn
