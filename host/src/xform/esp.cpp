// ESP (RFC 4303) with the ciphers of RFC 3602 (AES-CBC), 3686 (AES-CTR), 4106
// (AES-GCM), 7634 (ChaCha20-Poly1305), 4543 (AES-GMAC) and 2410 (NULL), and the
// integrity algorithms of RFC 2404, 4868 and 3566.
//
// Layout: SPI(4) Seq(4) IV | payload Padding PadLen NextHdr | ICV.
// Counter-mode IVs (GCM, CTR, ChaCha20, GMAC) are the 64-bit sequence number.
#include <array>
#include <cstring>

#include "xform_internal.hpp"

namespace aipsec::xform {
namespace {

bool is_counter_iv(EncAlg a) {
  return a == EncAlg::kAesGcm8 || a == EncAlg::kAesGcm12 || a == EncAlg::kAesGcm16 ||
         a == EncAlg::kChaCha20Poly1305 || a == EncAlg::kAesGmac || a == EncAlg::kAesCtr;
}

void store_be64(std::uint8_t* p, std::uint64_t v) {
  store_be32(p, std::uint32_t(v >> 32));
  store_be32(p + 4, std::uint32_t(v));
}

// AAD of the combined modes (RFC 4106 section 5): SPI || [seq_hi ||] seq_lo.
std::size_t build_aad(std::uint8_t* aad, std::uint32_t spi, std::uint64_t seq, bool esn) {
  store_be32(aad, spi);
  if (!esn) {
    store_be32(aad + 4, std::uint32_t(seq));
    return 8;
  }
  store_be32(aad + 4, std::uint32_t(seq >> 32));
  store_be32(aad + 8, std::uint32_t(seq));
  return 12;
}

// nonce = salt || IV (RFC 4106 section 4, RFC 7634 section 2).
std::array<std::uint8_t, 12> build_nonce(const SaRuntime& rt, const std::uint8_t* iv) {
  std::array<std::uint8_t, 12> n{};
  std::memcpy(n.data(), rt.salt.data(), 4);
  std::memcpy(n.data() + 4, iv, 8);
  return n;
}

// RFC 3686 section 4: nonce || IV || block counter 1.
std::array<std::uint8_t, 16> ctr_block(const SaRuntime& rt, const std::uint8_t* iv) {
  std::array<std::uint8_t, 16> b{};
  std::memcpy(b.data(), rt.salt.data(), 4);
  std::memcpy(b.data() + 4, iv, 8);
  b[15] = 1;
  return b;
}

// An unpredictable CBC IV: the forward cipher under the SA's own key of a
// nonce (random prefix || counter), NIST SP 800-38A Appendix C, first method
// (a one-block CBC encryption with a zero IV is that forward cipher).
bool make_cbc_iv(SaRuntime& rt, std::uint8_t* iv) {
  std::array<std::uint8_t, 16> in{};
  std::memcpy(in.data(), rt.iv_prefix.data(), 8);
  const std::uint64_t count = rt.iv_count.load(std::memory_order_relaxed);
  rt.iv_count.store(count + 1, std::memory_order_relaxed);  // one sender per SA
  store_be64(in.data() + 8, count);
  static constexpr std::array<std::uint8_t, 16> kZero{};
  return rt.cipher->encrypt(kZero, in, iv);
}

void fill_padding(std::uint8_t* pad, std::size_t n, PadMode mode) {
  switch (mode) {
    case PadMode::kSequential:
      for (std::size_t i = 0; i < n; ++i) pad[i] = std::uint8_t(i + 1);
      break;
    case PadMode::kZero: std::memset(pad, 0, n); break;
    case PadMode::kRandom: crypto::random_bytes(MutByteView(pad, n)); break;
  }
}

// RFC 4303 2.4: with the default (sequential) padding the receiver should check it.
bool padding_ok(const std::uint8_t* pad, std::size_t n, PadMode mode) {
  if (mode == PadMode::kRandom) return true;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t want = mode == PadMode::kSequential ? std::uint8_t(i + 1) : 0;
    if (pad[i] != want) return false;
  }
  return true;
}

void mac_esp(crypto::Mac& mac, const std::uint8_t* esp, std::size_t n, std::uint64_t seq, bool esn) {
  mac.begin();
  mac.update(ByteView(esp, n));
  if (esn) {  // RFC 4303 2.2.1: seq_hi follows the packet for the ICV only
    std::uint8_t hi[4];
    store_be32(hi, std::uint32_t(seq >> 32));
    mac.update(ByteView(hi, 4));
  }
}

// Encrypts and authenticates the ESP packet at h (header hdr bytes, body n bytes, ICV after).
Reason seal(Sa& sa, std::uint8_t* h, std::size_t hdr, std::size_t n, std::uint64_t seq) {
  const SaConfig& c = sa.config();
  SaRuntime& rt = sa.runtime();
  std::uint8_t* iv = h + 8;
  std::uint8_t* body = h + hdr;
  std::uint8_t* icv = body + n;
  if (is_counter_iv(c.enc)) store_be64(iv, seq);
  bool ok = true;
  if (rt.aead) {
    std::uint8_t aad[12];
    const std::size_t aad_len = build_aad(aad, c.spi, seq, c.esn);
    const auto nonce = build_nonce(rt, iv);
    if (c.enc == EncAlg::kAesGmac) {
      std::uint8_t none = 0;
      ok = rt.aead->seal2(nonce, ByteView(aad, aad_len), ByteView(iv, rt.iv_len + n), {}, &none,
                          MutByteView(icv, rt.icv_len));
    } else {
      ok = rt.aead->seal(nonce, ByteView(aad, aad_len), ByteView(body, n), body, MutByteView(icv, rt.icv_len));
    }
    return ok ? Reason::kNone : Reason::kCryptoError;
  }
  if (c.enc == EncAlg::kAesCbc) {
    ok = make_cbc_iv(rt, iv) && rt.cipher->encrypt(ByteView(iv, 16), ByteView(body, n), body);
  } else if (c.enc == EncAlg::kAesCtr) {
    ok = rt.cipher->encrypt(ctr_block(rt, iv), ByteView(body, n), body);
  }
  if (!ok) return Reason::kCryptoError;
  if (rt.mac) {
    mac_esp(*rt.mac, h, hdr + n, seq, c.esn);
    rt.mac->finish(MutByteView(icv, rt.icv_len));
  }
  return Reason::kNone;
}

// Verifies the ICV and decrypts the body in place (RFC 4303 3.4.4 then 3.4.5).
Reason open(Sa& sa, std::uint8_t* h, std::size_t hdr, std::size_t n, std::uint64_t seq) {
  const SaConfig& c = sa.config();
  SaRuntime& rt = sa.runtime();
  std::uint8_t* iv = h + 8;
  std::uint8_t* body = h + hdr;
  const ByteView icv(body + n, rt.icv_len);
  if (rt.aead) {
    std::uint8_t aad[12];
    const std::size_t aad_len = build_aad(aad, c.spi, seq, c.esn);
    const auto nonce = build_nonce(rt, iv);
    bool ok;
    if (c.enc == EncAlg::kAesGmac) {
      std::uint8_t none = 0;
      ok = rt.aead->open2(nonce, ByteView(aad, aad_len), ByteView(iv, rt.iv_len + n), {}, &none, icv);
    } else {
      ok = rt.aead->open(nonce, ByteView(aad, aad_len), ByteView(body, n), body, icv);
    }
    return ok ? Reason::kNone : Reason::kIcvFail;
  }
  if (rt.mac) {
    mac_esp(*rt.mac, h, hdr + n, seq, c.esn);
    if (!rt.mac->finish_verify(icv)) return Reason::kIcvFail;
  }
  bool ok = true;
  if (c.enc == EncAlg::kAesCbc) ok = rt.cipher->decrypt(ByteView(iv, 16), ByteView(body, n), body);
  else if (c.enc == EncAlg::kAesCtr) ok = rt.cipher->decrypt(ctr_block(rt, iv), ByteView(body, n), body);
  return ok ? Reason::kNone : Reason::kCryptoError;
}

}  // namespace

