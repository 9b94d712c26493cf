// Independent oracles for the transform tests: IPsec wire formats rebuilt from
// the RFC text with OpenSSL EVP called directly (no code of the library under
// test), plus hand-made IPv4/IPv6 packets.
#pragma once

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace oracle {

using Bytes = std::vector<std::uint8_t>;

inline void put16(Bytes& b, std::size_t off, std::uint16_t v) {
  b[off] = std::uint8_t(v >> 8);
  b[off + 1] = std::uint8_t(v);
}
inline void put32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = std::uint8_t(v >> (24 - 8 * i));
}
inline std::uint16_t get16(const Bytes& b, std::size_t off) { return std::uint16_t(b[off] << 8 | b[off + 1]); }
inline std::uint32_t get32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}
inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
inline Bytes be32(std::uint32_t v) {
  Bytes b(4);
  put32(b.data(), v);
  return b;
}
inline Bytes be64(std::uint64_t v) { return cat({be32(std::uint32_t(v >> 32)), be32(std::uint32_t(v))}); }
inline Bytes slice(const Bytes& b, std::size_t off, std::size_t n) {
  return Bytes(b.begin() + long(off), b.begin() + long(off + n));
}
inline Bytes pattern(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = std::uint8_t(seed + 7 * i);
  return b;
}

// RFC 1071 checksum (complemented).
inline std::uint16_t checksum(const std::uint8_t* p, std::size_t n, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += std::uint32_t(p[i]) << 8 | p[i + 1];
  if (n & 1) sum += std::uint32_t(p[n - 1]) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return std::uint16_t(~sum);
}

// ---- packets
struct Addrs {
  Bytes src, dst;  // 4 or 16 bytes
};
inline Addrs v4addrs(std::uint8_t a, std::uint8_t b) { return {{10, 0, 0, a}, {10, 0, 0, b}}; }
inline Addrs v6addrs(std::uint8_t a, std::uint8_t b) {
  Bytes s(16, 0), d(16, 0);
  s[0] = d[0] = 0x20; s[1] = d[1] = 0x01; s[2] = d[2] = 0x0d; s[3] = d[3] = 0xb8;
  s[15] = a;
  d[15] = b;
  return {s, d};
}

inline Bytes ipv4(const Addrs& a, std::uint8_t proto, const Bytes& payload, std::uint8_t tos = 0,
                  bool df = false, std::uint16_t id = 0x1234, const Bytes& options = {}) {
  const std::size_t hl = 20 + options.size();
  Bytes h(hl, 0);
  for (std::size_t i = 0; i < options.size(); ++i) h[20 + i] = options[i];
  h[0] = std::uint8_t(0x40 | hl / 4);
  h[1] = tos;
  put16(h, 2, std::uint16_t(hl + payload.size()));
  put16(h, 4, id);
  put16(h, 6, df ? 0x4000 : 0);
  h[8] = 61;
  h[9] = proto;
  std::memcpy(&h[12], a.src.data(), 4);
  std::memcpy(&h[16], a.dst.data(), 4);
  put16(h, 10, checksum(h.data(), hl));
  return cat({h, payload});
}

inline Bytes ipv6(const Addrs& a, std::uint8_t nh, const Bytes& payload, std::uint8_t tclass = 0,
                  std::uint32_t flow = 0x12345) {
  Bytes h(40, 0);
  h[0] = std::uint8_t(0x60 | tclass >> 4);
  h[1] = std::uint8_t(tclass << 4 | (flow >> 16 & 0xf));
  h[2] = std::uint8_t(flow >> 8);
  h[3] = std::uint8_t(flow);
  put16(h, 4, std::uint16_t(payload.size()));
  h[6] = nh;
  h[7] = 63;
  std::memcpy(&h[8], a.src.data(), 16);
  std::memcpy(&h[24], a.dst.data(), 16);
  return cat({h, payload});
}

inline Bytes udp(const Bytes& data, std::uint16_t sport = 1234, std::uint16_t dport = 5678) {
  Bytes u(8, 0);
  put16(u, 0, sport);
  put16(u, 2, dport);
  put16(u, 4, std::uint16_t(8 + data.size()));
  return cat({u, data});
}

