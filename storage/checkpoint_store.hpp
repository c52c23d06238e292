// Where the agent keeps its checkpoints: a handful of small files under its
// work dir, each replaced whole or appended to, durable when a call returns.
// Files in the product (file_checkpoint_store); in tests an in-memory store
// that loses what was not yet synced when it crashes
// (tests/support/fake_checkpoint_store.hpp).
//
// Every call blocks on fsync: call it from a dedicated (detached) actor or
// thread, never from the agent actor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

namespace cairn {

struct checkpoint_entry {
  std::string name;
  bool directory = false;
};

class checkpoint_store {
public:
  virtual ~checkpoint_store() = default;

  // Replaces `path` with `bytes` as one step: after a crash at any moment the
  // file holds its old content or the new, never a mix. Creates missing
  // parent directories. Durable when it returns without error; on an error
  // the file is unchanged.
  virtual caf::error write(const std::string& path, std::string_view bytes) = 0;

  // Adds `bytes` at the end of `path` (created with its parents if missing).
  // Durable when it returns without error; on an error the file is as it
  // was. A crash during the call may leave any prefix of `bytes` behind:
  // whoever reads an appended file must frame its records so that a torn
  // last one is found (frame_record / read_records below).
  virtual caf::error append(const std::string& path, std::string_view bytes) = 0;

  // The file's content; nullopt when there is no such file.
  virtual caf::expected<std::optional<std::string>> read(const std::string& path) = 0;

  // What a directory holds, sorted by name, without the store's own temporary
  // files; empty when there is no such directory.
  virtual caf::expected<std::vector<checkpoint_entry>> list(const std::string& dir) = 0;

  // Removes a file, or a directory with everything beneath it; durable when
  // it returns. A missing path is not an error.
  virtual caf::error remove(const std::string& path) = 0;
};

// Over the local file system: a write goes to a temporary file beside the
// target, is fsynced, renamed over the target, and the directory is fsynced;
// an append is fsynced (with the directory when it made the file) and, if it
// fails halfway, cut back to where it began.
class file_checkpoint_store final : public checkpoint_store {
public:
  caf::error write(const std::string& path, std::string_view bytes) override;
  caf::error append(const std::string& path, std::string_view bytes) override;
  caf::expected<std::optional<std::string>> read(const std::string& path) override;
  caf::expected<std::vector<checkpoint_entry>> list(const std::string& dir) override;
  caf::error remove(const std::string& path) override;
};

// The temporary file a write to `path` goes through (beside it, so that the
// rename stays in one file system), and whether a name is one of them.
std::string checkpoint_temp_path(const std::string& path);
bool is_checkpoint_temp_name(std::string_view name);

// -- records: how a checkpoint file frames what it holds

// One record: its length (4 bytes, little-endian), the CRC-32C of the
// payload (4 bytes, little-endian), the payload. A file is a sequence of
// records; a file written whole holds exactly one.
std::string frame_record(std::string_view payload);

struct record_scan {
  std::vector<std::string> records;  // every whole, intact record, in order
  size_t good_bytes = 0;             // where the last of them ends
  // Why the scan stopped before the end of the file, "" when it did not:
  // a torn record (the file ends inside it) or a corrupt one (its checksum
  // or length is wrong). Nothing after it is trusted.
  std::string problem;
  bool torn = false;  // the problem is a record the file ends inside
};
record_scan read_records(std::string_view bytes);

uint32_t crc32c(std::string_view bytes);

} // namespace cairn
