#include "actors/agent/provisioner/backend_choice.hpp"

#include <cassert>

#include "runtime/errors.hpp"

namespace cairn::provisioner {

caf::expected<backend_request> parse_backend_flag(const std::string& flag) {
  if (flag.empty())
    return backend_request::probe;
  if (flag == "overlay")
    return backend_request::overlay;
  if (flag == "copy")
    return backend_request::copy;
  return make_error("--image_provisioner_backend: unknown backend '" + flag +
                    "' (overlay or copy; unset picks overlay where it works, else copy)");
}

bool needs_probe(backend_request request) {
  return request != backend_request::copy;
}

caf::expected<backend_choice> choose_backend(backend_request request,
                                             const std::optional<overlay_probe>& probe) {
  assert(probe || !needs_probe(request));
  assert(!probe || probe->works || !probe->detail.empty());  // a failure says why
  backend_choice out;
  switch (request) {
    case backend_request::copy:
      out = {"copy", "--image_provisioner_backend=copy"};
      break;
    case backend_request::overlay:
      if (!probe->works)
        return make_error("--image_provisioner_backend=overlay: overlay cannot be used here: " +
                          probe->detail);
      out = {"overlay", "--image_provisioner_backend=overlay; " + probe->detail};
      break;
    case backend_request::probe:
      if (probe->works)
        out = {"overlay", "--image_provisioner_backend unset and " + probe->detail};
      else
        out = {"copy", "--image_provisioner_backend unset and overlay cannot be used here: " +
                         probe->detail};
      break;
  }
  assert(out.backend == "copy" || out.backend == "overlay");
  assert(out.backend == "copy" || (probe && probe->works));
  return out;
}

} // namespace cairn::provisioner
