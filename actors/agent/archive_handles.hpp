// Owning handles for libarchive's readers and writers, shared by the
// fetcher's extraction and the image store's layers.
#pragma once

#include <memory>

#include <archive.h>

namespace cairn {

struct archive_reader_deleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct archive_writer_deleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
using archive_reader_ptr = std::unique_ptr<archive, archive_reader_deleter>;
using archive_writer_ptr = std::unique_ptr<archive, archive_writer_deleter>;

} // namespace cairn
