// Which --image_provisioner_backend makes containers' rootfses, decided
// from the flag and, unless the flag says `copy`, from a probe of overlay
// where the store and the containers live (overlay_probe.hpp). Pure: the
// probe is done by the caller and handed in, so every case is testable
// without mounting anything.
#pragma once

#include <optional>
#include <string>

#include <caf/expected.hpp>

namespace cairn::provisioner {

// What the flag asks: unset means "overlay where it works, else copy", as
// Mesos picks its default backend.
enum class backend_request { probe, overlay, copy };

// "" (probe), "overlay" or "copy"; anything else is refused naming it.
caf::expected<backend_request> parse_backend_flag(const std::string& flag);

// Whether the request needs an overlay probe to be decided.
bool needs_probe(backend_request request);

// What a test overlay mount found: whether it worked, and where it failed
// (or where it worked) in words an operator can act on.
struct overlay_probe {
  bool works = false;
  std::string detail;
};

struct backend_choice {
  std::string backend;  // "overlay" or "copy"
  std::string reason;   // why, for the log
};

// The backend to use. `probe` must be given when needs_probe(request).
// `overlay` asked for where it does not work is refused with the probe's
// reason, as Mesos refuses a backend its store cannot take.
caf::expected<backend_choice> choose_backend(backend_request request,
                                             const std::optional<overlay_probe>& probe);

} // namespace cairn::provisioner
