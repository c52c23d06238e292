// The executor's book of what its agent has not acknowledged: order, the
// task forgotten at the first acknowledgement, sent marks per connection,
// and the bound that never drops a terminal update.
#include <doctest/doctest.h>

#include "actors/executor/unacknowledged.hpp"

using namespace cairn;
using schema::TaskState;
using Update = schema::executor::Call::Update;

namespace {

unacknowledged_book::update_wire update(char id, TaskState state) {
  return make_wire<Update>([&](Update::Builder u) {
    auto s = u.initStatus();
    s.initTaskId().setValue("t");
    s.setState(state);
    std::string uuid(16, id);
    s.setUuid(kj::arrayPtr(reinterpret_cast<const kj::byte*>(uuid.data()), uuid.size()));
  });
}

std::string uuid(char id) {
  return std::string(16, id);
}

wire<schema::TaskInfo> task() {
  return make_wire<schema::TaskInfo>(
    [](schema::TaskInfo::Builder t) { t.initTaskId().setValue("t"); });
}

} // namespace

TEST_CASE("updates are kept in order until acknowledged; the task until the first one is") {
  unacknowledged_book book;
  book.launched(task());
  book.made(update('a', TaskState::TASK_STARTING), false);
  book.made(update('b', TaskState::TASK_RUNNING), false);
  REQUIRE(book.updates().size() == 2);
  CHECK(book.updates()[0].uuid == uuid('a'));
  CHECK(book.updates()[1].uuid == uuid('b'));
  CHECK(book.task());
  CHECK(!book.acknowledged(uuid('z')));
  CHECK(book.task());
  CHECK(book.acknowledged(uuid('a')));
  CHECK(!book.task());
  REQUIRE(book.updates().size() == 1);
  CHECK(book.updates()[0].uuid == uuid('b'));
  CHECK(!book.acknowledged(uuid('a')));
  book.check_invariants();
}

TEST_CASE("a lost connection makes every held update unsent") {
  unacknowledged_book book;
  book.made(update('a', TaskState::TASK_STARTING), false);
  book.mark_sent(uuid('a'));
  book.made(update('b', TaskState::TASK_RUNNING), false);
  CHECK(book.updates()[0].sent);
  CHECK(!book.updates()[1].sent);
  book.mark_all_sent();
  CHECK(book.updates()[1].sent);
  book.connection_lost();
  CHECK(!book.updates()[0].sent);
  CHECK(!book.updates()[1].sent);
}

TEST_CASE("past the bound the oldest non-terminal updates go, never a terminal one") {
  unacknowledged_book book{2};
  CHECK(book.made(update('a', TaskState::TASK_RUNNING), false) == 0);
  CHECK(book.made(update('b', TaskState::TASK_FINISHED), true) == 0);
  CHECK(book.made(update('c', TaskState::TASK_RUNNING), false) == 1);
  REQUIRE(book.updates().size() == 2);
  CHECK(book.updates()[0].uuid == uuid('b'));
  CHECK(book.updates()[1].uuid == uuid('c'));
  // Terminal ones only: all kept, even past the bound.
  unacknowledged_book terminal{1};
  terminal.made(update('x', TaskState::TASK_FAILED), true);
  CHECK(terminal.made(update('y', TaskState::TASK_KILLED), true) == 0);
  CHECK(terminal.updates().size() == 2);
  terminal.check_invariants();
}
