# Resources and attributes, after Mesos' v1 mesos.proto (Resource, Value, Attribute),
# and what a Resource reaches (labels, volumes, images, secrets).
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
  labels @3 :Labels;

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
  providerId @8 :ResourceProviderID $Json.name("provider_id");
  reservation @9 :ReservationInfo;
  # Mesos' pre-refinement form of a dynamic reservation.
  disk @10 :DiskInfo;
  revocable @11 :RevocableInfo;
  shared @12 :SharedInfo;

  struct DiskInfo {
    persistence @0 :Persistence;
    volume @1 :Volume;
    source @2 :Source;

    struct Persistence {
      id @0 :Text;
      principal @1 :Text;
    }

    struct Source {
      type @0 :Type;
      path @1 :Path;
      mount @2 :Mount;
      vendor @3 :Text;
      id @4 :Text;
      metadata @5 :Labels;
      profile @6 :Text;

      # In Mesos' order: an unset enum reads as the first value there too.
      enum Type {
        unknown @0 $Json.name("UNKNOWN");
        path @1 $Json.name("PATH");
        mount @2 $Json.name("MOUNT");
        block @3 $Json.name("BLOCK");
        raw @4 $Json.name("RAW");
      }

      struct Path { root @0 :Text; }

      struct Mount { root @0 :Text; }
    }
  }

  struct RevocableInfo {}

  struct SharedInfo {}
}

struct Attribute {
  name @0 :Text;
  type @1 :ValueType;
  scalar @2 :Scalar;
  ranges @3 :Ranges;
  set @4 :Set;
  text @5 :TextValue;
}

struct Label @0x92ba800fad4f448f {
  key @0 :Text;
  value @1 :Text;
}

struct Labels @0xb4411b722ecca9e9 { labels @0 :List(Label); }

struct ResourceProviderID { value @0 :Text; }

struct Parameter {
  key @0 :Text;
  value @1 :Text;
}

struct Parameters { parameter @0 :List(Parameter); }

struct Credential {
  principal @0 :Text;
  secret @1 :Text;
}

struct Secret {
  type @0 :Type;
  reference @1 :Reference;
  value @2 :Value;

  enum Type {
    unknown @0 $Json.name("UNKNOWN");
    reference @1 $Json.name("REFERENCE");
    value @2 $Json.name("VALUE");
  }

  struct Reference {
    name @0 :Text;
    key @1 :Text;
  }

  struct Value { data @0 :Data $Json.base64; }
}

struct Image {
  type @0 :Type;
  appc @1 :Appc;
  docker @2 :Docker;
  cached @3 :Bool = true;

  # In Mesos' order: an unset enum reads as the first value there too.
  enum Type {
    appc @0 $Json.name("APPC");
    docker @1 $Json.name("DOCKER");
  }

  struct Appc {
    name @0 :Text;
    id @1 :Text;
    labels @2 :Labels;
  }

  struct Docker {
    name @0 :Text;
    credential @1 :Credential;
    config @2 :Secret;
  }
}

struct MountPropagation {
  mode @0 :Mode;

  enum Mode {
    unknown @0 $Json.name("UNKNOWN");
    hostToContainer @1 $Json.name("HOST_TO_CONTAINER");
    bidirectional @2 $Json.name("BIDIRECTIONAL");
  }
}

struct Volume {
  mode @0 :Mode;
  containerPath @1 :Text $Json.name("container_path");
  hostPath @2 :Text $Json.name("host_path");
  image @3 :Image;
  source @4 :Source;

  enum Mode {
    rw @0 $Json.name("RW");
    ro @1 $Json.name("RO");
  }

  struct Source {
    type @0 :Type;
    dockerVolume @1 :DockerVolume $Json.name("docker_volume");
    hostPath @2 :HostPath $Json.name("host_path");
    sandboxPath @3 :SandboxPath $Json.name("sandbox_path");
    secret @4 :Secret;
    csiVolume @5 :CsiVolume $Json.name("csi_volume");

    enum Type {
      unknown @0 $Json.name("UNKNOWN");
      dockerVolume @1 $Json.name("DOCKER_VOLUME");
      hostPath @2 $Json.name("HOST_PATH");
      sandboxPath @3 $Json.name("SANDBOX_PATH");
      secret @4 $Json.name("SECRET");
      csiVolume @5 $Json.name("CSI_VOLUME");
    }

    struct DockerVolume {
      driver @0 :Text;
      name @1 :Text;
      driverOptions @2 :Parameters $Json.name("driver_options");
    }

    struct HostPath {
      path @0 :Text;
      mountPropagation @1 :MountPropagation $Json.name("mount_propagation");
    }

    struct SandboxPath {
      type @0 :Type;
      path @1 :Text;

      enum Type {
        unknown @0 $Json.name("UNKNOWN");
        self @1 $Json.name("SELF");
        parent @2 $Json.name("PARENT");
      }
    }

    struct CsiVolume {
      pluginName @0 :Text $Json.name("plugin_name");
      staticProvisioning @1 :StaticProvisioning $Json.name("static_provisioning");

      struct VolumeCapability {
        block @0 :BlockVolume;
        mount @1 :MountVolume;
        accessMode @2 :AccessMode $Json.name("access_mode");

        struct BlockVolume {}

        struct MountVolume {
          fsType @0 :Text $Json.name("fs_type");
          mountFlags @1 :List(Text) $Json.name("mount_flags");
        }

        struct AccessMode {
          mode @0 :Mode;

          enum Mode {
            unknown @0 $Json.name("UNKNOWN");
            singleNodeWriter @1 $Json.name("SINGLE_NODE_WRITER");
            singleNodeReaderOnly @2 $Json.name("SINGLE_NODE_READER_ONLY");
            multiNodeReaderOnly @3 $Json.name("MULTI_NODE_READER_ONLY");
            multiNodeSingleWriter @4 $Json.name("MULTI_NODE_SINGLE_WRITER");
            multiNodeMultiWriter @5 $Json.name("MULTI_NODE_MULTI_WRITER");
          }
        }
      }

      struct StaticProvisioning {
        volumeId @0 :Text $Json.name("volume_id");
        volumeCapability @1 :VolumeCapability $Json.name("volume_capability");
        nodeStageSecrets @2 :SecretMap $Json.name("node_stage_secrets");
        nodePublishSecrets @3 :SecretMap $Json.name("node_publish_secrets");
        volumeContext @4 :TextMap $Json.name("volume_context");
      }
    }
  }
}

# Protobuf maps, which JSON writes as an object keyed by the map's keys; the
# codec reads and writes these through one handler (runtime/json_maps.cpp).
# No annotations here: the handler, not the annotations, gives their shape.
struct ScalarMap {
  entries @0 :List(Entry);
  struct Entry {
    key @0 :Text;
    value @1 :Scalar;
  }
}

struct SecretMap {
  entries @0 :List(Entry);
  struct Entry {
    key @0 :Text;
    value @1 :Secret;
  }
}

struct TextMap {
  entries @0 :List(Entry);
  struct Entry {
    key @0 :Text;
    value @1 :Text;
  }
}
