// SA configurations shared by the transform tests, with the matching oracle
// description (tests/unit/xform_oracle.hpp).
#pragma once

#include <string>
#include <vector>

#include "aipsec/sa.hpp"
#include "xform_oracle.hpp"

namespace xtest {

struct EspCase {
  std::string name;
  aipsec::EncAlg enc;
  std::size_t ekey;
  aipsec::AuthAlg auth;
  std::size_t akey;
  oracle::Enc oenc;
  std::size_t aead_icv;
  oracle::Auth oauth;
};

inline std::vector<EspCase> esp_cases() {
  using aipsec::AuthAlg;
  using aipsec::EncAlg;
  using oracle::Auth;
  using oracle::Enc;
  return {
      {"gcm8_128", EncAlg::kAesGcm8, 20, AuthAlg::kNone, 0, Enc::kGcm, 8, Auth::kNone},
      {"gcm12_192", EncAlg::kAesGcm12, 28, AuthAlg::kNone, 0, Enc::kGcm, 12, Auth::kNone},
      {"gcm16_128", EncAlg::kAesGcm16, 20, AuthAlg::kNone, 0, Enc::kGcm, 16, Auth::kNone},
      {"gcm16_256", EncAlg::kAesGcm16, 36, AuthAlg::kNone, 0, Enc::kGcm, 16, Auth::kNone},
      {"chacha20poly1305", EncAlg::kChaCha20Poly1305, 36, AuthAlg::kNone, 0, Enc::kChaCha, 16, Auth::kNone},
      {"gmac_128", EncAlg::kAesGmac, 20, AuthAlg::kNone, 0, Enc::kGmac, 16, Auth::kNone},
      {"gmac_256", EncAlg::kAesGmac, 36, AuthAlg::kNone, 0, Enc::kGmac, 16, Auth::kNone},
      {"cbc128_none", EncAlg::kAesCbc, 16, AuthAlg::kNone, 0, Enc::kCbc, 0, Auth::kNone},
      {"cbc128_sha1", EncAlg::kAesCbc, 16, AuthAlg::kHmacSha1_96, 20, Enc::kCbc, 0, Auth::kSha1},
      {"cbc192_sha256", EncAlg::kAesCbc, 24, AuthAlg::kHmacSha256_128, 32, Enc::kCbc, 0, Auth::kSha256},
      {"cbc256_sha384", EncAlg::kAesCbc, 32, AuthAlg::kHmacSha384_192, 48, Enc::kCbc, 0, Auth::kSha384},
      {"cbc256_sha512", EncAlg::kAesCbc, 32, AuthAlg::kHmacSha512_256, 64, Enc::kCbc, 0, Auth::kSha512},
      {"cbc128_xcbc", EncAlg::kAesCbc, 16, AuthAlg::kAesXcbc96, 16, Enc::kCbc, 0, Auth::kXcbc},
      {"ctr128_sha1", EncAlg::kAesCtr, 20, AuthAlg::kHmacSha1_96, 20, Enc::kCtr, 0, Auth::kSha1},
      {"ctr192_sha256", EncAlg::kAesCtr, 28, AuthAlg::kHmacSha256_128, 32, Enc::kCtr, 0, Auth::kSha256},
      {"ctr256_xcbc", EncAlg::kAesCtr, 36, AuthAlg::kAesXcbc96, 16, Enc::kCtr, 0, Auth::kXcbc},
      {"null_sha1", EncAlg::kNull, 0, AuthAlg::kHmacSha1_96, 20, Enc::kNull, 0, Auth::kSha1},
      {"null_sha256", EncAlg::kNull, 0, AuthAlg::kHmacSha256_128, 32, Enc::kNull, 0, Auth::kSha256},
      {"null_sha512", EncAlg::kNull, 0, AuthAlg::kHmacSha512_256, 64, Enc::kNull, 0, Auth::kSha512},
      {"null_xcbc", EncAlg::kNull, 0, AuthAlg::kAesXcbc96, 16, Enc::kNull, 0, Auth::kXcbc},
  };
}

inline aipsec::IpAddr addr(const char* s) { return *aipsec::IpAddr::parse(s); }

// Tunnel endpoints of the family ov.
inline void set_endpoints(aipsec::SaConfig& c, int ov) {
  c.src = addr(ov == 4 ? "192.0.2.1" : "2001:db8:ffff::1");
  c.dst = addr(ov == 4 ? "192.0.2.2" : "2001:db8:ffff::2");
}

inline aipsec::SaConfig esp_config(const EspCase& k, aipsec::Mode mode, int ov, bool esn = false,
                                   std::uint32_t window = 64) {
  aipsec::SaConfig c;
  c.proto = aipsec::IpsecProto::kEsp;
  c.spi = 0x1001;
  c.mode = mode;
  set_endpoints(c, ov);
  c.enc = k.enc;
  c.auth = k.auth;
  const auto ek = oracle::pattern(k.ekey, 0x10), ak = oracle::pattern(k.akey, 0x40);
  c.enc_key = aipsec::SecureBytes(aipsec::ByteView(ek.data(), ek.size()));
  c.auth_key = aipsec::SecureBytes(aipsec::ByteView(ak.data(), ak.size()));
  c.esn = esn;
  c.replay_window = window;
  return c;
}

inline oracle::EspSa esp_oracle(const EspCase& k, bool esn = false) {
  oracle::EspSa o;
  o.enc = k.oenc;
  o.ekey = oracle::pattern(k.ekey, 0x10);
  o.aead_icv = k.aead_icv;
  o.auth = k.oauth;
  o.akey = oracle::pattern(k.akey, 0x40);
  o.spi = 0x1001;
  o.esn = esn;
  return o;
}

}  // namespace xtest
