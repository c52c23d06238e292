// What a task's URI (Mesos' CommandInfo.URI) asks of the fetcher, and the
// decisions that follow from its text alone: where it is fetched from, the
// name it gets in the sandbox, and whether it is an archive to unpack. Pure:
// no I/O, so every rule is tested on its own.
#pragma once

#include <string>

#include <caf/expected.hpp>

namespace cairn {

struct fetch_uri {
  std::string value;        // a URL (file, http, https, ftp, ftps) or an absolute path
  bool extract = true;      // unpack an archive after fetching it (Mesos' default)
  bool executable = false;  // chmod 0755; wins over extract, as in Mesos
  bool cache = false;       // go through the agent's fetcher cache
  std::string output_file;  // the name in the sandbox, relative; "" = the URI's basename
};

// Where a URI's bytes come from.
struct uri_source {
  enum class kind { local, net };
  kind where = kind::local;
  std::string location;  // an absolute path (local) or the URL (net)
};

// file:// (or file://localhost) and bare absolute paths are local; http,
// https, ftp and ftps go over the network. Anything else is refused, naming
// what is missing: a relative path (Mesos would need --frameworks_home) or a
// scheme cairn does not fetch (Mesos hands those to a Hadoop client).
caf::expected<uri_source> classify_uri(const std::string& value);

// Mesos' basename of a URI: the text after the last '/' of its path, query
// string included (as Mesos does; output_file names such files better).
// Refuses what Mesos refuses ('\\', '\'', NUL; a scheme with no path) and a
// name that cannot be a file ("", ".", "..").
caf::expected<std::string> uri_basename(const std::string& value);

// The file's path relative to the sandbox: output_file when given, else the
// basename. An output_file that is absolute, empty in a component, or has a
// "." or ".." component is refused: it must stay beneath the sandbox.
caf::expected<std::string> destination_name(const fetch_uri& uri);

// What extraction does with a file of this name (Mesos' list): tar (plain,
// gz, bz2, xz) and zip archives are unpacked into the sandbox; a bare .gz is
// gunzipped to its name without ".gz"; anything else is left as it is.
enum class archive_kind { none, archive, gzip };
archive_kind archive_kind_of(const std::string& name);

// For a bare .gz: the name of what it holds ("notes.txt.gz" -> "notes.txt").
std::string gunzipped_name(const std::string& name);

} // namespace cairn
