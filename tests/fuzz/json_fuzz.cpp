// Every JSON body the HTTP APIs read (calls, /weights): a call is either refused with a reason
// or decoded into a message whose resources and JSON form are safe to use.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "actors/resources/convert.hpp"
#include "runtime/json.hpp"
#include "runtime/type_ids.hpp"
#include "schema/registry.capnp.h"
#include "schema/state.capnp.h"

namespace {

template <class T>
caf::expected<cairn::wire<T>> take(std::string_view text) {
  auto w = cairn::from_json<T>(text);
  if (w) {
    try {
      cairn::to_json(w->get());
    } catch (const kj::Exception&) {
    }
  }
  return w;
}

// What the master does first with a launch: read the tasks' resources.
void read_launches(cairn::schema::Call::Reader call) {
  if (!call.hasAccept())
    return;
  for (auto op : call.getAccept().getOperations()) {
    if (!op.hasLaunch())
      continue;
    for (auto task : op.getLaunch().getTaskInfos())
      cairn::read_resources(task.getResources());
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1)
    return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0:
      if (auto call = take<cairn::schema::Call>(text))
        read_launches(call->get());
      break;
    case 1: take<cairn::schema::executor::Call>(text); break;
    case 2: take<cairn::schema::operator_api::Call>(text); break;
    case 3: take<cairn::schema::registry::KvWritten>(text); break;
    case 5: {
      // PUT /weights: a bare array.
      using update = cairn::schema::operator_api::Call::UpdateWeights;
      cairn::from_json_array<update>(text, [](update::Builder b, unsigned n) {
        return b.initWeightInfos(n);
      });
      break;
    }
    default: take<cairn::schema::state::ActorEndpoint>(text); break;
  }
  return 0;
}
