// The AEAD implementations behind Aead::create(). Each constructor throws Error
// on a bad key; everything per packet is allocation free.
#pragma once

#include <memory>

#include "aipsec/crypto.hpp"
#include "crypto/ct_equal.hpp"

namespace aipsec::crypto::detail {

// Tag sizes accepted by every AEAD here (RFC 4106 uses 8, 12, 16; GCM allows 4..16).
inline bool valid_tag_size(std::size_t n) { return n >= 4 && n <= 16; }
inline constexpr std::size_t kNonceSize = 12;

std::unique_ptr<Aead> make_evp_aead(AeadKind kind, ByteView key);
// nullptr when intel-ipsec-mb is not built in or does not implement kind.
std::unique_ptr<Aead> make_ipsecmb_aead(AeadKind kind, ByteView key);
bool ipsecmb_available() noexcept;

}  // namespace aipsec::crypto::detail
