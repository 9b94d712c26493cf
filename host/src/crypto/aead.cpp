// Aead::create: picks the implementation once per SA. intel-ipsec-mb is the
// default when it is built in (AES-GCM about 4x and ChaCha20-Poly1305 about 2x
// OpenSSL 3.0 at 1400 bytes on this class of CPU, see docs/crypto.md).
#include "crypto/aead_impl.hpp"

namespace aipsec::crypto {

std::unique_ptr<Aead> Aead::create(AeadKind kind, ByteView key, std::optional<Provider> prefer) {
  if (prefer.value_or(Provider::IpsecMb) == Provider::IpsecMb) {
    if (auto fast = detail::make_ipsecmb_aead(kind, key)) return fast;
  }
  return detail::make_evp_aead(kind, key);
}

}  // namespace aipsec::crypto
