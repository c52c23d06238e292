#include "tests/support/fake_checkpoint_store.hpp"

#include <algorithm>

#include "runtime/errors.hpp"

namespace cairn::test {

namespace {

std::string parent_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool is_under(const std::string& path, const std::string& top) {
  return path == top || (path.size() > top.size() && path.compare(0, top.size(), top) == 0 &&
                         (top == "/" || path[top.size()] == '/'));
}

} // namespace

caf::error fake_checkpoint_store::crashed_error(const std::string& path) const {
  return make_error("store crashed before it was done with " + path);
}

caf::error fake_checkpoint_store::refuse_if_down(const std::string& path) {
  if (crashed_)
    return crashed_error(path);
  if (fail_next_) {
    fail_next_ = false;
    return make_error("cannot write " + path + ": No space left on device (injected)");
  }
  return caf::none;
}

bool fake_checkpoint_store::step() {
  if (crashed_)
    return false;
  if (plan_ && plan_steps_ == plan_->after_steps) {
    crash(plan_->metadata_survives, plan_->torn_bytes);
    return false;
  }
  ++plan_steps_;
  ++steps_;
  return true;
}

void fake_checkpoint_store::crash_after(crash_plan plan) {
  plan_ = plan;
  plan_steps_ = 0;
}

void fake_checkpoint_store::crash(bool metadata_survives, size_t torn_bytes) {
  for (const auto& c : pending_) {
    switch (c.kind) {
      case change_kind::replace:
        if (metadata_survives) {
          durable_.files[c.path] = c.bytes;
          durable_.files.erase(checkpoint_temp_path(c.path));
        }
        break;
      case change_kind::erase:
        if (metadata_survives)
          erase_tree(durable_, c.path);
        break;
      case change_kind::append:
        if (!c.created || metadata_survives)
          durable_.files[c.path] += c.bytes.substr(0, std::min(torn_bytes, c.bytes.size()));
        break;
    }
  }
  pending_.clear();
  visible_ = durable_;
  plan_.reset();
  crashed_ = true;
}

void fake_checkpoint_store::restart() {
  crashed_ = false;
  plan_.reset();
  fail_next_ = false;
}

void fake_checkpoint_store::make_parents(const std::string& path) {
  // A directory made by the file store is synced into its parent at once.
  for (auto dir = parent_of(path); dir != "/" && dir != "."; dir = parent_of(dir)) {
    visible_.dirs.insert(dir);
    durable_.dirs.insert(dir);
  }
}

void fake_checkpoint_store::sync() {
  for (const auto& c : pending_) {
    switch (c.kind) {
      case change_kind::replace:
        durable_.files[c.path] = c.bytes;
        durable_.files.erase(checkpoint_temp_path(c.path));
        break;
      case change_kind::erase:
        erase_tree(durable_, c.path);
        break;
      case change_kind::append:
        durable_.files[c.path] = visible_.files[c.path];
        break;
    }
  }
  pending_.clear();
}

void fake_checkpoint_store::erase_tree(disk& d, const std::string& path) {
  for (auto it = d.files.begin(); it != d.files.end();)
    it = is_under(it->first, path) ? d.files.erase(it) : std::next(it);
  for (auto it = d.dirs.begin(); it != d.dirs.end();)
    it = is_under(*it, path) ? d.dirs.erase(it) : std::next(it);
}

caf::error fake_checkpoint_store::write(const std::string& path, std::string_view bytes) {
  if (auto err = refuse_if_down(path))
    return err;
  if (visible_.dirs.count(path))
    return make_error("cannot rename over " + path + ": Is a directory");
  if (!step())
    return crashed_error(path);
  make_parents(path);
  auto temp = checkpoint_temp_path(path);
  if (!step())
    return crashed_error(path);
  // The temporary file is written and synced.
  visible_.files[temp] = std::string(bytes);
  durable_.files[temp] = std::string(bytes);
  if (!step())
    return crashed_error(path);
  // Renamed: seen at once, durable only once the directory is synced.
  visible_.files[path] = std::string(bytes);
  visible_.files.erase(temp);
  pending_.push_back({change_kind::replace, path, std::string(bytes)});
  if (!step())
    return crashed_error(path);
  sync();
  return caf::none;
}

caf::error fake_checkpoint_store::append(const std::string& path, std::string_view bytes) {
  if (auto err = refuse_if_down(path))
    return err;
  if (visible_.dirs.count(path))
    return make_error("cannot append to " + path + ": not a regular file");
  if (!step())
    return crashed_error(path);
  make_parents(path);
  if (!step())
    return crashed_error(path);
  bool created = visible_.files.count(path) == 0;
  visible_.files[path] += std::string(bytes);
  pending_.push_back({change_kind::append, path, std::string(bytes), created});
  if (!step())
    return crashed_error(path);
  sync();
  return caf::none;
}

caf::expected<std::optional<std::string>>
fake_checkpoint_store::read(const std::string& path) {
  if (crashed_)
    return crashed_error(path);
  if (unreadable_.count(path))
    return make_error("cannot read " + path + ": Input/output error (injected)");
  if (visible_.dirs.count(path))
    return make_error("cannot read " + path + ": not a regular file");
  auto it = visible_.files.find(path);
  if (it == visible_.files.end())
    return std::optional<std::string>{};
  return std::optional<std::string>{it->second};
}

caf::expected<std::vector<checkpoint_entry>>
fake_checkpoint_store::list(const std::string& dir) {
  if (crashed_)
    return crashed_error(dir);
  if (visible_.files.count(dir))
    return make_error("cannot open directory " + dir + ": Not a directory");
  std::vector<checkpoint_entry> out;
  auto child = [&](const std::string& p) -> std::optional<std::string> {
    if (parent_of(p) != dir)
      return std::nullopt;
    return p.substr(p.find_last_of('/') + 1);
  };
  for (const auto& [p, _] : visible_.files)
    if (auto name = child(p); name && !is_checkpoint_temp_name(*name))
      out.push_back({*name, false});
  for (const auto& p : visible_.dirs)
    if (auto name = child(p))
      out.push_back({*name, true});
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

caf::error fake_checkpoint_store::remove(const std::string& path) {
  if (auto err = refuse_if_down(path))
    return err;
  if (!step())
    return crashed_error(path);
  erase_tree(visible_, path);
  pending_.push_back({change_kind::erase, path, {}});
  if (!step())
    return crashed_error(path);
  sync();
  return caf::none;
}

std::optional<std::string> fake_checkpoint_store::file(const std::string& path) const {
  auto it = visible_.files.find(path);
  if (it == visible_.files.end())
    return std::nullopt;
  return it->second;
}

std::vector<std::string> fake_checkpoint_store::files() const {
  std::vector<std::string> out;
  for (const auto& [p, _] : visible_.files)
    out.push_back(p);
  return out;
}

void fake_checkpoint_store::put_file(const std::string& path, const std::string& bytes) {
  make_parents(path);
  visible_.files[path] = bytes;
  durable_.files[path] = bytes;
}

} // namespace cairn::test
