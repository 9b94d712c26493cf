// SADB_* numbers <-> the runtime's protocol and algorithm enums. Linux's
// numbers where Linux has one; FreeBSD's for ChaCha20-Poly1305 and AH AES-GMAC.
#include <netinet/in.h>

#include "aipsec/pfkey.hpp"

namespace aipsec::pfkey {

std::optional<IpsecProto> proto_of_satype(std::uint8_t satype) {
  switch (satype) {
    case SADB_SATYPE_ESP: return IpsecProto::kEsp;
    case SADB_SATYPE_AH: return IpsecProto::kAh;
    case SADB_X_SATYPE_IPCOMP: return IpsecProto::kIpComp;
    default: return std::nullopt;
  }
}

std::uint8_t satype_of(IpsecProto p) {
  switch (p) {
    case IpsecProto::kEsp: return SADB_SATYPE_ESP;
    case IpsecProto::kAh: return SADB_SATYPE_AH;
    case IpsecProto::kIpComp: return SADB_X_SATYPE_IPCOMP;
  }
  return SADB_SATYPE_UNSPEC;
}

namespace {
struct EncRow { std::uint8_t id; EncAlg alg; };
constexpr EncRow kEnc[] = {
    {SADB_EALG_NULL, EncAlg::kNull},
    {SADB_X_EALG_AESCBC, EncAlg::kAesCbc},
    {SADB_X_EALG_AESCTR, EncAlg::kAesCtr},
    {SADB_X_EALG_AES_GCM_ICV8, EncAlg::kAesGcm8},
    {SADB_X_EALG_AES_GCM_ICV12, EncAlg::kAesGcm12},
    {SADB_X_EALG_AES_GCM_ICV16, EncAlg::kAesGcm16},
    {kEalgChaCha20Poly1305, EncAlg::kChaCha20Poly1305},
    {SADB_X_EALG_NULL_AES_GMAC, EncAlg::kAesGmac},
};
struct AuthRow { std::uint8_t id; AuthAlg alg; };
constexpr AuthRow kAuth[] = {
    {SADB_AALG_SHA1HMAC, AuthAlg::kHmacSha1_96},
    {SADB_X_AALG_SHA2_256HMAC, AuthAlg::kHmacSha256_128},
    {SADB_X_AALG_SHA2_384HMAC, AuthAlg::kHmacSha384_192},
    {SADB_X_AALG_SHA2_512HMAC, AuthAlg::kHmacSha512_256},
    {SADB_X_AALG_AES_XCBC_MAC, AuthAlg::kAesXcbc96},
    {kAalgAes128Gmac, AuthAlg::kAesGmac},
    {kAalgAes192Gmac, AuthAlg::kAesGmac},
    {kAalgAes256Gmac, AuthAlg::kAesGmac},
};
}  // namespace

std::optional<EncAlg> enc_from_sadb(std::uint8_t id) {
  if (id == SADB_EALG_NONE) return EncAlg::kNone;
  for (const auto& r : kEnc)
    if (r.id == id) return r.alg;
  return std::nullopt;
}

std::uint8_t sadb_of(EncAlg a) {
  for (const auto& r : kEnc)
    if (r.alg == a) return r.id;
  return SADB_EALG_NONE;
}

std::optional<AuthAlg> auth_from_sadb(std::uint8_t id) {
  if (id == SADB_AALG_NONE) return AuthAlg::kNone;
  for (const auto& r : kAuth)
    if (r.id == id) return r.alg;
  return std::nullopt;
}

std::uint8_t sadb_of(AuthAlg a, std::size_t key_bytes) {
  if (a == AuthAlg::kAesGmac) {
    for (auto id : {kAalgAes128Gmac, kAalgAes192Gmac, kAalgAes256Gmac})
      if (gmac_key_bytes(id) == key_bytes) return id;
    return kAalgAes128Gmac;
  }
  for (const auto& r : kAuth)
    if (r.alg == a) return r.id;
  return SADB_AALG_NONE;
}

std::size_t gmac_key_bytes(std::uint8_t aalg) {
  switch (aalg) {
    case kAalgAes128Gmac: return 16 + 4;
    case kAalgAes192Gmac: return 24 + 4;
    case kAalgAes256Gmac: return 32 + 4;
    default: return 0;
  }
}

std::optional<CompAlg> comp_from_sadb(std::uint8_t id) {
  if (id == SADB_X_CALG_NONE) return CompAlg::kNone;
  if (id == SADB_X_CALG_DEFLATE) return CompAlg::kDeflate;
  return std::nullopt;
}

std::uint8_t sadb_of(CompAlg a) { return a == CompAlg::kDeflate ? SADB_X_CALG_DEFLATE : SADB_X_CALG_NONE; }

const char* message_name(std::uint8_t type) {
  static const char* const kNames[] = {
      "RESERVED", "GETSPI", "UPDATE", "ADD", "DELETE", "GET", "ACQUIRE", "REGISTER", "EXPIRE",
      "FLUSH", "DUMP", "X_PROMISC", "X_PCHANGE", "X_SPDUPDATE", "X_SPDADD", "X_SPDDELETE",
      "X_SPDGET", "X_SPDACQUIRE", "X_SPDDUMP", "X_SPDFLUSH", "X_SPDSETIDX", "X_SPDEXPIRE",
      "X_SPDDELETE2", "X_NAT_T_NEW_MAPPING", "X_MIGRATE"};
  return type <= SADB_MAX ? kNames[type] : "unknown";
}

}  // namespace aipsec::pfkey
