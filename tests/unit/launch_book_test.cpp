// A framework's book of launches: a launch lost with a failed master is found
// by reconciliation and may be made again; a task an agent spoke of never is.
#include <doctest/doctest.h>

#include "actors/scheduler/launch_book.hpp"
#include "runtime/wire.hpp"

using namespace cairn;
using S = schema::TaskState;
using R = schema::TaskStatus::Reason;
using V = launch_book::verdict;

namespace {

wire<schema::TaskStatus> status(const std::string& task, S state, R reason = R::NONE) {
  return make_wire<schema::TaskStatus>([&](schema::TaskStatus::Builder s) {
    s.initTaskId().setValue(task);
    s.setState(state);
    s.setReason(reason);
  });
}

} // namespace

TEST_CASE("a task no agent spoke of and the master does not know was lost with the launch") {
  launch_book book;
  book.launched("t", "agent-1");
  auto asked = book.ask(true);
  REQUIRE(asked.tasks.size() == 1);
  CHECK(asked.tasks[0] == std::pair<std::string, std::string>{"t", "agent-1"});
  CHECK(asked.ask_again_after == std::chrono::seconds(2));
  // The master is silent for now: asked again, each time after twice the wait.
  auto again = book.ask(false);
  CHECK(again.tasks.size() == 1);
  CHECK(again.ask_again_after == std::chrono::seconds(4));
  for (int i = 0; i < 10; ++i)
    again = book.ask(false);
  CHECK(again.ask_again_after == std::chrono::seconds(60));
  CHECK(book.heard(*status("t", S::TASK_LOST, R::RECONCILIATION)) == V::lost_launch);
  CHECK(book.empty());
  for (auto state : {S::TASK_UNKNOWN, S::TASK_GONE, S::TASK_DROPPED}) {
    book.launched("u", "agent-1");
    CHECK(book.heard(*status("u", state, R::RECONCILIATION)) == V::lost_launch);
  }
  // An offer of the master before the failover, refused by the new one.
  book.launched("v", "agent-1");
  CHECK(book.heard(*status("v", S::TASK_LOST, R::INVALID_OFFERS)) == V::lost_launch);
}

TEST_CASE("a task an agent spoke of is never launched again") {
  launch_book book;
  book.launched("t", "agent-1");
  CHECK(book.heard(*status("t", S::TASK_STARTING)) == V::news);
  book.ask(true);
  CHECK(book.heard(*status("t", S::TASK_STARTING, R::RECONCILIATION)) == V::repeat);
  CHECK(book.ask(false).tasks.empty());
  CHECK(book.heard(*status("t", S::TASK_RUNNING, R::RECONCILIATION)) == V::news);
  // Lost after it ran: an update like any other, the framework decides.
  CHECK(book.heard(*status("t", S::TASK_LOST, R::RECONCILIATION)) == V::news);
  CHECK(book.empty());
}

TEST_CASE("a lost update from the agent is news, and an ended task leaves the book") {
  launch_book book;
  book.launched("t", "agent-1");
  CHECK(book.heard(*status("t", S::TASK_LOST, R::AGENT_REMOVED)) == V::news);
  CHECK(book.empty());
  CHECK(book.heard(*status("other", S::TASK_RUNNING)) == V::news);
  book.launched("f", "agent-2");
  CHECK(book.heard(*status("f", S::TASK_FINISHED)) == V::news);
  CHECK(book.ask(true).tasks.empty());
}
