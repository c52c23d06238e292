#include "actors/allocator/sorter.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace cairn::alloc {

void add_to(quantities& to, const quantities& q) {
  if (to.size() < q.size())
    to.resize(q.size(), 0);
  for (size_t i = 0; i < q.size(); ++i) {
    assert(q[i] >= 0);
    to[i] += q[i];
  }
}

void subtract_from(quantities& from, const quantities& q) {
  for (size_t i = 0; i < q.size(); ++i) {
    if (q[i] == 0)
      continue;
    assert(i < from.size() && "subtracting an amount that was never added");
    assert(from[i] >= q[i] && "subtracting more than there is");
    from[i] -= q[i];
  }
}

bool is_zero(const quantities& q) {
  return std::all_of(q.begin(), q.end(), [](milli m) { return m == 0; });
}

bool fits_in(const quantities& part, const quantities& whole) {
  for (size_t i = 0; i < part.size(); ++i)
    if (part[i] > (i < whole.size() ? whole[i] : 0))
      return false;
  return true;
}

bool same_amounts(const quantities& a, const quantities& b) {
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const milli x = i < a.size() ? a[i] : 0;
    const milli y = i < b.size() ? b[i] : 0;
    if (x != y)
      return false;
  }
  return true;
}

double dominant_share(const quantities& allocation, const quantities& totals, double weight) {
  assert(weight > 0 && std::isfinite(weight));
  double share = 0;
  const size_t n = std::min(allocation.size(), totals.size());
  for (size_t i = 0; i < n; ++i)
    if (totals[i] > 0)
      share = std::max(share, static_cast<double>(allocation[i]) / static_cast<double>(totals[i]));
  return share / weight;
}

drf_sorter::drf_sorter(const cluster_totals* totals)
  : totals_(totals), sorted_version_(totals->version) {
  assert(totals_ != nullptr);
}

const drf_sorter::slot& drf_sorter::live_slot(uint32_t key) const {
  assert(key < slots_.size() && slots_[key].live && "unknown sorter client");
  return slots_[key];
}

void drf_sorter::add(uint32_t key, const std::string& name, double weight) {
  assert(weight > 0 && std::isfinite(weight));
  if (key >= slots_.size())
    slots_.resize(key + 1);
  slot& s = slots_[key];
  assert(!s.live && "sorter client added twice");
  s = slot{true, name, weight, {}, 0.0};
  ++size_;
  if (!stale()) {
    const bool inserted = order_.insert(entry{s.share, s.name, key}).second;
    assert(inserted && "sorter client names must be unique");
    (void) inserted;
  }
  assert(contains(key));
}

void drf_sorter::remove(uint32_t key) {
  slot& s = slots_[key];
  assert(live_slot(key).live);
  assert(is_zero(s.allocation) && "removing a sorter client that still holds resources");
  if (!stale()) {
    const auto it = order_.find(probe{s.share, s.name});
    assert(it != order_.end() && it->key == key && "sorter order lost a client");
    order_.erase(it);
  }
  s = slot{};
  --size_;
  assert(!contains(key));
}

bool drf_sorter::contains(uint32_t key) const {
  return key < slots_.size() && slots_[key].live;
}

void drf_sorter::set_weight(uint32_t key, double weight) {
  assert(weight > 0 && std::isfinite(weight));
  assert(live_slot(key).live);
  slots_[key].weight = weight;
  reposition(key);
}

double drf_sorter::weight(uint32_t key) const {
  return live_slot(key).weight;
}

void drf_sorter::allocate(uint32_t key, const quantities& q) {
  assert(live_slot(key).live);
  add_to(slots_[key].allocation, q);
  reposition(key);
}

void drf_sorter::unallocate(uint32_t key, const quantities& q) {
  assert(live_slot(key).live);
  subtract_from(slots_[key].allocation, q);
  reposition(key);
}

const quantities& drf_sorter::allocation(uint32_t key) const {
  return live_slot(key).allocation;
}

double drf_sorter::share(uint32_t key) const {
  const slot& s = live_slot(key);
  return dominant_share(s.allocation, totals_->amount, s.weight);
}

void drf_sorter::reposition(uint32_t key) {
  slot& s = slots_[key];
  const double share = dominant_share(s.allocation, totals_->amount, s.weight);
  if (stale()) {
    s.share = share; // order() rebuilds everything anyway
    return;
  }
  if (share == s.share)
    return;
  const auto it = order_.find(probe{s.share, s.name});
  assert(it != order_.end() && it->key == key && "sorter order lost a client");
  auto node = order_.extract(it);
  node.value().share = share;
  s.share = share;
  const auto result = order_.insert(std::move(node));
  assert(result.inserted);
  (void) result;
}

const drf_sorter::order_type& drf_sorter::order() {
  if (stale()) {
    order_.clear();
    for (uint32_t key = 0; key < slots_.size(); ++key) {
      slot& s = slots_[key];
      if (!s.live)
        continue;
      s.share = dominant_share(s.allocation, totals_->amount, s.weight);
      order_.insert(entry{s.share, s.name, key});
    }
    sorted_version_ = totals_->version;
  }
  assert(order_.size() == size_);
  return order_;
}

std::vector<uint32_t> drf_sorter::sorted_keys() {
  std::vector<uint32_t> keys;
  keys.reserve(size_);
  for (const entry& e : order())
    keys.push_back(e.key);
  return keys;
}

} // namespace cairn::alloc
