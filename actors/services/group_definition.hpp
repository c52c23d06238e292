#pragma once
// A group as a client posts it to /v2/groups or puts it to /v2/groups/{id},
// read as Marathon reads it: its apps' and subgroups' ids are read against
// it (`db` in `/shop` is `/shop/db`), each app as read_app reads one, each
// violation named with its path (`/apps(0)/cpus`, `/groups(1)/id`). What
// Marathon has and cairn does not implement yet is a violation naming it:
// pods, scaleBy, version (a rollback to a group's version), dependencies of
// a group (apps' own dependencies are honoured), enforceRole. Groups are
// not kept of their own: they exist through the apps they hold. Pure.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/services/app_definition.hpp"

namespace cairn::services {

// A group's content as the body gives it; a member left out keeps what is
// there (Marathon's GroupUpdate): apps absent keeps the group's own apps,
// groups absent keeps its subgroups.
struct group_update {
  path_id id;
  std::optional<std::vector<wire<App>>> apps;  // their ids absolute, no version
  std::optional<std::vector<group_update>> groups;
};

struct group_result {
  std::optional<group_update> group;
  app_result error;  // status 400 or 422 and what was wrong, when !ok()

  bool ok() const { return group.has_value(); }
};

// Subgroups nest at most this deep below the group read (a bound on the
// reader's recursion; Marathon's groups rarely go past three).
constexpr size_t max_group_depth = 16;

// Reads a group from `body`; its id is read against `base`. `url_id`, from
// PUT /v2/groups/{id}, names the group when the body does not, and must
// agree with it when it does.
group_result read_group(std::string_view body, const path_id& base = {},
                        const std::optional<path_id>& url_id = std::nullopt);

// Every app by its id text ("/shop/db").
using app_map = std::map<std::string, wire<App>>;

// Whether `app` is in `group` or below it.
bool in_group(const path_id& app, const path_id& group);
// The ids of the apps in `group` or below it.
std::vector<std::string> apps_in(const app_map& apps, const path_id& group);

// The apps once `update` is applied to `current`: the group's listed apps
// replace its own, its listed subgroups replace its subgroups (one not
// listed goes, with its apps), each listed one applied the same way. An app
// that comes out as it was keeps its version; a new or changed one takes
// `version`.
app_map apply_group(const app_map& current, const group_update& update,
                    const std::string& version);

// The paths (`/`, `/groups(0)`) of groups in `update` that would hold no
// app of their own or below: a group exists through its apps, so one that
// is to be created empty is refused rather than dropped.
std::vector<std::string> empty_groups(const group_update& update);

} // namespace cairn::services
