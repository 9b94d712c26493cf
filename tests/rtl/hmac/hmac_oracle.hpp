// OpenSSL as the reference for the HMAC/SHA core: precomputed ipad/opad
// states, digests and HMAC tags.
#pragma once

#define OPENSSL_SUPPRESS_DEPRECATED  // SHA*_CTX fields expose the chaining value
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <vector>

namespace hmac_tb {

using Bytes = std::vector<std::uint8_t>;

inline Bytes digest(bool sha256, const Bytes& msg) {
    Bytes out(sha256 ? 32 : 20);
    if (sha256) {
        SHA256(msg.data(), msg.size(), out.data());
    } else {
        SHA1(msg.data(), msg.size(), out.data());
    }
    return out;
}

inline Bytes hmac(bool sha256, const Bytes& key, const Bytes& msg) {
    Bytes out(EVP_MAX_MD_SIZE);
    unsigned int len = 0;
    static const std::uint8_t empty = 0;
    HMAC(sha256 ? EVP_sha256() : EVP_sha1(), key.empty() ? &empty : key.data(),
         static_cast<int>(key.size()), msg.empty() ? &empty : msg.data(), msg.size(), out.data(),
         &len);
    out.resize(len);
    return out;
}

// Chaining value after one block of (K padded to 64 bytes) ^ pad, as the
// host hands it to the card: word H[i] of the state.
inline std::array<std::uint32_t, 8> pad_state(bool sha256, const Bytes& key, std::uint8_t pad) {
    Bytes k = key.size() > 64 ? digest(sha256, key) : key;
    k.resize(64, 0);
    for (auto& b : k) {
        b ^= pad;
    }
    std::array<std::uint32_t, 8> h{};
    if (sha256) {
        SHA256_CTX c;
        SHA256_Init(&c);
        SHA256_Update(&c, k.data(), 64);
        for (int i = 0; i < 8; ++i) {
            h[i] = c.h[i];
        }
    } else {
        SHA_CTX c;
        SHA1_Init(&c);
        SHA1_Update(&c, k.data(), 64);
        h = {c.h0, c.h1, c.h2, c.h3, c.h4, 0, 0, 0};
    }
    return h;
}

}  // namespace hmac_tb
