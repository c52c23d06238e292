#include "runtime/http_connections.hpp"

#include <cstdio>
#include <cstdlib>

namespace cairn {

namespace {

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "connection_table: %s\n", what);
    std::abort();
  }
}

} // namespace

connection_table::connection_table(size_t max_total, size_t max_per_address)
  : max_total_(max_total), max_per_address_(max_per_address) {
  require(max_total_ >= 1 && max_per_address_ >= 1, "bounds must be at least 1");
}

bool connection_table::sheddable(connection_phase p) {
  return p == connection_phase::idle || p == connection_phase::receiving;
}

connection_table::admission connection_table::admit(const std::string& address) {
  admission a;
  auto from_address = per_address_.find(address);
  if (from_address != per_address_.end() && from_address->second >= max_per_address_) {
    a.what = verdict::address_full;
    return a;
  }
  if (open_.size() >= max_total_) {
    if (sheddable_.empty()) {
      a.what = verdict::server_full;
      return a;
    }
    a.displaced = *sheddable_.begin();
    remove(*a.displaced);
  }
  a.id = next_id_++;
  open_.emplace(a.id, entry{address, connection_phase::idle});
  sheddable_.insert(a.id);
  ++per_address_[address];
  require(open_.size() <= max_total_, "admitted past max_total");
  require(per_address_[address] <= max_per_address_, "admitted past max_per_address");
  return a;
}

void connection_table::set_phase(uint64_t id, connection_phase phase) {
  auto i = open_.find(id);
  if (i == open_.end())
    return;
  i->second.phase = phase;
  if (sheddable(phase))
    sheddable_.insert(id);
  else
    sheddable_.erase(id);
}

void connection_table::remove(uint64_t id) {
  auto i = open_.find(id);
  if (i == open_.end())
    return;
  auto a = per_address_.find(i->second.address);
  require(a != per_address_.end() && a->second > 0, "an open connection's address is counted");
  if (--a->second == 0)
    per_address_.erase(a);
  sheddable_.erase(id);
  open_.erase(i);
}

size_t connection_table::size() const {
  return open_.size();
}

size_t connection_table::from(const std::string& address) const {
  auto i = per_address_.find(address);
  return i == per_address_.end() ? 0 : i->second;
}

size_t connection_table::max_total() const {
  return max_total_;
}

size_t connection_table::max_per_address() const {
  return max_per_address_;
}

void connection_table::check_invariants() const {
  require(open_.size() <= max_total_, "more connections than max_total");
  size_t counted = 0;
  for (const auto& [address, n] : per_address_) {
    require(n >= 1 && n <= max_per_address_, "an address's count is out of bounds");
    counted += n;
  }
  require(counted == open_.size(), "per-address counts add up to the connections");
  size_t shed = 0;
  for (const auto& [id, e] : open_) {
    require(id < next_id_, "ids are handed out in order");
    if (sheddable(e.phase)) {
      require(sheddable_.count(id) == 1, "an idle or receiving connection can be displaced");
      ++shed;
    }
  }
  require(shed == sheddable_.size(), "only idle or receiving connections are displaced");
}

} // namespace cairn
