#include "actors/agent/fetcher.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <optional>

#include "actors/agent/fetcher_archive.hpp"
#include "actors/agent/fetcher_transfer.hpp"
#include "actors/agent/fetcher_user.hpp"
#include "actors/agent/sandbox_files.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"

namespace cairn {

std::shared_ptr<fetcher_cache> make_fetcher_cache(const fetcher_options& o,
                                                  const std::string& agent_id) {
  assert(!agent_id.empty() && agent_id.find('/') == std::string::npos);
  return std::make_shared<fetcher_cache>(o.cache_dir + "/slaves/" + agent_id, o.cache_size_bytes);
}

namespace {

// Lines appended to the sandbox's stderr, with glog's severity letters as
// Mesos' fetcher writes them there. Losing the log must not fail the fetch.
class fetch_log {
public:
  explicit fetch_log(const std::string& sandbox) {
    if (auto fd = open_append_beneath(sandbox, "stderr"))
      fd_ = std::move(*fd);
  }
  void info(const std::string& line) { write_line('I', line); }
  void warn(const std::string& line) { write_line('W', line); }
  void error(const std::string& line) { write_line('E', line); }

private:
  void write_line(char severity, const std::string& line) {
    if (!fd_)
      return;
    auto text = std::string(1, severity) + " fetcher] " + line + "\n";
    // One write per line so that lines of concurrent writers never interleave.
    [[maybe_unused]] auto n = write(fd_.get(), text.data(), text.size());
  }
  unique_fd fd_;
};

// One URI, checked.
struct planned_uri {
  const fetch_uri* uri;
  uri_source source;
  std::string destination;  // relative to the sandbox
};

struct fetch_context {
  const fetch_request& request;
  std::string sandbox;  // realpath: extraction needs a path without links
  const user_identity* user;
  transfer_options transfer;
  fetch_log& log;
};

caf::error fail(const std::string& what, const std::string& why) {
  return make_error("Failed to fetch '" + what + "': " + why, caf::sec::runtime_error);
}

// Unpacks or marks executable what was fetched (open at `fd`); `in_sandbox`
// says whether `fd` is the sandbox's copy (else the cache's file, which is
// copied when not unpacked).
caf::error deliver(fetch_context& c, const planned_uri& p, int fd, bool in_sandbox) {
  const auto& uri = *p.uri;
  auto target = c.sandbox + "/" + p.destination;
  auto kind = archive_kind_of(p.destination);
  if (!uri.executable && uri.extract && kind != archive_kind::none) {
    auto err = kind == archive_kind::archive
                 ? extract_archive(fd, c.sandbox)
                 : gunzip_into(fd, c.sandbox, gunzipped_name(p.destination));
    if (err)
      return make_error("Failed to extract '" + target + "': " + error_message(err));
    c.log.info("Extracted '" + (in_sandbox ? target : uri.value) + "' into '" + c.sandbox + "'");
    return caf::none;
  }
  if (!uri.executable && uri.extract)
    c.log.warn("Copying instead of extracting resource from URI with 'extract' flag, because "
               "it does not seem to be an archive: " + uri.value);
  unique_fd copy;
  if (!in_sandbox) {
    auto out = create_beneath(c.sandbox, p.destination, 0644);
    if (!out)
      return out.error();
    if (lseek(fd, 0, SEEK_SET) != 0)
      return make_error("cannot rewind the cache file");
    if (auto copied = copy_fd(fd, out->get()); !copied)
      return make_error("cannot copy from the cache: " + error_message(copied.error()));
    copy = std::move(*out);
    fd = copy.get();
  }
  if (uri.executable && fchmod(fd, 0755) != 0)
    return make_error("Failed to chmod executable '" + target + "': " + strerror(errno));
  return caf::none;
}

caf::error fetch_directly(fetch_context& c, const planned_uri& p) {
  c.log.info("Fetching directly into the sandbox directory");
  auto target = c.sandbox + "/" + p.destination;
  auto out = create_beneath(c.sandbox, p.destination, 0644);
  if (!out)
    return out.error();
  c.log.info((p.source.where == uri_source::kind::net ? "Downloading resource from '"
                                                       : "Copying resource from '") +
             p.source.location + "' to '" + target + "'");
  if (auto n = transfer(p.source, out->get(), c.transfer); !n) {
    // No partial or empty file is left to look like the resource. The path
    // was just walked without following links, and the task has not started.
    unlink(target.c_str());
    return n.error();
  }
  return deliver(c, p, out->get(), true);
}

// Downloads into the cache file of a new entry (reserved first); the reason
// to bypass the cache when it cannot hold the URI, as Mesos falls back.
caf::expected<std::optional<std::string>> download_into_cache(fetch_context& c,
                                                              const planned_uri& p,
                                                              const fetcher_cache::lease& l) {
  auto& cache = *c.request.cache;
  auto size = probe_size(p.source, c.transfer);
  if (!size)
    return std::optional<std::string>{"its size could not be determined: " +
                                      error_message(size.error())};
  if (auto why = cache.reserve(l, *size); !why.empty())
    return std::optional<std::string>{why};
  c.log.info("Downloading into cache");
  auto part = l.path + ".part";
  unique_fd fd{open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)};
  if (!fd)
    return make_error("cannot create cache file '" + part + "': " + strerror(errno));
  auto n = transfer(p.source, fd.get(), c.transfer);
  if (!n)
    return n.error();
  if (fsync(fd.get()) != 0 || rename(part.c_str(), l.path.c_str()) != 0)
    return make_error("cannot complete cache file '" + l.path + "': " + strerror(errno));
  cache.complete(l, *n);
  return std::optional<std::string>{};
}

// Fetches through the cache; the reason when it must be bypassed instead.
caf::expected<std::optional<std::string>> fetch_through_cache(fetch_context& c,
                                                              const planned_uri& p) {
  auto& cache = *c.request.cache;
  auto l = cache.acquire(c.request.user, p.uri->value);
  if (l.download) {
    auto outcome = download_into_cache(c, p, l);
    if (!outcome || *outcome) {
      cache.abandon(l);
      return outcome;
    }
  } else {
    c.log.info("Fetching from cache");
  }
  caf::error err;
  unique_fd fd{open(l.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)};
  if (!fd)
    err = make_error("cannot open cache file '" + l.path + "': " + strerror(errno));
  else
    err = deliver(c, p, fd.get(), false);
  cache.release(l);
  if (err)
    return err;
  return std::optional<std::string>{};
}

caf::error fetch_one(fetch_context& c, const planned_uri& p) {
  c.log.info("Fetching URI '" + p.uri->value + "'");
  auto& cache = c.request.cache;
  bool cached = p.uri->cache && cache && cache->capacity_bytes() > 0;
  if (cached) {
    if (auto err = cache->prepare()) {
      c.log.warn("Not using the fetcher cache: " + error_message(err));
      cached = false;
    }
  }
  if (cached) {
    auto outcome = fetch_through_cache(c, p);
    if (!outcome)
      return outcome.error();
    if (!*outcome)
      return caf::none;
    c.log.warn("Reverting to fetching directly into the sandbox for '" + p.uri->value +
               "', due to failure to fetch through the cache, with error: " + **outcome);
  }
  return fetch_directly(c, p);
}

// Every URI checked before anything is fetched: bad input changes nothing.
caf::expected<std::vector<planned_uri>> plan(const fetch_request& r) {
  std::vector<planned_uri> planned;
  for (const auto& uri : r.uris) {
    auto source = classify_uri(uri.value);
    if (!source)
      return fail(uri.value, error_message(source.error()));
    auto destination = destination_name(uri);
    if (!destination)
      return fail(uri.value, error_message(destination.error()));
    planned.push_back({&uri, std::move(*source), std::move(*destination)});
  }
  return planned;
}

} // namespace

