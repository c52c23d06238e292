// The agent's status update streams, after Mesos' status update manager: the
// updates of one task reach the master in order, one at a time, and each is
// resent with backoff (10 s doubling to 10 min) until the framework
// acknowledges it. Pure: the agent actor owns the timers and the sending.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/type_ids.hpp"

namespace cairn {

class status_update_streams {
public:
  using duration = std::chrono::nanoseconds;

  static constexpr duration initial_backoff = std::chrono::seconds(10);
  static constexpr duration max_backoff = std::chrono::minutes(10);

  // What to send now, and when to look again if no acknowledgement comes.
  struct send {
    agent_call message;
    std::string uuid;
    duration retry_after;
  };

  // The executor run an update belongs to, where its acknowledgement is
  // checkpointed; empty for a framework that does not checkpoint.
  struct origin {
    std::string executor_id;
    std::string container_id;
  };

  // Queues an update (uuid: its TaskStatus.uuid). Returns it when it is the
  // head of its stream and should go out now.
  std::optional<send> add(const std::string& framework_id, const std::string& task_id,
                          const std::string& uuid, bool terminal, agent_call message,
                          origin from = {});

  struct ack_result {
    bool matched = false;        // the uuid was the stream's head
    bool terminal = false;       // the acknowledged update was terminal
    origin from;                 // of the acknowledged update
    std::optional<send> next;    // the following update, to send now
  };
  ack_result acknowledge(const std::string& framework_id, const std::string& task_id,
                         const std::string& uuid);

  // A retry timer fired: the head again, if it is still `uuid`.
  std::optional<send> retry(const std::string& framework_id, const std::string& task_id,
                            const std::string& uuid);

  // The head of every stream, to send again now (a new master connection);
  // backoffs start over.
  struct head {
    std::string framework_id;
    std::string task_id;
    send update;
  };
  std::vector<head> heads();

  // A framework is gone: its updates will never be acknowledged.
  void remove_framework(const std::string& framework_id);

  size_t pending() const;
  // Whether any update of the framework waits for acknowledgement.
  bool has_framework(const std::string& framework_id) const;
  bool has_stream(const std::string& framework_id, const std::string& task_id) const;

private:
  struct entry {
    std::string uuid;
    bool terminal;
    agent_call message;
    origin from;
  };
  struct stream {
    std::deque<entry> updates;
    duration backoff = initial_backoff;
  };
  std::map<std::pair<std::string, std::string>, stream> streams_;
};

} // namespace cairn
