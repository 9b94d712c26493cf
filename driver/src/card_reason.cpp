#include "aipsec/card_reason.hpp"

#include "aipsec/card_regs.hpp"

namespace aipsec::card {

std::optional<Reason> host_reason(std::uint8_t card_code) {
  if (card_code >= kReasons.size()) return std::nullopt;
  const std::string_view want = kReasons[card_code].host_name;
  for (std::size_t i = 0; i < kReasonCount; ++i) {
    const auto r = static_cast<Reason>(i);
    if (reason_name(r) == want) return r;
  }
  return std::nullopt;
}

}  // namespace aipsec::card
