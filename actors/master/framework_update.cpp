// UPDATE_FRAMEWORK: a subscribed framework changes its FrameworkInfo (name,
// roles, capabilities, failover timeout, labels, ...) and its suppressed
// roles without re-subscribing, as in Mesos 1.9 and later.
#include "actors/master/state.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "actors/master/unsupported.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "storage/registry.hpp"

namespace cairn {

namespace {

using Call = schema::Call;

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Why the update cannot be made, or "". `roles` are the new roles, checked.
std::string update_problem(const framework_record& fw, Call::UpdateFramework::Reader update,
                           const std::vector<std::string>& roles) {
  auto old_info = *fw.info;
  auto info = update.getFrameworkInfo();
  if (fw.id != info.getId().getValue().cStr())
    return fmt::format("'framework_info.id' ({}) must be the id of the framework ({})",
                       info.getId().getValue().cStr(), fw.id);
  // Mesos refuses to change who the framework is and how its agents keep it.
  if (info.getPrincipal() != old_info.getPrincipal())
    return "Updating 'FrameworkInfo.principal' is unsupported";
  if (info.getUser() != old_info.getUser())
    return "Updating 'FrameworkInfo.user' is unsupported";
  if (info.getCheckpoint() != old_info.getCheckpoint())
    return "Updating 'FrameworkInfo.checkpoint' is unsupported";
  for (auto r : update.getSuppressedRoles())
    if (!std::binary_search(roles.begin(), roles.end(), std::string(r.cStr())))
      return fmt::format("Suppressed role '{}' is not a role of the framework", r.cStr());
  // Mesos goes on tracking a left role's running tasks; cairn's allocator
  // cannot yet, so a role is left only once nothing runs in it.
  for (const auto& [task_id, task] : fw.tasks)
    if (!task.terminal() && !contains(roles, task.role))
      return fmt::format("Removing role '{}' while task {} of the framework runs in it"
                         " is not supported yet",
                         task.role, task_id);
  return {};
}

void apply_update(master_ptr self, const std::string& id, wire<schema::FrameworkInfo> info,
                  std::vector<std::string> roles, const scheduler_call& msg) {
  auto& st = self->state;
  auto i = st.frameworks.find(id);
  if (i == st.frameworks.end())
    return; // removed while the registry was written
  auto& fw = i->second;
  // Offers were made for the old roles and capabilities: they go back, and
  // the allocator offers again under the new ones (Mesos rescinds them too).
  std::vector<std::string> offers(fw.offers.begin(), fw.offers.end());
  for (const auto& o : offers)
    rescind_offer(self, o);
  set_framework_info(fw, std::move(info), std::move(roles));
  allocator_update_framework(self, fw, msg->getUpdateFramework().getSuppressedRoles());
  logger("master")->info("framework {} ({}) updated its FrameworkInfo", id,
                         fw.info->getName().cStr());
  publish_framework(self, fw, schema::operator_api::Event::Type::FRAMEWORK_UPDATED);
}

} // namespace

void update_framework(master_ptr self, framework_record& fw, const scheduler_call& msg,
                      update_done done) {
  auto update = msg->getUpdateFramework();
  if (!update.hasFrameworkInfo())
    return done("Expecting 'update_framework.framework_info' to be present");
  auto info = update.getFrameworkInfo();
  auto roles = check_framework_info(info);
  if (!roles)
    return done(error_message(roles.error()));
  if (auto why = unsupported_in_update_framework(update); !why.empty())
    return done(why);
  if (auto why = update_problem(fw, update, *roles); !why.empty())
    return done(why);
  wire_builder<schema::FrameworkInfo> b;
  b.message().setRoot(info);
  auto recorded = std::move(b).finish();
  // As at SUBSCRIBE: the registry has the new info before the master acts on it,
  // so that a new leader recovers the framework as it was last described.
  std::string id = fw.id;
  write_registry(self, add_framework_entry(*recorded),
                 [=, roles = std::move(*roles)](bool ok, const std::string& why) mutable {
                   if (!ok)
                     return done("The framework update could not be recorded: " + why);
                   apply_update(self, id, recorded, std::move(roles), msg);
                   done({});
                 });
}

void on_update_framework(master_ptr self, framework_record& fw, const scheduler_call& msg) {
  auto sender = self->current_sender();
  update_framework(self, fw, msg, [=](const std::string& why) {
    if (!why.empty())
      send_error(self, sender, why);
  });
}

caf::typed_response_promise<std::string> on_update_framework_request(master_ptr self,
                                                                    const scheduler_call& msg) {
  auto promise = self->make_response_promise<std::string>();
  std::string id = msg->getFrameworkId().getValue();
  auto i = self->state.frameworks.find(id);
  if (i == self->state.frameworks.end() || !i->second.connected) {
    promise.deliver(fmt::format("Framework '{}' is not subscribed", id));
    return promise;
  }
  update_framework(self, i->second, msg,
                   [promise](const std::string& why) mutable { promise.deliver(why); });
  return promise;
}

} // namespace cairn
