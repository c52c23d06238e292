#include "runtime/descriptor_budget.hpp"

#include "runtime/limits.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <limits>
#include <mutex>

namespace cairn {

namespace {

std::mutex budget_mutex;
size_t claimed_total = 0; // by servers still running

size_t as_size(rlim_t v) {
  if (v == RLIM_INFINITY || v > std::numeric_limits<size_t>::max())
    return std::numeric_limits<size_t>::max();
  return static_cast<size_t>(v);
}

} // namespace

size_t claim_descriptors(size_t wanted) {
  std::lock_guard<std::mutex> guard{budget_mutex};
  size_t need = claimed_total + wanted + limits::http_reserved_descriptors;
  rlimit r{};
  size_t soft = std::numeric_limits<size_t>::max();
  if (getrlimit(RLIMIT_NOFILE, &r) == 0) {
    soft = as_size(r.rlim_cur);
    if (soft < need && as_size(r.rlim_max) > soft) {
      rlimit raised = r;
      raised.rlim_cur = static_cast<rlim_t>(std::min(need, as_size(r.rlim_max)));
      if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
        soft = as_size(raised.rlim_cur);
    }
  }
  size_t taken = claimed_total + limits::http_reserved_descriptors;
  size_t room = soft > taken ? soft - taken : 0;
  size_t got = std::min(wanted, std::max(room, limits::http_min_connections));
  claimed_total += got;
  return got;
}

void release_descriptors(size_t claimed) {
  std::lock_guard<std::mutex> guard{budget_mutex};
  claimed_total -= std::min(claimed, claimed_total);
}

} // namespace cairn
