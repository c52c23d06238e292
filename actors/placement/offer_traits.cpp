#include "actors/placement/offer_traits.hpp"

namespace cairn::placement {

agent_traits traits_of(schema::Offer::Reader offer) {
  agent_traits t;
  t.hostname = offer.getHostname();
  for (auto a : offer.getAttributes()) {
    std::string value;
    if (a.hasText())
      value = a.getText().getValue();
    else if (a.hasScalar()) {
      value = std::to_string(a.getScalar().getValue());
      value.erase(value.find_last_not_of('0') + 1);
      if (!value.empty() && value.back() == '.')
        value.pop_back();
    }
    t.attributes[a.getName()] = value;
  }
  return t;
}

} // namespace cairn::placement
