// The web UI's files, embedded at build time (actors/http/ui/embed.py).
#pragma once

#include <string_view>
#include <vector>

namespace cairn {

struct ui_asset {
  const char* path;          // "/index.html"
  const char* content_type;
  std::string_view body;
};

const std::vector<ui_asset>& ui_assets();

} // namespace cairn
