// The one list of every type that crosses an actor boundary. Each is
// registered with CAF from here (runtime/system.cpp), in every shape.
#pragma once

#include <caf/type_id.hpp>

#include "runtime/wire.hpp"
#include "schema/allocator.capnp.h"
#include "schema/checkpoint.capnp.h"
#include "schema/containerizer.capnp.h"
#include "schema/executor.capnp.h"
#include "schema/log.capnp.h"
#include "schema/master.capnp.h"
#include "schema/operator.capnp.h"
#include "schema/scheduler.capnp.h"
#include "schema/state.capnp.h"

namespace cairn {

using scheduler_call = wire<schema::Call>;
using scheduler_event = wire<schema::Event>;
using agent_call = wire<schema::agent::Call>;
using agent_event = wire<schema::agent::Event>;
using executor_call = wire<schema::executor::Call>;
using executor_event = wire<schema::executor::Event>;
using allocator_call = wire<schema::allocator::Call>;
using allocation = wire<schema::allocator::Allocation>;
using operator_call = wire<schema::operator_api::Call>;
using operator_response = wire<schema::operator_api::Response>;
using operator_event = wire<schema::operator_api::Event>;
using agent_operator_response = wire<schema::operator_api::AgentResponse>;
using agent_operator_event = wire<schema::operator_api::AgentEvent>;
using master_snapshot = wire<schema::state::Master>;
using agent_snapshot = wire<schema::state::AgentState>;
using log_message = wire<schema::log::Message>;
using roles_document = wire<schema::state::Roles>;
using container_config = wire<schema::containerizer::ContainerConfig>;
using container_termination = wire<schema::containerizer::Termination>;
using container_statistics = wire<schema::containerizer::ResourceStatistics>;
using container_recovery = wire<schema::containerizer::RecoverState>;
using checkpoint_write = wire<schema::checkpoint::Write>;

} // namespace cairn

CAF_BEGIN_TYPE_ID_BLOCK(cairn, caf::first_custom_type_id)
  CAF_ADD_TYPE_ID(cairn, (cairn::scheduler_call))
  CAF_ADD_TYPE_ID(cairn, (cairn::scheduler_event))
  CAF_ADD_TYPE_ID(cairn, (cairn::agent_call))
  CAF_ADD_TYPE_ID(cairn, (cairn::agent_event))
  CAF_ADD_TYPE_ID(cairn, (cairn::executor_call))
  CAF_ADD_TYPE_ID(cairn, (cairn::executor_event))
  CAF_ADD_TYPE_ID(cairn, (cairn::allocator_call))
  CAF_ADD_TYPE_ID(cairn, (cairn::allocation))
  CAF_ADD_TYPE_ID(cairn, (cairn::operator_call))
  CAF_ADD_TYPE_ID(cairn, (cairn::operator_response))
  CAF_ADD_TYPE_ID(cairn, (cairn::operator_event))
  CAF_ADD_TYPE_ID(cairn, (cairn::master_snapshot))
  CAF_ADD_TYPE_ID(cairn, (cairn::agent_snapshot))
  CAF_ADD_TYPE_ID(cairn, (cairn::log_message))
  CAF_ADD_TYPE_ID(cairn, (cairn::agent_operator_response))
  CAF_ADD_TYPE_ID(cairn, (cairn::agent_operator_event))
  CAF_ADD_TYPE_ID(cairn, (cairn::roles_document))
  CAF_ADD_TYPE_ID(cairn, (cairn::container_config))
  CAF_ADD_TYPE_ID(cairn, (cairn::container_termination))
  CAF_ADD_TYPE_ID(cairn, (cairn::container_statistics))
  CAF_ADD_TYPE_ID(cairn, (cairn::container_recovery))
  CAF_ADD_TYPE_ID(cairn, (cairn::checkpoint_write))
CAF_END_TYPE_ID_BLOCK(cairn)
