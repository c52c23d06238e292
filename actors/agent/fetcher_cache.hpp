// The agent's fetcher cache (Mesos' --fetcher_cache_dir, --fetcher_cache_size):
// what a cached URI downloaded once for a user, kept for the next task of
// that user that asks for it. Entries are keyed by (user, URI) as in Mesos,
// so one user never receives a file another user was allowed to read. Space
// is reserved before a download; least recently used entries no fetch is
// using are evicted to make room; a URI bigger than the whole cache is
// fetched directly into the sandbox instead.
//
// fetcher_cache_index decides (pure, no I/O); fetcher_cache holds the index
// behind a lock for the fetches of several tasks at once, waits while another
// fetch downloads the same entry (every URI is downloaded at most once), and
// removes the files of what the index evicts.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <caf/error.hpp>

namespace cairn {

class fetcher_cache_index {
public:
  struct entry {
    uint64_t id = 0;          // names the file: "c<id>"
    std::string user;         // "" when the fetch names no user
    std::string uri;
    uint64_t size_bytes = 0;  // reserved, then the actual size once ready
    bool ready = false;       // downloaded; false while pending
    unsigned users = 0;       // fetches holding it: not evictable while > 0
    uint64_t last_use = 0;    // for LRU: higher is more recent
  };

  explicit fetcher_cache_index(uint64_t capacity_bytes);

  uint64_t capacity_bytes() const { return capacity_; }
  uint64_t used_bytes() const { return used_; }
  size_t size() const { return entries_.size(); }

  // The entry for (user, uri), or null.
  const entry* find(const std::string& user, const std::string& uri) const;
  // A fetch starts using an existing entry.
  void hold(uint64_t id);
  // A new pending entry, held by its creator, which must reserve() next.
  uint64_t create(const std::string& user, const std::string& uri);

  // Makes room for `size_bytes` and accounts it to the pending entry,
  // evicting idle ready entries, least recently used first. On failure (the
  // URI is bigger than the cache, or what is in use leaves too little) the
  // reason is set and the caller abandons the entry; evictions made on the
  // way stand. Evicted entries are returned for their files to be removed.
  struct reservation {
    std::string why_not;              // "" when reserved
    std::vector<entry> evicted;
  };
  reservation reserve(uint64_t id, uint64_t size_bytes);

  // The download is in: the entry is ready with its actual size.
  void complete(uint64_t id, uint64_t actual_bytes);
  // The download failed: the entry goes (its holders see it gone).
  entry abandon(uint64_t id);
  // A fetch is done with the entry. Returns entries evicted because a larger
  // than expected download left the cache above its capacity.
  std::vector<entry> release(uint64_t id);

  // Asserts the books add up; for tests, after every step.
  void check_invariants() const;

private:
  entry& at(uint64_t id);
  std::vector<entry> evict_until(uint64_t needed_free);

  uint64_t capacity_;
  uint64_t used_ = 0;
  uint64_t next_id_ = 1;
  uint64_t clock_ = 0;  // a use counter, not time: LRU needs only the order
  std::map<uint64_t, entry> entries_;
  std::map<std::pair<std::string, std::string>, uint64_t> by_key_;
};

class fetcher_cache {
public:
  // `dir` is this agent's own (it removes what an earlier run left there).
  // A capacity of 0 disables the cache: every URI is fetched directly.
  fetcher_cache(std::string dir, uint64_t capacity_bytes);

  const std::string& dir() const { return dir_; }
  uint64_t capacity_bytes() const;
  uint64_t used_bytes() const;

  // Creates the directory and removes cache files an earlier run left (the
  // index starts empty, as Mesos' does after an agent restart). Only files
  // named as this cache names them are removed. Done once, by the first
  // fetch (it touches the disk: never on an actor's thread); later calls
  // answer the first one's outcome.
  caf::error prepare();

  // One fetch's use of an entry. `path` is the cache file; when `download`
  // is set the caller fetches the URI there (after reserve()) and reports
  // with complete() or abandon(); else the file is ready to be read.
  struct lease {
    uint64_t id = 0;
    std::string path;
    bool download = false;
  };
  // Blocks while another fetch is downloading the same (user, uri).
  lease acquire(const std::string& user, const std::string& uri);
  // "" when reserved; else why the URI must bypass the cache.
  std::string reserve(const lease& l, uint64_t size_bytes);
  void complete(const lease& l, uint64_t actual_bytes);
  void abandon(const lease& l);
  void release(const lease& l);

private:
  std::string file_of(uint64_t id) const;
  void remove_files(const std::vector<fetcher_cache_index::entry>& evicted);

  std::string dir_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  fetcher_cache_index index_;
  bool prepared_ = false;
  caf::error prepare_error_;
};

} // namespace cairn
