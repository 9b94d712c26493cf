// Owning handles for OpenSSL objects, so every context frees what it created.
#pragma once

#include <memory>

#include <openssl/evp.h>

namespace aipsec::crypto::detail {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

// Creates a context keyed once with cipher and key for one direction (enc 1 or 0).
// Throws Error if OpenSSL refuses.
CipherCtxPtr make_keyed_ctx(const EVP_CIPHER* cipher, const unsigned char* key, int enc);

// Per-packet calls take sizes as int: buffers larger than this are refused
// (no IP datagram comes near it).
inline constexpr std::size_t kMaxEvpLen = std::size_t{1} << 30;

}  // namespace aipsec::crypto::detail
