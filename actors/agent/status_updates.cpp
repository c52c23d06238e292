#include "actors/agent/status_updates.hpp"

#include <algorithm>
#include <cassert>

namespace cairn {

std::optional<status_update_streams::send>
status_update_streams::add(const std::string& framework_id, const std::string& task_id,
                           const std::string& uuid, bool terminal, agent_call message,
                           origin from) {
  assert(!uuid.empty());
  auto& s = streams_[{framework_id, task_id}];
  for (const auto& e : s.updates)
    if (e.uuid == uuid)
      return std::nullopt; // a duplicate from the executor: already queued
  s.updates.push_back({uuid, terminal, std::move(message), std::move(from)});
  if (s.updates.size() > 1)
    return std::nullopt;
  s.backoff = initial_backoff;
  return send{s.updates.front().message, uuid, s.backoff};
}

status_update_streams::ack_result
status_update_streams::acknowledge(const std::string& framework_id, const std::string& task_id,
                                   const std::string& uuid) {
  ack_result result;
  auto i = streams_.find({framework_id, task_id});
  if (i == streams_.end() || i->second.updates.empty() || i->second.updates.front().uuid != uuid)
    return result;
  auto& s = i->second;
  result.matched = true;
  result.terminal = s.updates.front().terminal;
  result.from = s.updates.front().from;
  s.updates.pop_front();
  if (s.updates.empty()) {
    streams_.erase(i);
    return result;
  }
  s.backoff = initial_backoff;
  result.next = send{s.updates.front().message, s.updates.front().uuid, s.backoff};
  return result;
}

std::optional<status_update_streams::send>
status_update_streams::retry(const std::string& framework_id, const std::string& task_id,
                             const std::string& uuid) {
  auto i = streams_.find({framework_id, task_id});
  if (i == streams_.end() || i->second.updates.empty() || i->second.updates.front().uuid != uuid)
    return std::nullopt;
  auto& s = i->second;
  s.backoff = std::min(s.backoff * 2, max_backoff);
  return send{s.updates.front().message, uuid, s.backoff};
}

std::vector<status_update_streams::head> status_update_streams::heads() {
  std::vector<head> out;
  for (auto& [key, s] : streams_) {
    assert(!s.updates.empty());
    s.backoff = initial_backoff;
    out.push_back({key.first, key.second,
                   send{s.updates.front().message, s.updates.front().uuid, s.backoff}});
  }
  return out;
}

void status_update_streams::remove_framework(const std::string& framework_id) {
  for (auto i = streams_.begin(); i != streams_.end();) {
    if (i->first.first == framework_id)
      i = streams_.erase(i);
    else
      ++i;
  }
}

size_t status_update_streams::pending() const {
  size_t n = 0;
  for (const auto& [key, s] : streams_)
    n += s.updates.size();
  return n;
}

bool status_update_streams::has_framework(const std::string& framework_id) const {
  auto i = streams_.lower_bound({framework_id, std::string()});
  return i != streams_.end() && i->first.first == framework_id;
}

bool status_update_streams::has_stream(const std::string& framework_id,
                                       const std::string& task_id) const {
  return streams_.count({framework_id, task_id}) > 0;
}

} // namespace cairn
