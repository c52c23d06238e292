#include "actors/agent/fetcher_cache.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>

#include "runtime/dirs.hpp"
#include "runtime/errors.hpp"

namespace cairn {

fetcher_cache_index::fetcher_cache_index(uint64_t capacity_bytes) : capacity_(capacity_bytes) {}

const fetcher_cache_index::entry* fetcher_cache_index::find(const std::string& user,
                                                            const std::string& uri) const {
  auto k = by_key_.find({user, uri});
  return k == by_key_.end() ? nullptr : &entries_.at(k->second);
}

fetcher_cache_index::entry& fetcher_cache_index::at(uint64_t id) {
  auto e = entries_.find(id);
  assert(e != entries_.end() && "fetcher cache: unknown entry");
  return e->second;
}

void fetcher_cache_index::hold(uint64_t id) {
  auto& e = at(id);
  assert(e.ready);
  ++e.users;
  e.last_use = ++clock_;
}

uint64_t fetcher_cache_index::create(const std::string& user, const std::string& uri) {
  assert(find(user, uri) == nullptr);
  entry e;
  e.id = next_id_++;
  e.user = user;
  e.uri = uri;
  e.users = 1;
  e.last_use = ++clock_;
  by_key_[{user, uri}] = e.id;
  entries_[e.id] = e;
  return e.id;
}

std::vector<fetcher_cache_index::entry> fetcher_cache_index::evict_until(uint64_t needed_free) {
  std::vector<entry> evicted;
  while (capacity_ - std::min(used_, capacity_) < needed_free) {
    const entry* victim = nullptr;
    for (const auto& [id, e] : entries_)
      if (e.ready && e.users == 0 && (victim == nullptr || e.last_use < victim->last_use))
        victim = &e;
    if (victim == nullptr)
      break;
    evicted.push_back(*victim);
    used_ -= victim->size_bytes;
    by_key_.erase({victim->user, victim->uri});
    entries_.erase(victim->id);
  }
  return evicted;
}

fetcher_cache_index::reservation fetcher_cache_index::reserve(uint64_t id, uint64_t size_bytes) {
  auto& e = at(id);
  assert(!e.ready && e.size_bytes == 0);
  reservation r;
  if (size_bytes > capacity_) {
    r.why_not = "its size (" + std::to_string(size_bytes) + " bytes) exceeds the cache's (" +
                std::to_string(capacity_) + " bytes)";
    return r;
  }
  r.evicted = evict_until(size_bytes);
  if (capacity_ - std::min(used_, capacity_) < size_bytes) {
    r.why_not = "the cache has too little space not in use by other fetches";
    return r;
  }
  at(id).size_bytes = size_bytes;
  used_ += size_bytes;
  assert(used_ <= capacity_);
  return r;
}

void fetcher_cache_index::complete(uint64_t id, uint64_t actual_bytes) {
  auto& e = at(id);
  assert(!e.ready && e.users > 0);
  used_ = used_ - e.size_bytes + actual_bytes;
  e.size_bytes = actual_bytes;
  e.ready = true;
  e.last_use = ++clock_;
}

fetcher_cache_index::entry fetcher_cache_index::abandon(uint64_t id) {
  auto e = at(id);
  assert(!e.ready);
  used_ -= e.size_bytes;
  by_key_.erase({e.user, e.uri});
  entries_.erase(id);
  return e;
}

std::vector<fetcher_cache_index::entry> fetcher_cache_index::release(uint64_t id) {
  auto& e = at(id);
  assert(e.users > 0);
  --e.users;
  return used_ > capacity_ ? evict_until(0) : std::vector<entry>{};
}

void fetcher_cache_index::check_invariants() const {
  uint64_t sum = 0;
  for (const auto& [id, e] : entries_) {
    assert(id == e.id);
    assert(by_key_.count({e.user, e.uri}) == 1 && by_key_.at({e.user, e.uri}) == id);
    assert(e.ready || e.users > 0);  // a pending entry has its downloader
    sum += e.size_bytes;
  }
  assert(sum == used_);
  assert(by_key_.size() == entries_.size());
  (void)sum;
}

fetcher_cache::fetcher_cache(std::string dir, uint64_t capacity_bytes)
    : dir_(std::move(dir)), index_(capacity_bytes) {}

uint64_t fetcher_cache::capacity_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return index_.capacity_bytes();
}

uint64_t fetcher_cache::used_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return index_.used_bytes();
}

std::string fetcher_cache::file_of(uint64_t id) const {
  return dir_ + "/c" + std::to_string(id);
}

namespace {

// "c<digits>" or "c<digits>.part": the only names this cache writes.
bool is_cache_file(const std::string& name) {
  auto digits_end = name.size() > 5 && name.compare(name.size() - 5, 5, ".part") == 0
                      ? name.size() - 5
                      : name.size();
  if (digits_end < 2 || name[0] != 'c')
    return false;
  for (size_t i = 1; i < digits_end; ++i)
    if (name[i] < '0' || name[i] > '9')
      return false;
  return true;
}

caf::error clear_dir(const std::string& dir) {
  if (dir.empty() || dir[0] != '/')
    return make_error("the fetcher cache directory must be an absolute path, not '" + dir + "'");
  if (auto err = make_dirs(dir))
    return err;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr)
    return make_error("cannot list " + dir + ": " + strerror(errno));
  while (auto* ent = readdir(d))
    if (is_cache_file(ent->d_name))
      unlinkat(dirfd(d), ent->d_name, 0);
  closedir(d);
  return caf::none;
}

} // namespace

caf::error fetcher_cache::prepare() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!prepared_) {
    prepare_error_ = clear_dir(dir_);
    prepared_ = true;
  }
  return prepare_error_;
}

fetcher_cache::lease fetcher_cache::acquire(const std::string& user, const std::string& uri) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    const auto* e = index_.find(user, uri);
    if (e == nullptr) {
      auto id = index_.create(user, uri);
      return {id, file_of(id), true};
    }
    if (e->ready) {
      index_.hold(e->id);
      return {e->id, file_of(e->id), false};
    }
    // Another fetch is downloading it; its transfers time out when stalled,
    // so this wait ends.
    changed_.wait(lock);
  }
}

std::string fetcher_cache::reserve(const lease& l, uint64_t size_bytes) {
  fetcher_cache_index::reservation r;
  {
    std::lock_guard<std::mutex> lock(mu_);
    r = index_.reserve(l.id, size_bytes);
  }
  remove_files(r.evicted);
  return r.why_not;
}

void fetcher_cache::complete(const lease& l, uint64_t actual_bytes) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    index_.complete(l.id, actual_bytes);
  }
  changed_.notify_all();
}

void fetcher_cache::abandon(const lease& l) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    index_.abandon(l.id);
  }
  unlink(l.path.c_str());
  unlink((l.path + ".part").c_str());
  changed_.notify_all();
}

void fetcher_cache::release(const lease& l) {
  std::vector<fetcher_cache_index::entry> evicted;
  {
    std::lock_guard<std::mutex> lock(mu_);
    evicted = index_.release(l.id);
  }
  remove_files(evicted);
}

void fetcher_cache::remove_files(const std::vector<fetcher_cache_index::entry>& evicted) {
  // Outside the lock: the index no longer knows these and ids are never
  // reused, so no fetch can be handed these files any more.
  for (const auto& e : evicted)
    unlink(file_of(e.id).c_str());
}

} // namespace cairn
