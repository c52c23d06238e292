# Resources and attributes, after Mesos' v1 mesos.proto (Resource, Value, Attribute).
@0xc31cc0ead78895f7;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("cairn::schema");
using Json = import "/capnp/compat/json.capnp";

enum ValueType {
  scalar @0 $Json.name("SCALAR");
  ranges @1 $Json.name("RANGES");
  set @2 $Json.name("SET");
  text @3 $Json.name("TEXT");
}

struct Scalar {
  value @0 :Float64;
}

struct Range {
  begin @0 :UInt64;
  end @1 :UInt64;
}

struct Ranges {
  range @0 :List(Range);
}

struct Set {
  item @0 :List(Text);
}

struct TextValue {
  value @0 :Text;
}

struct ReservationInfo {
  type @0 :Type;
  role @1 :Text;
  principal @2 :Text;

  enum Type {
    unknown @0 $Json.name("UNKNOWN");
    static @1 $Json.name("STATIC");
    dynamic @2 $Json.name("DYNAMIC");
  }
}

struct AllocationInfo {
  role @0 :Text;
}

struct Resource {
  name @0 :Text;
  type @1 :ValueType;
  scalar @2 :Scalar;
  ranges @3 :Ranges;
  set @4 :Set;
  role @5 :Text;
  # Mesos' pre-reservation-refinement field: "*" or the single reserved role.
  reservations @6 :List(ReservationInfo);
  # The reservation stack, innermost last; empty for unreserved resources.
  allocationInfo @7 :AllocationInfo $Json.name("allocation_info");
}

struct Attribute {
  name @0 :Text;
  type @1 :ValueType;
  scalar @2 :Scalar;
  ranges @3 :Ranges;
  set @4 :Set;
  text @5 :TextValue;
}
