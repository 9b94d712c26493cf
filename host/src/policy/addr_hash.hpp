// Hashing of addresses for the SAD and SPD indexes: the 16 address bytes are
// read as two 64-bit words and mixed (murmur3's finaliser), which is cheaper
// per lookup than a byte-wise hash and spreads sequential addresses well.
#pragma once

#include <cstdint>
#include <cstring>

#include "aipsec/common.hpp"

namespace aipsec::policy_detail {

inline std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

struct AddrWords {
  std::uint64_t hi, lo;  // left uninitialised: filled by words_of or by the caller
  bool operator==(const AddrWords&) const = default;
};

inline AddrWords words_of(const IpAddr& a) {
  AddrWords w;
  std::memcpy(&w.hi, a.b.data(), 8);
  std::memcpy(&w.lo, a.b.data() + 8, 8);
  return w;
}

inline std::uint64_t hash_addr(const IpAddr& a, std::uint64_t seed) {
  AddrWords w = words_of(a);
  return mix64(w.hi ^ mix64(w.lo ^ mix64(seed ^ a.family)));
}

}  // namespace aipsec::policy_detail