caf::error fetch_uris(const fetch_request& request) {
  fetch_log log{request.sandbox_dir};
  auto refuse = [&](caf::error err) {
    log.error(error_message(err));
    return err;
  };
  char real[PATH_MAX];
  if (realpath(request.sandbox_dir.c_str(), real) == nullptr)
    return refuse(make_error("Failed to fetch: no sandbox directory '" + request.sandbox_dir +
                             "': " + strerror(errno)));
  auto planned = plan(request);
  if (!planned)
    return refuse(planned.error());
  std::optional<user_identity> user;
  if (!request.user.empty()) {
    auto found = lookup_user(request.user);
    if (!found)
      return refuse(make_error("Failed to fetch: " + error_message(found.error())));
    user = std::move(*found);
  }
  auto stall = std::chrono::ceil<std::chrono::seconds>(request.stall_timeout);
  fetch_context c{request, real, user ? &*user : nullptr,
                  transfer_options{std::max(stall, std::chrono::seconds(1)),
                                   user ? &*user : nullptr},
                  log};
  for (const auto& p : *planned) {
    if (auto err = fetch_one(c, p))
      return refuse(fail(p.uri->value, error_message(err)));
    log.info("Fetched '" + p.uri->value + "' to '" + c.sandbox + "/" + p.destination + "'");
  }
  if (user)
    if (auto err = chown_tree(c.sandbox, *user))
      return refuse(err);
  log.info("Successfully fetched all URIs into '" + request.sandbox_dir + "'");
  return caf::none;
}

} // namespace cairn
