#include "runtime/json_maps.hpp"

#include <capnp/dynamic.h>
#include <capnp/orphan.h>

#include "schema/mesos.capnp.h"
#include "schema/resources.capnp.h"
#include "schema/scheduler.capnp.h"
#include "schema/state.capnp.h"

namespace cairn {

namespace {

// T is a struct holding `entries :List(Entry)`, each Entry a `key :Text` and
// a `value` of any type; the value goes through the codec, so its own
// annotations and handlers apply.
template <class T>
class map_handler final : public capnp::JsonCodec::Handler<T> {
public:
  void encode(const capnp::JsonCodec& codec, typename T::Reader input,
              capnp::JsonValue::Builder output) const override {
    auto value = value_field();
    auto entries = input.getEntries();
    auto fields = output.initObject(entries.size());
    for (unsigned i = 0; i < entries.size(); ++i) {
      fields[i].setName(entries[i].getKey());
      capnp::DynamicStruct::Reader entry = entries[i];
      codec.encode(entry.get(value), value.getType(), fields[i].initValue());
    }
  }

  void decode(const capnp::JsonCodec& codec, capnp::JsonValue::Reader input,
              typename T::Builder output) const override {
    KJ_REQUIRE(input.isObject(), "a map must be a JSON object");
    auto value = value_field();
    auto fields = input.getObject();
    auto entries = output.initEntries(fields.size());
    auto orphanage = capnp::Orphanage::getForMessageContaining(output);
    for (unsigned i = 0; i < fields.size(); ++i) {
      for (unsigned k = 0; k < i; ++k)
        KJ_REQUIRE(fields[k].getName() != fields[i].getName(), "a map key appears twice",
                   fields[i].getName());
      entries[i].setKey(fields[i].getName());
      capnp::DynamicStruct::Builder entry = entries[i];
      entry.adopt(value, codec.decode(fields[i].getValue(), value.getType(), orphanage));
    }
  }

private:
  static capnp::StructSchema::Field value_field() {
    return capnp::Schema::from<typename T::Entry>().getFieldByName("value");
  }
};

} // namespace

void add_map_handlers(capnp::JsonCodec& codec) {
  static map_handler<schema::ScalarMap> scalars;
  static map_handler<schema::SecretMap> secrets;
  static map_handler<schema::TextMap> texts;
  static map_handler<schema::OfferFiltersMap> offer_filters;
  static map_handler<schema::RoleConstraintsMap> role_constraints;
  static map_handler<schema::state::SummaryMap> summaries;
  codec.addTypeHandler(scalars);
  codec.addTypeHandler(secrets);
  codec.addTypeHandler(texts);
  codec.addTypeHandler(offer_filters);
  codec.addTypeHandler(role_constraints);
  codec.addTypeHandler(summaries);
  // The annotated roots do not see past a handler, so the maps' value types
  // learn their Mesos spellings here.
  codec.handleByAnnotation<schema::Secret>();
  codec.handleByAnnotation<schema::OfferFilters>();
  codec.handleByAnnotation<schema::OfferConstraints::RoleConstraints>();
}

} // namespace cairn
