// What REGISTER (SUPPORTED extensions) and ACQUIRE (PROPOSAL) advertise: the
// algorithms the transform layer implements, with their key sizes in bits.
#include "pfkey/engine_impl.hpp"

namespace aipsec::pfkey {
namespace {

constexpr EncAlg kCiphers[] = {EncAlg::kNull, EncAlg::kAesCbc, EncAlg::kAesCtr};
constexpr EncAlg kAeads[] = {EncAlg::kAesGcm8, EncAlg::kAesGcm12, EncAlg::kAesGcm16,
                             EncAlg::kChaCha20Poly1305, EncAlg::kAesGmac};
constexpr AuthAlg kMacs[] = {AuthAlg::kHmacSha1_96, AuthAlg::kHmacSha256_128, AuthAlg::kHmacSha384_192,
                             AuthAlg::kHmacSha512_256, AuthAlg::kAesXcbc96};
constexpr std::uint8_t kGmacIds[] = {kAalgAes128Gmac, kAalgAes192Gmac, kAalgAes256Gmac};

std::uint16_t bits(std::size_t bytes) { return std::uint16_t(bytes * 8); }

Alg enc_alg(EncAlg e) {
  const AlgInfo& ai = alg_info(e);
  return Alg{sadb_of(e), std::uint8_t(ai.iv_len), bits(ai.key_min), bits(ai.key_max)};
}

Comb comb(std::uint8_t auth, std::uint16_t amin, std::uint16_t amax, std::uint8_t enc, std::uint16_t emin,
          std::uint16_t emax) {
  Comb c;
  c.auth = auth;
  c.auth_minbits = amin;
  c.auth_maxbits = amax;
  c.encrypt = enc;
  c.encrypt_minbits = emin;
  c.encrypt_maxbits = emax;
  return c;
}

}  // namespace

SupportedExt supported_auth() {
  SupportedExt s;
  for (auto a : kMacs) {
    const AlgInfo& ai = alg_info(a);
    s.algs.push_back(Alg{sadb_of(a, 0), 0, bits(ai.key_min), bits(ai.key_max)});
  }
  for (auto id : kGmacIds) s.algs.push_back(Alg{id, 8, bits(gmac_key_bytes(id)), bits(gmac_key_bytes(id))});
  return s;
}

SupportedExt supported_encrypt(bool comp) {
  SupportedExt s;
  if (comp) {
    s.algs.push_back(Alg{SADB_X_CALG_DEFLATE, 0, 0, 0});
    return s;
  }
  for (auto e : kCiphers) s.algs.push_back(enc_alg(e));
  for (auto e : kAeads) s.algs.push_back(enc_alg(e));
  return s;
}

ProposalExt proposal_for(IpsecProto p) {
  ProposalExt pr;
  pr.replay = 32 / 8;  // bytes of bitmap, as KAME counts
  if (p == IpsecProto::kIpComp) {
    pr.combs.push_back(comb(0, 0, 0, SADB_X_CALG_DEFLATE, 0, 0));
    return pr;
  }
  if (p == IpsecProto::kAh) {
    for (auto a : kMacs) {
      const AlgInfo& ai = alg_info(a);
      pr.combs.push_back(comb(sadb_of(a, 0), bits(ai.key_min), bits(ai.key_max), 0, 0, 0));
    }
    for (auto id : kGmacIds) pr.combs.push_back(comb(id, bits(gmac_key_bytes(id)), bits(gmac_key_bytes(id)), 0, 0, 0));
    return pr;
  }
  for (auto e : kAeads) {
    Alg a = enc_alg(e);
    pr.combs.push_back(comb(0, 0, 0, a.id, a.minbits, a.maxbits));
  }
  for (auto e : kCiphers) {
    Alg ea = enc_alg(e);
    for (auto m : kMacs) {
      const AlgInfo& ai = alg_info(m);
      pr.combs.push_back(comb(sadb_of(m, 0), bits(ai.key_min), bits(ai.key_max), ea.id, ea.minbits, ea.maxbits));
    }
  }
  return pr;
}

}  // namespace aipsec::pfkey