inline Bytes udp_packet(int version, std::size_t n, std::uint8_t seed, std::uint8_t tos = 0) {
  const Bytes u = udp(pattern(n, seed));
  return version == 4 ? ipv4(v4addrs(1, 2), 17, u, tos) : ipv6(v6addrs(1, 2), 17, u, tos);
}

// ---- OpenSSL EVP
inline const EVP_CIPHER* aes(const char* mode, std::size_t key_len) {
  const std::string name = "aes-" + std::to_string(key_len * 8) + "-" + mode;
  const EVP_CIPHER* c = EVP_get_cipherbyname(name.c_str());
  if (!c) throw std::runtime_error("no cipher " + name);
  return c;
}

inline Bytes cipher(const EVP_CIPHER* c, const Bytes& key, const Bytes& iv, const Bytes& in, bool enc) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  Bytes out(in.size() + 32);
  int l1 = 0, l2 = 0;
  bool ok = EVP_CipherInit_ex(ctx, c, nullptr, key.data(), iv.empty() ? nullptr : iv.data(), enc ? 1 : 0) == 1 &&
            EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
            EVP_CipherUpdate(ctx, out.data(), &l1, in.data(), int(in.size())) == 1 &&
            EVP_CipherFinal_ex(ctx, out.data() + l1, &l2) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) throw std::runtime_error("EVP cipher failed");
  out.resize(std::size_t(l1 + l2));
  return out;
}

// AES-GCM (key 16/24/32) or ChaCha20-Poly1305 (key 32): returns ct || tag.
inline Bytes aead_seal(bool chacha, const Bytes& key, const Bytes& nonce, const Bytes& aad, const Bytes& pt,
                       std::size_t tag_len) {
  const EVP_CIPHER* c = chacha ? EVP_chacha20_poly1305() : aes("gcm", key.size());
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  Bytes out(pt.size() + 16);
  Bytes tag(16);
  int l = 0, l2 = 0;
  bool ok = EVP_EncryptInit_ex(ctx, c, nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, int(nonce.size()), nullptr) == 1 &&
            EVP_EncryptInit_ex(ctx, nullptr, nullptr, key.data(), nonce.data()) == 1 &&
            (aad.empty() || EVP_EncryptUpdate(ctx, nullptr, &l, aad.data(), int(aad.size())) == 1) &&
            (pt.empty() || EVP_EncryptUpdate(ctx, out.data(), &l, pt.data(), int(pt.size())) == 1) &&
            EVP_EncryptFinal_ex(ctx, out.data() + (pt.empty() ? 0 : l), &l2) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag.data()) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) throw std::runtime_error("EVP AEAD seal failed");
  out.resize(pt.size());
  out.insert(out.end(), tag.begin(), tag.begin() + long(tag_len));
  return out;
}

// Opens ct || tag (tag_len bytes) by recomputing the full tag and comparing its prefix.
inline std::optional<Bytes> aead_open(bool chacha, const Bytes& key, const Bytes& nonce, const Bytes& aad,
                                      const Bytes& ct_tag, std::size_t tag_len) {
  if (ct_tag.size() < tag_len) return std::nullopt;
  const Bytes ct = slice(ct_tag, 0, ct_tag.size() - tag_len);
  // CTR-mode decryption = encryption; then recompute the tag over the ciphertext.
  Bytes pt;
  if (chacha) {
    Bytes ctr = cat({Bytes{1, 0, 0, 0}, nonce});  // RFC 8439: block counter 1 (little endian)
    pt = ct.empty() ? Bytes{} : cipher(EVP_chacha20(), key, ctr, ct, true);
  } else {
    Bytes j = cat({nonce, be32(2)});
    pt = ct.empty() ? Bytes{} : cipher(aes("ctr", key.size()), key, j, ct, true);
  }
  const Bytes again = aead_seal(chacha, key, nonce, aad, pt, tag_len);
  if (slice(again, pt.size(), tag_len) != slice(ct_tag, ct.size(), tag_len)) return std::nullopt;
  return pt;
}

inline Bytes hmac(const EVP_MD* md, const Bytes& key, const Bytes& data, std::size_t trunc) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(md, key.data(), int(key.size()), data.data(), data.size(), out, &n);
  return Bytes(out, out + trunc);
}

