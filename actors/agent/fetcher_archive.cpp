#include "actors/agent/fetcher_archive.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <memory>
#include <vector>

#include <archive.h>
#include <archive_entry.h>

#include "actors/agent/archive_handles.hpp"
#include "actors/agent/sandbox_files.hpp"
#include "runtime/errors.hpp"

namespace cairn {

namespace {

using reader_ptr = archive_reader_ptr;
using writer_ptr = archive_writer_ptr;

std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> parts;
  size_t begin = 0;
  while (begin <= path.size()) {
    auto end = path.find('/', begin);
    if (end == std::string::npos)
      end = path.size();
    auto part = path.substr(begin, end - begin);
    if (!part.empty() && part != ".")
      parts.push_back(part);
    begin = end + 1;
  }
  return parts;
}

// "./a//b/" -> "a/b"; "" for the root itself.
std::string normalized(const std::string& name) {
  std::string out;
  for (const auto& p : components(name))
    out += (out.empty() ? "" : "/") + p;
  return out;
}

std::string libarchive_error(archive* a, const std::string& what) {
  const char* text = archive_error_string(a);
  return what + ": " + (text != nullptr ? text : "unknown libarchive error");
}

constexpr size_t read_block_bytes = 64 * 1024;

} // namespace

std::string check_entry(const std::string& name, const std::string& link_target) {
  if (!name.empty() && name[0] == '/')
    return "entry '" + name + "' has an absolute path";
  auto parts = components(name);
  for (const auto& p : parts)
    if (p == "..")
      return "entry '" + name + "' has a '..' component";
  if (link_target.empty())
    return {};
  if (link_target[0] == '/')
    return "entry '" + name + "' links to the absolute path '" + link_target + "'";
  // Resolve the target from the link's own directory, lexically: the links
  // it may pass through are themselves checked when they are unpacked.
  long depth = static_cast<long>(parts.size()) - 1;
  for (const auto& p : components(link_target)) {
    depth += p == ".." ? -1 : 1;
    if (depth < 0)
      return "entry '" + name + "' links to '" + link_target + "', outside the sandbox";
  }
  return {};
}

namespace {

// Checks an entry and points its names (and a hard link's target) into `dir`.
std::string place_entry(archive_entry* e, const std::string& dir) {
  const char* raw = archive_entry_pathname(e);
  std::string name = raw != nullptr ? raw : "";
  auto type = archive_entry_filetype(e);
  if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
    return "entry '" + name + "' is a device, FIFO or socket";
  const char* symlink = type == AE_IFLNK ? archive_entry_symlink(e) : nullptr;
  if (type == AE_IFLNK && (symlink == nullptr || symlink[0] == '\0'))
    return "entry '" + name + "' is a link with no target";
  if (auto why = check_entry(name, symlink != nullptr ? symlink : ""); !why.empty())
    return why;
  if (const char* hard = archive_entry_hardlink(e); hard != nullptr) {
    if (auto why = check_entry(hard, ""); !why.empty())
      return "hard link " + why;
    auto target = normalized(hard);
    if (target.empty())
      return "entry '" + name + "' is a hard link to the sandbox itself";
    archive_entry_copy_hardlink(e, (dir + "/" + target).c_str());
  }
  auto relative = normalized(name);
  if (relative.empty())
    return "entry '" + name + "' names the sandbox itself";
  archive_entry_copy_pathname(e, (dir + "/" + relative).c_str());
  archive_entry_set_perm(e, archive_entry_perm(e) & 0777);  // no set-id or sticky bits
  return {};
}

caf::error copy_data(archive* in, archive* out, const std::string& name) {
  const void* block = nullptr;
  size_t size = 0;
  la_int64_t offset = 0;
  for (;;) {
    int rc = archive_read_data_block(in, &block, &size, &offset);
    if (rc == ARCHIVE_EOF)
      return caf::none;
    if (rc < ARCHIVE_OK)
      return make_error(libarchive_error(in, "cannot read '" + name + "'"));
    if (archive_write_data_block(out, block, size, offset) < ARCHIVE_OK)
      return make_error(libarchive_error(out, "cannot write '" + name + "'"));
  }
}

} // namespace

