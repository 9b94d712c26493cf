// The AEAD implementations behind Aead::create(). Each constructor throws Error
// on a bad key; everything per packet is allocation free.
#pragma once

#include <openssl/crypto.h>

#include <cstdint>
#include <cstring>
#include <memory>

#include "aipsec/crypto.hpp"

namespace aipsec::crypto::detail {

// Tag sizes accepted by every AEAD here (RFC 4106 uses 8, 12, 16; GCM allows 4..16).
inline bool valid_tag_size(std::size_t n) { return n >= 4 && n <= 16; }
inline constexpr std::size_t kNonceSize = 12;

// Whether the computed tag equals the received one, in constant time: the
// words are XORed and the differences ORed together, with no branch on the
// bytes, and only the final equal / not equal is known. The ICV sizes of ESP
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

std::unique_ptr<Aead> make_evp_aead(AeadKind kind, ByteView key);
// nullptr when intel-ipsec-mb is not built in or does not implement kind.
std::unique_ptr<Aead> make_ipsecmb_aead(AeadKind kind, ByteView key);
bool ipsecmb_available() noexcept;

}  // namespace aipsec::crypto::detail