// AES-XCBC-MAC-96 (RFC 3566 section 4), built on AES-ECB.
inline Bytes xcbc(const Bytes& key, const Bytes& m) {
  auto ecb = [](const Bytes& k, const Bytes& b) { return cipher(aes("ecb", 16), k, {}, b, true); };
  const Bytes k1 = ecb(key, Bytes(16, 1)), k2 = ecb(key, Bytes(16, 2)), k3 = ecb(key, Bytes(16, 3));
  Bytes e(16, 0);
  const std::size_t nblocks = m.empty() ? 1 : (m.size() + 15) / 16;
  for (std::size_t i = 0; i < nblocks; ++i) {
    Bytes blk(16, 0);
    const std::size_t take = std::min<std::size_t>(16, m.size() - std::min(m.size(), i * 16));
    if (take) std::memcpy(blk.data(), m.data() + std::min(m.size(), i * 16), take);
    if (i + 1 == nblocks) {
      const bool complete = !m.empty() && m.size() % 16 == 0;
      if (!complete) blk[take] = 0x80;
      const Bytes& kx = complete ? k2 : k3;
      for (int j = 0; j < 16; ++j) blk[j] ^= kx[j];
    }
    for (int j = 0; j < 16; ++j) blk[j] ^= e[j];
    e = ecb(k1, blk);
  }
  return slice(e, 0, 12);
}

// ---- ESP as RFC 4303 and the algorithm RFCs lay it out
enum class Enc { kNull, kCbc, kCtr, kGcm, kChaCha, kGmac };
enum class Auth { kNone, kSha1, kSha256, kSha384, kSha512, kXcbc };

struct EspSa {
  Enc enc = Enc::kNull;
  Bytes ekey;  // as setkey gives it (salt/nonce included)
  std::size_t aead_icv = 16;
  Auth auth = Auth::kNone;
  Bytes akey;
  std::uint32_t spi = 0;
  bool esn = false;
};

inline std::size_t auth_icv(Auth a) {
  switch (a) {
    case Auth::kNone: return 0;
    case Auth::kSha1: case Auth::kXcbc: return 12;
    case Auth::kSha256: return 16;
    case Auth::kSha384: return 24;
    case Auth::kSha512: return 32;
  }
  return 0;
}
inline Bytes auth_mac(Auth a, const Bytes& key, const Bytes& data) {
  switch (a) {
    case Auth::kSha1: return hmac(EVP_sha1(), key, data, 12);
    case Auth::kSha256: return hmac(EVP_sha256(), key, data, 16);
    case Auth::kSha384: return hmac(EVP_sha384(), key, data, 24);
    case Auth::kSha512: return hmac(EVP_sha512(), key, data, 32);
    case Auth::kXcbc: return xcbc(key, data);
    case Auth::kNone: break;
  }
  return {};
}
inline bool is_aead(Enc e) { return e == Enc::kGcm || e == Enc::kChaCha || e == Enc::kGmac; }
inline std::size_t iv_len(Enc e) { return e == Enc::kNull ? 0 : e == Enc::kCbc ? 16 : 8; }
inline std::size_t icv_len(const EspSa& sa) { return is_aead(sa.enc) ? sa.aead_icv : auth_icv(sa.auth); }
inline Bytes key_part(const EspSa& sa) {
  return sa.enc == Enc::kCbc ? sa.ekey : slice(sa.ekey, 0, sa.ekey.size() - 4);
}
inline Bytes salt(const EspSa& sa) { return slice(sa.ekey, sa.ekey.size() - 4, 4); }
inline Bytes esp_aad(const EspSa& sa, std::uint64_t seq) {
  return sa.esn ? cat({be32(sa.spi), be32(std::uint32_t(seq >> 32)), be32(std::uint32_t(seq))})
                : cat({be32(sa.spi), be32(std::uint32_t(seq))});
}