Reason esp_output(Sa& sa, Packet& p, const Site& site) {
  const SaConfig& c = sa.config();
  const SaRuntime& rt = sa.runtime();
  const std::size_t payload = p.size() - site.off;
  const std::size_t hdr = 8 + rt.iv_len;
  // rt.block is a power of two (4 or 16): a mask, not a division, per packet.
  const std::size_t pad = (rt.block - ((payload + 2) & (rt.block - 1))) & (rt.block - 1);
  const std::size_t tail_len = pad + 2 + rt.icv_len;
  if (p.tailroom() < tail_len) return Reason::kNoRoom;
  std::uint64_t seq = 0;
  if (Reason r = next_seq(sa, seq); r != Reason::kNone) return r;

  std::uint8_t* tail = p.push_back(tail_len);
  fill_padding(tail, pad, c.pad);
  tail[pad] = std::uint8_t(pad);
  tail[pad + 1] = site.nh;
  std::uint8_t* h = p.insert(site.off, hdr);
  if (!h) return Reason::kNoRoom;
  if (site.off != 0) p.data()[site.nh_field_off] = ipproto::kEsp;  // 0: no header in front yet
  store_be32(h, c.spi);
  store_be32(h + 4, std::uint32_t(seq));
  return seal(sa, h, hdr, payload + pad + 2, seq);
}

Reason esp_input(Sa& sa, Packet& p, const Site& site, Cut& cut) {
  const SaConfig& c = sa.config();
  SaRuntime& rt = sa.runtime();
  const std::size_t hdr = 8 + rt.iv_len;
  const std::size_t len = p.size() - site.off;
  if (len < hdr + 2 + rt.icv_len) return Reason::kTruncated;
  const std::size_t n = len - hdr - rt.icv_len;
  if ((n & (rt.block - 1)) != 0) return Reason::kBadLength;  // RFC 4303 2.4: block / 4-byte aligned
  std::uint8_t* h = p.data() + site.off;
  if (load_be32(h) != c.spi) return Reason::kUnknownSpi;  // the caller chose the wrong SA
  const std::uint64_t seq = rt.replay.infer(load_be32(h + 4));
  if (c.replay_window != 0) {
    if (Reason r = rt.replay.check(seq); r != Reason::kNone) return r;
  }
  if (Reason r = open(sa, h, hdr, n, seq); r != Reason::kNone) return r;
  rt.replay.update(seq);

  const std::uint8_t* body = h + hdr;
  const std::size_t pad = body[n - 2];
  cut.nh = body[n - 1];
  if (pad + 2 > n || !padding_ok(body + n - 2 - pad, pad, c.pad)) return Reason::kBadPadding;
  if (cut.nh == ipproto::kNoNext) return Reason::kDummyPacket;
  cut.hdr_len = hdr;
  cut.trailer_len = pad + 2 + rt.icv_len;
  return Reason::kNone;
}

}  // namespace aipsec::xform
