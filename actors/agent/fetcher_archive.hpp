// Unpacking fetched archives into a sandbox with libarchive. An archive comes
// from anywhere, so every entry must land beneath the sandbox: absolute
// names, ".." components, links whose targets lead out, writing through a
// link, and device or FIFO entries are refused, and the extraction stops at
// the first one (what was written before stays, as after any failed fetch).
// Set-id bits are dropped; owners are not taken from the archive.
#pragma once

#include <string>

#include <caf/error.hpp>

namespace cairn {

// Unpacks the tar (plain, gz, bz2, xz) or zip archive open at `archive_fd`
// into `dir` (an absolute path without links, e.g. from realpath).
caf::error extract_archive(int archive_fd, const std::string& dir);

// Decompresses the gzip file open at `gz_fd` into `dir`/`name`.
caf::error gunzip_into(int gz_fd, const std::string& dir, const std::string& name);

// Whether an entry named `name`, a link to `target` if it is a symbolic
// link ("" otherwise), stays beneath the directory it is unpacked into.
// "" when it does, else why not. Pure, so tested on its own.
std::string check_entry(const std::string& name, const std::string& link_target);

} // namespace cairn