// Builds an ESP payload (header to ICV) around inner with next header nh.
inline Bytes esp_seal(const EspSa& sa, std::uint64_t seq, const Bytes& iv, const Bytes& inner, std::uint8_t nh) {
  const std::size_t block = sa.enc == Enc::kCbc ? 16 : 4;
  const std::size_t pad = (block - (inner.size() + 2) % block) % block;
  Bytes pt = inner;
  for (std::size_t i = 1; i <= pad; ++i) pt.push_back(std::uint8_t(i));
  pt.push_back(std::uint8_t(pad));
  pt.push_back(nh);
  const Bytes hdr = cat({be32(sa.spi), be32(std::uint32_t(seq)), iv});
  if (sa.enc == Enc::kGcm || sa.enc == Enc::kChaCha) {
    return cat({hdr, aead_seal(sa.enc == Enc::kChaCha, key_part(sa), cat({salt(sa), iv}), esp_aad(sa, seq), pt,
                               sa.aead_icv)});
  }
  if (sa.enc == Enc::kGmac) {
    return cat({hdr, pt, aead_seal(false, key_part(sa), cat({salt(sa), iv}), cat({esp_aad(sa, seq), iv, pt}), {}, 16)});
  }
  Bytes ct = pt;
  if (sa.enc == Enc::kCbc) ct = cipher(aes("cbc", sa.ekey.size()), sa.ekey, iv, pt, true);
  if (sa.enc == Enc::kCtr) ct = cipher(aes("ctr", sa.ekey.size() - 4), key_part(sa), cat({salt(sa), iv, be32(1)}), pt, true);
  Bytes esp = cat({hdr, ct});
  if (sa.auth != Auth::kNone) {
    const Bytes covered = sa.esn ? cat({esp, be32(std::uint32_t(seq >> 32))}) : esp;
    esp = cat({esp, auth_mac(sa.auth, sa.akey, covered)});
  }
  return esp;
}

struct EspOpened {
  std::uint32_t spi = 0, seq_lo = 0;
  Bytes iv, payload, padding;
  std::uint8_t nh = 0;
};
// Verifies and decrypts an ESP payload (header to ICV); seq_hi is the receiver's guess.
inline std::optional<EspOpened> esp_open(const EspSa& sa, const Bytes& esp, std::uint32_t seq_hi = 0) {
  const std::size_t ivl = iv_len(sa.enc), icv = icv_len(sa);
  if (esp.size() < 8 + ivl + icv + 2) return std::nullopt;
  EspOpened o;
  o.spi = get32(esp.data());
  o.seq_lo = get32(esp.data() + 4);
  const std::uint64_t seq = std::uint64_t(seq_hi) << 32 | o.seq_lo;
  o.iv = slice(esp, 8, ivl);
  const Bytes body_icv = slice(esp, 8 + ivl, esp.size() - 8 - ivl);
  const Bytes body = slice(body_icv, 0, body_icv.size() - icv);
  Bytes pt;
  if (sa.enc == Enc::kGcm || sa.enc == Enc::kChaCha) {
    auto r = aead_open(sa.enc == Enc::kChaCha, key_part(sa), cat({salt(sa), o.iv}), esp_aad(sa, seq), body_icv, icv);
    if (!r) return std::nullopt;
    pt = *r;
  } else if (sa.enc == Enc::kGmac) {
    const Bytes tag = aead_seal(false, key_part(sa), cat({salt(sa), o.iv}), cat({esp_aad(sa, seq), o.iv, body}), {}, 16);
    if (tag != slice(body_icv, body.size(), 16)) return std::nullopt;
    pt = body;
  } else {
    if (sa.auth != Auth::kNone) {
      const Bytes covered = slice(esp, 0, esp.size() - icv);
      const Bytes mac = auth_mac(sa.auth, sa.akey, sa.esn ? cat({covered, be32(seq_hi)}) : covered);
      if (mac != slice(esp, esp.size() - icv, icv)) return std::nullopt;
    }
    pt = body;
    if (sa.enc == Enc::kCbc) pt = cipher(aes("cbc", sa.ekey.size()), sa.ekey, o.iv, body, false);
    if (sa.enc == Enc::kCtr)
      pt = cipher(aes("ctr", sa.ekey.size() - 4), key_part(sa), cat({salt(sa), o.iv, be32(1)}), body, false);
  }
  if (pt.size() < 2) return std::nullopt;
  const std::size_t pad = pt[pt.size() - 2];
  o.nh = pt.back();
  if (pad + 2 > pt.size()) return std::nullopt;
  o.payload = slice(pt, 0, pt.size() - 2 - pad);
  o.padding = slice(pt, pt.size() - 2 - pad, pad);
  return o;
}

}  // namespace oracle
