// Layers of a Docker image mark what they delete from the layers below in
// AUFS' way: a file `.wh.NAME` deletes NAME beside it, and `.wh..wh..opq`
// in a directory hides everything the lower layers put in it. The copy
// backend applies them while it copies a layer onto the rootfs; the overlay
// backend needs overlayfs' own marks (a 0/0 character device for a deleted
// name, the xattr trusted.overlay.opaque=y on an opaque directory), made
// once when the layer enters the store. Both walk a layer as extracted;
// they run on the provisioner's worker, never in an actor.
#pragma once

#include <string>
#include <string_view>

#include <caf/error.hpp>

namespace cairn::provisioner {

inline constexpr std::string_view whiteout_prefix = ".wh.";
inline constexpr std::string_view opaque_marker = ".wh..wh..opq";

enum class whiteout_kind { none, opaque, remove };

struct whiteout {
  whiteout_kind kind = whiteout_kind::none;
  std::string target;  // the name deleted, for `remove`
};

// What a directory entry named `name` means. Pure.
whiteout classify_entry(std::string_view name);

// Copies the layer at `layer` onto `rootfs`, applying its whiteouts: files
// replace files, directories merge, marks are not copied. Owners, modes and
// times are kept.
caf::error copy_layer(const std::string& layer, const std::string& rootfs);

// Rewrites AUFS marks in `layer` into overlayfs' own, in place.
caf::error convert_for_overlay(const std::string& layer);

} // namespace cairn::provisioner
