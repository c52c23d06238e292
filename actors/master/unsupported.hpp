// What a framework may send, Mesos serves and cairn does not do yet, in one
// place: each entry names a TaskInfo field, an offer operation or a call
// type, and the master refuses it by that name (TASK_ERROR, OPERATION_ERROR,
// an error answer) instead of accepting it and doing nothing. A feature that
// lands deletes its entry. Pure functions of the message.
#pragma once

#include <string>

#include "schema/mesos.capnp.h"
#include "schema/operator.capnp.h"
#include "schema/scheduler.capnp.h"

namespace cairn {

// Mesos' name of an operation type, as a framework spells it ("RESERVE").
std::string operation_type_name(schema::Offer::Operation::Type type);

// Mesos' name of a scheduler call type ("SHUTDOWN").
std::string call_type_name(schema::Call::Type type);

// Why `task` cannot be launched yet ("TaskInfo.container is not supported
// yet"), naming the first such field, or "" when cairn does all it asks.
std::string unsupported_in_task(schema::TaskInfo::Reader task);

// Why an operation of `type` cannot be applied yet ("Offer operation RESERVE
// is not supported yet"), or "" for LAUNCH.
std::string unsupported_operation(schema::Offer::Operation::Type type);

// Why a call of `type` is not served yet ("Call type SHUTDOWN is not
// supported yet"), or "" when the master serves it.
std::string unsupported_call(schema::Call::Type type);

// Why an operator call of `type` is not served by the master yet ("Call type
// RESERVE_RESOURCES is not supported yet"), or "" when it is (or when the
// type is unknown, which the API refuses before).
std::string unsupported_operator_call(schema::operator_api::Call::Type type);

// Why a FrameworkInfo or a SUBSCRIBE cannot be honoured yet, or "".
std::string unsupported_in_framework_info(schema::FrameworkInfo::Reader info);
std::string unsupported_in_subscribe(schema::Call::Subscribe::Reader subscribe);
std::string unsupported_in_update_framework(schema::Call::UpdateFramework::Reader update);

} // namespace cairn
