#include "actors/http/flags_document.hpp"

#include <capnp/compat/json.h>
#include <capnp/message.h>

#include "actors/http/routes.hpp"
#include "runtime/json.hpp"

namespace cairn {

http_response flags_response(const flag_list& flags) {
  // An object keyed by flag name has no fixed schema: it is built as a JSON
  // value and written by the one codec, which escapes it.
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<capnp::JsonValue>().initObject(1);
  root[0].setName("flags");
  auto fields = root[0].initValue().initObject(static_cast<unsigned>(flags.size()));
  for (unsigned i = 0; i < flags.size(); ++i) {
    fields[i].setName(flags[i].first);
    fields[i].initValue().setString(flags[i].second);
  }
  auto text = json_codec().encodeRaw(message.getRoot<capnp::JsonValue>().asReader());
  return json_response(std::string(text.cStr(), text.size()));
}

} // namespace cairn
