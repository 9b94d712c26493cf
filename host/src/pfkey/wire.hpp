// Wire helpers shared by the PF_KEY parser and serializer.
#pragma once

#include <cstddef>
#include <cstdint>

#include "aipsec/pfkey.hpp"

namespace aipsec::pfkey {

inline constexpr std::size_t align8(std::size_t n) { return (n + 7) & ~std::size_t(7); }

// Smallest legal length in bytes of each extension type (0 for an unknown type).
std::size_t min_ext_len(std::uint16_t type);

Comb comb_from_wire(const sadb_comb& c);
sadb_comb comb_to_wire(const Comb& c);

}  // namespace aipsec::pfkey
