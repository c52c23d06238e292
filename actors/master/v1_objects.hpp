// The master's records as Mesos v1 objects (Task, GetAgents.Agent,
// GetFrameworks.Framework), for the operator API and its event stream.
#pragma once

#include "actors/master/state.hpp"
#include "schema/operator.capnp.h"

namespace cairn {

namespace op = schema::operator_api;

void fill_v1_task(schema::Task::Builder b, const task_record& task, const framework_record& fw);
void fill_v1_agent(op::Response::GetAgents::Agent::Builder b, const agent_record& agent);
void fill_v1_framework(master_ptr self, op::Response::GetFrameworks::Framework::Builder b,
                       const framework_record& fw);

// GET_STATE's parts, each over the whole master.
void fill_get_tasks(master_ptr self, op::Response::GetTasks::Builder b);
void fill_get_agents(master_ptr self, op::Response::GetAgents::Builder b);
void fill_get_frameworks(master_ptr self, op::Response::GetFrameworks::Builder b);
void fill_get_executors(master_ptr self, op::Response::GetExecutors::Builder b);
void fill_get_state(master_ptr self, op::Response::GetState::Builder b);

} // namespace cairn
