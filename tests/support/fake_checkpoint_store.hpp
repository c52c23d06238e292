// An in-memory checkpoint_store that can crash. It keeps two disks: what
// readers see, and what would survive a power loss. Each call takes the
// same steps the file store takes (directories made; a temporary file
// written and synced; renamed; the directory synced — or bytes appended,
// then synced), and what a step has done becomes durable only at the sync
// that ends the call, as on a real disk. A crash can be planned after any
// number of steps: what was synced stays, what was not is lost (or, as some
// file systems do, partly kept: a rename that reached the disk, a prefix of
// appended bytes), and a replaced file is always old or new, never a mix.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "storage/checkpoint_store.hpp"

namespace cairn::test {

class fake_checkpoint_store final : public checkpoint_store {
public:
  caf::error write(const std::string& path, std::string_view bytes) override;
  caf::error append(const std::string& path, std::string_view bytes) override;
  caf::expected<std::optional<std::string>> read(const std::string& path) override;
  caf::expected<std::vector<checkpoint_entry>> list(const std::string& dir) override;
  caf::error remove(const std::string& path) override;

  struct crash_plan {
    size_t after_steps = 0;          // steps (from now) that complete before the crash
    bool metadata_survives = false;  // an unsynced rename, removal or new file reached the disk
    size_t torn_bytes = 0;           // of an unsynced append, this many bytes reached the disk
  };
  void crash_after(crash_plan plan);
  // Power loss now: what is not yet synced is lost (between calls nothing
  // is pending, since every call syncs before it returns).
  void crash(bool metadata_survives = false, size_t torn_bytes = 0);
  // A new process over what the disk kept (a planned crash that has not
  // come is called off); until then every call fails.
  void restart();
  bool crashed() const {
    return crashed_;
  }
  // Steps taken so far: a test counts a scenario's steps once, then crashes
  // it after each of them.
  size_t steps() const {
    return steps_;
  }

  // The next write, append or removal fails (a full disk) and changes nothing.
  void fail_next_change() {
    fail_next_ = true;
  }
  // Reads of `path` fail (a bad sector).
  void fail_reads_of(const std::string& path) {
    unreadable_.insert(path);
  }

  // The disk as readers see it, and a way to damage it: put_file() sets a
  // file's bytes on both disks at once (parents made), as a stray write would.
  std::optional<std::string> file(const std::string& path) const;
  std::vector<std::string> files() const;
  void put_file(const std::string& path, const std::string& bytes);
  bool has_dir(const std::string& path) const {
    return visible_.dirs.count(path) > 0;
  }

private:
  struct disk {
    std::map<std::string, std::string> files;
    std::set<std::string> dirs;
  };
  enum class change_kind { replace, erase, append };
  struct change {
    change_kind kind;
    std::string path;
    std::string bytes;
    bool created = false;  // an append that made the file
  };

  caf::error refuse_if_down(const std::string& path);
  // Whether the next step may happen; false when the planned crash comes first.
  bool step();
  caf::error crashed_error(const std::string& path) const;
  void make_parents(const std::string& path);
  void sync();
  static void erase_tree(disk& d, const std::string& path);

  disk visible_;
  disk durable_;
  std::vector<change> pending_;
  std::optional<crash_plan> plan_;
  size_t plan_steps_ = 0;
  size_t steps_ = 0;
  bool crashed_ = false;
  bool fail_next_ = false;
  std::set<std::string> unreadable_;
};

} // namespace cairn::test
