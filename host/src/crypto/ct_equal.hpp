// Constant-time comparison of a computed tag (ICV, MAC) with a received one.
#pragma once

#include <openssl/crypto.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace aipsec::crypto::detail {

// Whether a and b hold the same n bytes, in constant time: the words are
// XORed and the differences ORed together, with no branch on the bytes, and
// only the final equal / not equal is known. The ICV sizes of ESP and AH
// (8, 12 and 16 bytes) in line; any other size through CRYPTO_memcmp.
inline bool tag_equal(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) noexcept {
  std::uint64_t a0 = 0, b0 = 0, a1 = 0, b1 = 0;
  switch (n) {
    case 16:
      std::memcpy(&a1, a + 8, 8);
      std::memcpy(&b1, b + 8, 8);
      break;
    case 12:
      std::memcpy(&a1, a + 8, 4);
      std::memcpy(&b1, b + 8, 4);
      break;
    case 8: break;
    default: return CRYPTO_memcmp(a, b, n) == 0;
  }
  std::memcpy(&a0, a, 8);
  std::memcpy(&b0, b, 8);
  return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

}  // namespace aipsec::crypto::detail
