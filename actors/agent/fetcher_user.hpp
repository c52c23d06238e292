// The user a fetch is for. Mesos runs its fetcher as that user so that a
// task cannot fetch a local file its user may not read; cairn fetches in the
// agent, so a local file is opened with the user's file-system identity
// (per-thread fsuid, fsgid and groups, set for the open only), and what the
// fetch leaves in the sandbox is handed to the user (chown), as Mesos does.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "runtime/beneath.hpp"

namespace cairn {

struct user_identity {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
};

// The account named `name`; an error naming it when the machine has none.
caf::expected<user_identity> lookup_user(const std::string& name);

// Opens `path` read-only as `who` would (when this process runs as root and
// `who` is another user), else as this process. The error names the path.
caf::expected<unique_fd> open_for_reading_as(const user_identity* who, const std::string& path);

// Gives `dir` and everything beneath it (links themselves, never their
// targets) to `who`. Only as root; otherwise nothing to do.
caf::error chown_tree(const std::string& dir, const user_identity& who);

} // namespace cairn
