#include "actors/cron/job_container.hpp"

#include <cassert>
#include <string>

#include "runtime/errors.hpp"

namespace cairn::cron {

namespace {

using Network = schema::ContainerInfo::DockerInfo::Network;

constexpr const char* container_keys[] = {"type", "image", "network", "forcePullImage",
                                          "volumes", "parameters"};
constexpr const char* volume_keys[] = {"containerPath", "hostPath", "mode"};

bool empty_json(capnp::JsonValue::Reader v) {
  switch (v.which()) {
    case capnp::JsonValue::NULL_: return true;
    case capnp::JsonValue::BOOLEAN: return !v.getBoolean();
    case capnp::JsonValue::STRING: return v.getString().size() == 0;
    case capnp::JsonValue::ARRAY: return v.getArray().size() == 0;
    case capnp::JsonValue::OBJECT: return v.getObject().size() == 0;
    default: return false;
  }
}

template <size_t N>
caf::error refuse_keys(capnp::JsonValue::Reader object, const char* const (&known)[N],
                       const std::string& where) {
  if (!object.isObject())
    return empty_json(object) ? caf::error{} : make_error(where + " must be an object");
  for (auto f : object.getObject()) {
    bool ok = false;
    for (auto k : known)
      ok = ok || f.getName() == k;
    if (!ok && !empty_json(f.getValue()))
      return make_error(where + " field '" + std::string(f.getName().cStr())
                        + "' is not supported yet");
  }
  return {};
}

std::string network_of(schema::cron::Job::Container::Reader c) {
  std::string n = c.getNetwork();
  return n.empty() ? "HOST" : n;
}

} // namespace

caf::error refuse_container_keys(capnp::JsonValue::Reader given) {
  if (auto err = refuse_keys(given, container_keys, "container"))
    return err;
  if (!given.isObject())
    return {};
  for (auto f : given.getObject()) {
    if (f.getName() != "volumes" || !f.getValue().isArray())
      continue;
    for (auto v : f.getValue().getArray())
      if (auto err = refuse_keys(v, volume_keys, "container volume"))
        return err;
  }
  return {};
}

caf::error check_container(schema::cron::Job::Container::Reader c) {
  std::string type = c.getType();
  if (!type.empty() && type != "DOCKER" && type != "MESOS")
    return make_error("container type '" + type + "' is neither DOCKER nor MESOS");
  if (c.getImage().size() == 0)
    return make_error("a " + (type.empty() ? std::string("DOCKER") : type) +
                      " container needs an image");
  auto network = network_of(c);
  if (type == "MESOS") {
    // The agent runs a Docker image itself (--image_providers=docker), on
    // the host's network, without Docker's volumes, parameters or pulls.
    if (network != "HOST")
      return make_error("a MESOS container runs on the host's network; network '" + network +
                        "' needs type DOCKER");
    if (c.getVolumes().size() > 0)
      return make_error("container volumes are not supported yet with type MESOS");
    if (c.getParameters().size() > 0)
      return make_error("container parameters are Docker's: they need type DOCKER");
    if (c.getForcePullImage())
      return make_error("forcePullImage is not supported with type MESOS (images come from "
                        "the agent's --docker_registry)");
    return {};
  }
  if (network == "USER")
    return make_error("container network USER is not supported yet (HOST, BRIDGE or NONE)");
  if (network != "HOST" && network != "BRIDGE" && network != "NONE")
    return make_error("container network '" + network + "' is not HOST, BRIDGE or NONE");
  for (auto v : c.getVolumes()) {
    if (v.getContainerPath().size() == 0)
      return make_error("a container volume needs a containerPath");
    std::string mode = v.getMode();
    if (!mode.empty() && mode != "RW" && mode != "RO")
      return make_error("container volume mode '" + mode + "' is not RW or RO");
  }
  for (auto p : c.getParameters())
    if (p.getKey().size() == 0)
      return make_error("a container parameter needs a key");
  return {};
}

void fill_container_info(schema::cron::Job::Container::Reader c,
                         schema::ContainerInfo::Builder out) {
  assert(!check_container(c));
  if (std::string(c.getType()) == "MESOS") {
    out.setType(schema::ContainerInfo::Type::MESOS);
    auto image = out.initMesos().initImage();
    image.setType(schema::Image::Type::DOCKER);
    image.initDocker().setName(c.getImage());
    return;
  }
  out.setType(schema::ContainerInfo::Type::DOCKER);
  auto d = out.initDocker();
  d.setImage(c.getImage());
  auto network = network_of(c);
  d.setNetwork(network == "BRIDGE" ? Network::BRIDGE
               : network == "NONE" ? Network::NONE
                                   : Network::HOST);
  d.setForcePullImage(c.getForcePullImage());
  auto params = d.initParameters(c.getParameters().size());
  for (unsigned i = 0; i < params.size(); ++i) {
    params[i].setKey(c.getParameters()[i].getKey());
    params[i].setValue(c.getParameters()[i].getValue());
  }
  auto volumes = out.initVolumes(c.getVolumes().size());
  for (unsigned i = 0; i < volumes.size(); ++i) {
    auto v = c.getVolumes()[i];
    volumes[i].setContainerPath(v.getContainerPath());
    if (v.getHostPath().size() > 0)
      volumes[i].setHostPath(v.getHostPath());
    volumes[i].setMode(std::string(v.getMode()) == "RO" ? schema::Volume::Mode::RO
                                                         : schema::Volume::Mode::RW);
  }
  assert(out.getDocker().getImage().size() > 0);
}

} // namespace cairn::cron
