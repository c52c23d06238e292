#include "actors/task_state.hpp"

#include <capnp/schema.h>

namespace cairn {

bool is_terminal(schema::TaskState s) {
  using S = schema::TaskState;
  switch (s) {
    case S::TASK_FINISHED:
    case S::TASK_FAILED:
    case S::TASK_KILLED:
    case S::TASK_ERROR:
    case S::TASK_LOST:
    case S::TASK_DROPPED:
    case S::TASK_GONE:
    case S::TASK_GONE_BY_OPERATOR:
      return true;
    default:
      return false;
  }
}

namespace {

// The $Json.name of an enumerant: the public spelling, from the schema itself.
template <class E>
const char* json_name(E value) {
  auto enumerants = capnp::Schema::from<E>().getEnumerants();
  auto index = static_cast<unsigned>(value);
  if (index >= enumerants.size())
    return "UNKNOWN";
  for (auto a : enumerants[index].getProto().getAnnotations())
    if (a.getValue().isText())
      return a.getValue().getText().cStr();
  return enumerants[index].getProto().getName().cStr();
}

} // namespace

const char* state_name(schema::TaskState state) {
  return json_name(state);
}

const char* reason_name(schema::TaskStatus::Reason reason) {
  return json_name(reason);
}

} // namespace cairn
