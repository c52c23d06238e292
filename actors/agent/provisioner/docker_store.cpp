#include "actors/agent/provisioner/docker_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include <archive.h>
#include <archive_entry.h>

#include "actors/agent/archive_handles.hpp"
#include "actors/agent/fetcher_archive.hpp"
#include "actors/agent/provisioner/whiteouts.hpp"
#include "runtime/dirs.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"

namespace cairn::provisioner {

namespace fs = std::filesystem;

namespace {

using reader_ptr = archive_reader_ptr;
using writer_ptr = archive_writer_ptr;

constexpr size_t block_bytes = 64 * 1024;
// A layer's json or the repositories file; larger is not an image's.
constexpr la_int64_t max_metadata_bytes = 1 << 20;

std::string la_error(archive* a, const std::string& what) {
  const char* text = archive_error_string(a);
  return what + ": " + (text != nullptr ? text : "unknown libarchive error");
}

std::string strip_dot(std::string name) {
  while (name.rfind("./", 0) == 0)
    name = name.substr(2);
  return name;
}

caf::expected<std::string> read_text(archive* a, la_int64_t size, const std::string& name) {
  if (size > max_metadata_bytes)
    return make_error("'" + name + "' in the archive is too large");
  std::string text(static_cast<size_t>(size), '\0');
  if (size > 0 && archive_read_data(a, text.data(), text.size()) != size)
    return make_error(la_error(a, "cannot read '" + name + "'"));
  return text;
}

caf::error save_data(archive* a, const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return make_error("cannot create " + path + ": " + std::strerror(errno));
  std::vector<char> buffer(block_bytes);
  caf::error err;
  for (;;) {
    auto n = archive_read_data(a, buffer.data(), buffer.size());
    if (n == 0)
      break;
    if (n < 0) {
      err = make_error(la_error(a, "cannot read a layer"));
      break;
    }
    if (write(fd, buffer.data(), static_cast<size_t>(n)) != n) {
      err = make_error("cannot write " + path + ": " + std::strerror(errno));
      break;
    }
  }
  close(fd);
  return err;
}

// What one pass over the outer archive found.
struct archive_contents {
  std::string repositories;
  bool oci_layout = false;
  std::map<std::string, std::string> layer_json;  // id -> its json
  std::map<std::string, std::string> layer_tar;   // id -> saved tarball (only layers not cached)
  std::map<std::string, std::string> tar_alias;   // id -> id whose layer.tar it links to
};

std::string layer_path(const store_options& o, const std::string& id) {
  return o.store_dir + "/layers/" + id + (o.overlay_layers ? "/rootfs.overlay" : "/rootfs");
}

bool exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

caf::expected<archive_contents> scan(const store_options& o, const std::string& path,
                                     const std::string& staging) {
  reader_ptr in{archive_read_new()};
  if (!in)
    return make_error("cannot start libarchive");
  archive_read_support_format_tar(in.get());
  archive_read_support_format_gnutar(in.get());
  archive_read_support_filter_gzip(in.get());
  if (archive_read_open_filename(in.get(), path.c_str(), block_bytes) != ARCHIVE_OK)
    return make_error(la_error(in.get(), "cannot open " + path));
  archive_contents found;
  for (;;) {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(in.get(), &e);
    if (rc == ARCHIVE_EOF)
      break;
    if (rc < ARCHIVE_WARN)
      return make_error(la_error(in.get(), "cannot read " + path));
    auto name = strip_dot(archive_entry_pathname(e) != nullptr ? archive_entry_pathname(e) : "");
    if (name == "oci-layout" || name == "index.json") {
      found.oci_layout = true;
      continue;
    }
    if (name == "repositories") {
      auto text = read_text(in.get(), archive_entry_size(e), name);
      if (!text)
        return text.error();
      found.repositories = std::move(*text);
      continue;
    }
    auto slash = name.find('/');
    if (slash == std::string::npos)
      continue;
    auto id = name.substr(0, slash);
    auto file = name.substr(slash + 1);
    if (!docker::valid_layer_id(id) || (file != "json" && file != "layer.tar"))
      continue;
    if (file == "json") {
      auto text = read_text(in.get(), archive_entry_size(e), name);
      if (!text)
        return text.error();
      found.layer_json[id] = std::move(*text);
    } else if (!exists(layer_path(o, id))) {
      // `docker save` links a layer identical to another one's to it.
      if (archive_entry_filetype(e) == AE_IFLNK) {
        std::string target = archive_entry_symlink(e) != nullptr ? archive_entry_symlink(e) : "";
        auto parts = strip_dot(target);
        if (parts.rfind("../", 0) == 0)
          parts = parts.substr(3);
        auto other = parts.substr(0, parts.find('/'));
        if (!docker::valid_layer_id(other) || parts != other + "/layer.tar")
          return make_error("layer " + id + " links to '" + target + "', not another layer");
        found.tar_alias[id] = other;
        continue;
      }
      auto saved = staging + "/" + id + ".tar";
      if (auto err = save_data(in.get(), saved))
        return err;
      found.layer_tar[id] = saved;
    }
  }
  return found;
}

// Extracts a layer into the staging area, then moves it into the store in
// one rename: a layer in the store is always whole, and of two launches
// extracting it at once one keeps its copy.
caf::error store_layer(const store_options& o, const std::string& id, const std::string& tar,
                       const std::string& staging) {
  auto dir = staging + "/" + id;
  int fd = open(tar.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return make_error("cannot open " + tar + ": " + std::strerror(errno));
  auto err = extract_layer(fd, dir + "/rootfs");
  close(fd);
  if (!err && o.overlay_layers)
    err = convert_for_overlay(dir + "/rootfs");
  if (err)
    return make_error("layer " + id + ": " + error_message(err));
  auto target = o.store_dir + "/layers/" + id;
  if (auto e = make_dirs(target))
    return e;
  auto final_path = layer_path(o, id);
  if (rename((dir + "/rootfs").c_str(), final_path.c_str()) != 0 && !exists(final_path))
    return make_error("cannot move layer " + id + " into the store: " + std::strerror(errno));
  return caf::none;
}

} // namespace

bool registry_is_local(const std::string& registry) {
  return !registry.empty() && (registry[0] == '/' || registry.rfind("file://", 0) == 0);
}

caf::error extract_layer(int fd, const std::string& dir) {
  assert(!dir.empty() && dir[0] == '/');
  if (auto err = make_dirs(dir))
    return err;
  reader_ptr in{archive_read_new()};
  writer_ptr out{archive_write_disk_new()};
  if (!in || !out)
    return make_error("cannot start libarchive");
  archive_read_support_format_tar(in.get());
  archive_read_support_format_gnutar(in.get());
  archive_read_support_filter_gzip(in.get());
  archive_read_support_filter_xz(in.get());
  archive_write_disk_set_options(out.get(), ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                              ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                              ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM |
                                              ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR);
  if (archive_read_open_fd(in.get(), fd, block_bytes) != ARCHIVE_OK)
    return make_error(la_error(in.get(), "cannot open the layer"));
  for (;;) {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(in.get(), &e);
    if (rc == ARCHIVE_EOF)
      break;
    if (rc < ARCHIVE_WARN)
      return make_error(la_error(in.get(), "cannot read the layer"));
    std::string name = strip_dot(archive_entry_pathname(e) != nullptr
                                   ? archive_entry_pathname(e) : "");
    if (name.empty() || name == ".")
      continue;
    auto type = archive_entry_filetype(e);
    if (type == AE_IFCHR || type == AE_IFBLK)
      return make_error("entry '" + name + "' is a device, which an image layer may not hold");
    // The name must stay beneath the layer; a symbolic link's target is
    // the container's business (it resolves inside its root).
    if (auto why = check_entry(name, ""); !why.empty())
      return make_error("refused: " + why);
    if (const char* hard = archive_entry_hardlink(e); hard != nullptr) {
      if (auto why = check_entry(hard, ""); !why.empty())
        return make_error("refused: hard link " + why);
      archive_entry_copy_hardlink(e, (dir + "/" + strip_dot(hard)).c_str());
    }
    archive_entry_copy_pathname(e, (dir + "/" + name).c_str());
    if (archive_write_header(out.get(), e) < ARCHIVE_WARN)
      return make_error(la_error(out.get(), "cannot unpack '" + name + "'"));
    if (archive_entry_size(e) > 0) {
      const void* block = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      for (;;) {
        int r = archive_read_data_block(in.get(), &block, &size, &offset);
        if (r == ARCHIVE_EOF)
          break;
        if (r < ARCHIVE_OK)
          return make_error(la_error(in.get(), "cannot read '" + name + "'"));
        if (archive_write_data_block(out.get(), block, size, offset) < ARCHIVE_OK)
          return make_error(la_error(out.get(), "cannot write '" + name + "'"));
      }
    }
    if (archive_write_finish_entry(out.get()) < ARCHIVE_WARN)
      return make_error(la_error(out.get(), "cannot finish '" + name + "'"));
  }
  if (archive_write_close(out.get()) != ARCHIVE_OK)
    return make_error(la_error(out.get(), "cannot finish the layer"));
  return caf::none;
}

caf::expected<stored_image> get_image(const store_options& o, const std::string& image,
                                      const std::string& staging_name) {
  auto ref = docker::parse_image_reference(image);
  if (!ref)
    return ref.error();
  if (!registry_is_local(o.registry))
    return make_error("Failed to pull Docker image '" + image + "': the registry '" +
                      o.registry + "' is remote, and pulling from remote registries is "
                      "not implemented yet (--docker_registry may name a directory of "
                      "`docker save` archives)");
  auto dir = o.registry.rfind("file://", 0) == 0 ? o.registry.substr(7) : o.registry;
  auto path = dir + "/" + docker::archive_name(*ref);
  if (!exists(path))
    return make_error("Failed to pull Docker image '" + image + "': no archive " + path +
                      " in the registry directory");
  auto staging = o.store_dir + "/staging/" + staging_name;
  if (auto err = make_dirs(staging))
    return err;
  auto cleanup = [&] {
    std::error_code ec;
    fs::remove_all(staging, ec);
  };
  auto fail = [&](const std::string& why) -> caf::expected<stored_image> {
    cleanup();
    return make_error("Failed to provision Docker image '" + image + "' from " + path + ": " +
                      why);
  };
  auto found = scan(o, path, staging);
  if (!found)
    return fail(error_message(found.error()));
  if (found->repositories.empty())
    return fail(found->oci_layout
                  ? "it is an OCI image layout archive, which is not supported yet (only "
                    "the legacy `docker save` layout, with 'repositories', is)"
                  : "it has no 'repositories' file: not a `docker save` archive");
  auto top = docker::top_layer(found->repositories, *ref);
  if (!top)
    return fail(error_message(top.error()));
  std::map<std::string, std::string> parent_of;
  std::map<std::string, docker::image_config> configs;
  for (const auto& [id, text] : found->layer_json) {
    auto layer = docker::parse_layer_json(text);
    if (!layer)
      return fail("layer " + id + ": " + error_message(layer.error()));
    parent_of[id] = layer->parent;
    configs[id] = std::move(layer->config);
  }
  auto chain = docker::layer_chain(*top, parent_of);
  if (!chain)
    return fail(error_message(chain.error()));
  stored_image result;
  result.config = configs[*top];
  for (const auto& id : *chain) {
    if (!exists(layer_path(o, id))) {
      auto source = id;
      if (auto a = found->tar_alias.find(id); a != found->tar_alias.end())
        source = a->second;
      auto tar = found->layer_tar.find(source);
      if (tar == found->layer_tar.end())
        return fail("the archive has no layer.tar for layer " + id);
      if (auto err = store_layer(o, id, tar->second, staging))
        return fail(error_message(err));
      ++result.layers_extracted;
    }
    result.layer_dirs.push_back(layer_path(o, id));
  }
  cleanup();
  logger("provisioner")->info("image {}: {} layer(s), {} extracted, {} from the store", image,
                              chain->size(), result.layers_extracted,
                              chain->size() - result.layers_extracted);
  assert(!result.layer_dirs.empty());
  return result;
}

} // namespace cairn::provisioner
