// Which connections an HTTP server holds and whom it lets go when it is full:
// a plain core (no I/O, no clock) that the server's accept loop feeds with
// accepted connections, their phases and their ends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

namespace cairn {

enum class connection_phase {
  idle,      // waiting for a request's headers: new, or between requests
  receiving, // reading a request body
  busy,      // a handler has the request, or its answer is being written
  streaming, // a chunked answer is open (a SUBSCRIBE stream, say)
};

class connection_table {
public:
  enum class verdict {
    admitted,
    address_full, // the client's address holds max_per_address connections
    server_full,  // max_total connections, none of them idle or receiving
  };
  struct admission {
    verdict what = verdict::admitted;
    uint64_t id = 0;                   // admitted: the new connection's
    std::optional<uint64_t> displaced; // admitted in its place: close it
  };

  // Both bounds at least 1.
  connection_table(size_t max_total, size_t max_per_address);

  // A new connection from `address`. At max_total it displaces the oldest
  // idle or receiving connection (removed here; the caller closes it), so
  // that a server full of stalled clients still takes new ones; with none
  // such it is refused. The per-address bound applies first.
  admission admit(const std::string& address);
  // Unknown ids are ignored: a displaced connection may report on its way out.
  void set_phase(uint64_t id, connection_phase phase);
  // Idempotent.
  void remove(uint64_t id);

  size_t size() const;
  size_t from(const std::string& address) const;
  size_t max_total() const;
  size_t max_per_address() const;
  void check_invariants() const;

private:
  struct entry {
    std::string address;
    connection_phase phase = connection_phase::idle;
  };
  static bool sheddable(connection_phase p);

  size_t max_total_;
  size_t max_per_address_;
  uint64_t next_id_ = 1;                 // ids grow: smaller is older
  std::map<uint64_t, entry> open_;
  std::set<uint64_t> sheddable_;         // idle or receiving, oldest first
  std::unordered_map<std::string, size_t> per_address_;
};

} // namespace cairn