caf::error extract_archive(int archive_fd, const std::string& dir) {
  assert(!dir.empty() && dir[0] == '/');
  if (lseek(archive_fd, 0, SEEK_SET) != 0)
    return make_error("cannot rewind the archive");
  reader_ptr in{archive_read_new()};
  writer_ptr out{archive_write_disk_new()};
  if (!in || !out)
    return make_error("cannot start libarchive");
  archive_read_support_format_tar(in.get());
  archive_read_support_format_gnutar(in.get());
  archive_read_support_format_zip(in.get());
  archive_read_support_filter_gzip(in.get());
  archive_read_support_filter_bzip2(in.get());
  archive_read_support_filter_xz(in.get());
  // Names are made absolute by place_entry, hence no NOABSOLUTEPATHS; the
  // checks of our own come first, libarchive's are a second line.
  archive_write_disk_set_options(out.get(), ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                              ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                              ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME);
  if (archive_read_open_fd(in.get(), archive_fd, read_block_bytes) != ARCHIVE_OK)
    return make_error(libarchive_error(in.get(), "cannot open the archive"));
  for (;;) {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(in.get(), &e);
    if (rc == ARCHIVE_EOF)
      break;
    if (rc < ARCHIVE_WARN)
      return make_error(libarchive_error(in.get(), "cannot read the archive"));
    std::string name = archive_entry_pathname(e) != nullptr ? archive_entry_pathname(e) : "";
    // "./" itself: the sandbox keeps its own mode and times.
    if (normalized(name).empty() && archive_entry_filetype(e) == AE_IFDIR)
      continue;
    if (auto why = place_entry(e, dir); !why.empty())
      return make_error("refused: " + why);
    if (archive_write_header(out.get(), e) < ARCHIVE_WARN)
      return make_error(libarchive_error(out.get(), "cannot unpack '" + name + "'"));
    if (archive_entry_size(e) > 0)
      if (auto err = copy_data(in.get(), out.get(), name))
        return err;
    if (archive_write_finish_entry(out.get()) < ARCHIVE_WARN)
      return make_error(libarchive_error(out.get(), "cannot finish '" + name + "'"));
  }
  if (archive_write_close(out.get()) != ARCHIVE_OK)
    return make_error(libarchive_error(out.get(), "cannot finish unpacking"));
  return caf::none;
}

caf::error gunzip_into(int gz_fd, const std::string& dir, const std::string& name) {
  if (name.empty())
    return make_error("a file named '.gz' has no name to decompress to");
  if (lseek(gz_fd, 0, SEEK_SET) != 0)
    return make_error("cannot rewind the gzip file");
  reader_ptr in{archive_read_new()};
  if (!in)
    return make_error("cannot start libarchive");
  archive_read_support_filter_gzip(in.get());
  archive_read_support_format_raw(in.get());
  if (archive_read_open_fd(in.get(), gz_fd, read_block_bytes) != ARCHIVE_OK)
    return make_error(libarchive_error(in.get(), "cannot open the gzip file"));
  archive_entry* e = nullptr;
  if (archive_read_next_header(in.get(), &e) != ARCHIVE_OK)
    return make_error(libarchive_error(in.get(), "cannot read the gzip file"));
  auto out = create_beneath(dir, name, 0644);
  if (!out)
    return out.error();
  std::vector<char> buffer(read_block_bytes);
  for (;;) {
    auto n = archive_read_data(in.get(), buffer.data(), buffer.size());
    if (n == 0)
      return caf::none;
    if (n < 0)
      return make_error(libarchive_error(in.get(), "cannot decompress"));
    for (la_ssize_t done = 0; done < n;) {
      auto w = write(out->get(), buffer.data() + done, static_cast<size_t>(n - done));
      if (w <= 0)
        return make_error("cannot write '" + dir + "/" + name + "'");
      done += w;
    }
  }
}

} // namespace cairn
