// The card's reason codes (metadata reason field, drop counter index) mapped
// onto the host's Reason list, by the host name each code carries in the spec.
#pragma once

#include <cstdint>
#include <optional>

#include "aipsec/reason.hpp"

namespace aipsec::card {

// nullopt for a code the spec does not define, or whose host name is not in
// the host's list (the reason-mapping test keeps the second from happening).
std::optional<Reason> host_reason(std::uint8_t card_code);

}  // namespace aipsec::card
