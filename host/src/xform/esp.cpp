// ESP (RFC 4303) with the ciphers of RFC 3602 (AES-CBC), 3686 (AES-CTR), 4106
// (AES-GCM), 7634 (ChaCha20-Poly1305), 4543 (AES-GMAC) and 2410 (NULL), and the
// integrity algorithms of RFC 2404, 4868 and 3566.
//
// Layout: SPI(4) Seq(4) IV | payload Padding PadLen NextHdr | ICV.
// Counter-mode IVs (GCM, CTR, ChaCha20, GMAC) are the 64-bit sequence number.
#include <array>
#include <bit>
#include <cstring>

#include "xform_internal.hpp"

namespace aipsec::xform {
namespace {

bool is_counter_iv(EncAlg a) {
  return a == EncAlg::kAesGcm8 || a == EncAlg::kAesGcm12 || a == EncAlg::kAesGcm16 ||
         a == EncAlg::kChaCha20Poly1305 || a == EncAlg::kAesGmac || a == EncAlg::kAesCtr;
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

// The n bytes of padding that end at body + end (the caller checked n <= end):
// 1, 2, 3, ... by default, zeros or random bytes if the SA says so (RFC 4303
// 2.4: with the default padding the receiver should check it). Up to 8 bytes
// with at least 8 bytes of body before their end, nearly every packet, in one
// 64-bit compare of the word that ends there, the bytes before the padding
// masked off; longer padding byte by byte.
bool padding_ok(const std::uint8_t* body, std::size_t end, std::size_t n, PadMode mode) {
  if (mode == PadMode::kRandom) return true;
  const std::uint8_t* e = body + end;
  if (n <= 8 && end >= 8) {
    static constexpr std::uint8_t kSeqTail[16] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
    std::uint64_t got = 0, want = 0;
    std::memcpy(&got, e - 8, 8);
    if (mode == PadMode::kSequential) std::memcpy(&want, kSeqTail + n, 8);
    if (n == 0) return true;
    // The last n bytes of the word in memory: its high bytes on a
    // little-endian host, its low bytes on a big-endian one.
    const unsigned drop = unsigned(8 * (8 - n));  // 0..56
    const std::uint64_t mask =
        std::endian::native == std::endian::little ? ~std::uint64_t(0) << drop : ~std::uint64_t(0) >> drop;
    return ((got ^ want) & mask) == 0;
  }
  const std::uint8_t* pad = e - n;
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

// The common shape of a gateway's traffic in one pass: tunnel-mode ESP with an
// AEAD (SaRuntime::esp_aead_tunnel) around an IPv4 datagram without options or
// an IPv6 one without extension headers. The ESP header and then the outer
// header go into the headroom, the trailer into the tailroom; no byte of the
// datagram moves and no header is read back. Each step is the one the general
// path takes (esp_output, tunnel_encap, fix_ip_lengths), in the same order, so
// the packet and the SA's counters come out the same (xform_esp_fast_test).
bool esp_aead_tunnel_output(Sa& sa, Packet& p, const Sysctl& sc, Reason& r) {
  const std::uint8_t* v = p.data();
  const std::size_t size = p.size();
  IpHeader inner;
  if (size >= kIpv4HeaderLen && v[0] == 0x45) {
    inner.total_len = load_be16(v + 2);
    if (inner.total_len < kIpv4HeaderLen || inner.total_len > size) return false;
    inner.version = 4;
    inner.tos = v[1];
    inner.df = (v[6] & 0x40) != 0;
  } else if (size >= kIpv6HeaderLen && (v[0] >> 4) == 6) {
    const std::size_t total = kIpv6HeaderLen + load_be16(v + 4);
    const std::uint8_t nh = v[6];
    if (nh == ipproto::kHopOpts || nh == ipproto::kRouting || nh == ipproto::kFragment ||
        nh == ipproto::kDstOpts || total > size)
      return false;
    inner.total_len = std::uint16_t(total);
    inner.version = 6;
    inner.tos = std::uint8_t((load_be16(v) >> 4) & 0xff);
  } else {
    return false;
  }
  const SaConfig& c = sa.config();
  SaRuntime& rt = sa.runtime();
  const std::size_t payload = inner.total_len;
  const std::size_t outer = c.src.family == 6 ? kIpv6HeaderLen : kIpv4HeaderLen;
  const std::size_t pad = (rt.block - ((payload + 2) & (rt.block - 1))) & (rt.block - 1);
  const std::size_t body = payload + pad + 2;
  const std::size_t tail = pad + 2 + rt.icv_len;
  if (p.headroom() < outer + 16 || p.tailroom() + (size - payload) < tail ||
      outer + 16 + body + rt.icv_len > 0xffff)
    return false;  // the general path has the answer (kNoRoom, kTooBig)
  p.trim_back(size - payload);
  std::uint64_t seq = 0;
  if (r = next_seq(sa, seq); r != Reason::kNone) return true;

  std::uint8_t* t = p.push_back(tail);
  if (c.pad == PadMode::kSequential && p.tailroom() >= 16) {
    // pad < block <= 16: one 16-byte store, the bytes past the padding
    // overwritten below or left in the tailroom.
    static constexpr std::uint8_t kSeq[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    std::memcpy(t, kSeq, 16);
  } else {
    fill_padding(t, pad, c.pad);
  }
  t[pad] = std::uint8_t(pad);
  t[pad + 1] = inner.version == 4 ? ipproto::kIpIp : ipproto::kIpv6;
  std::uint8_t* h = p.push_front(16);
  store_be32(h, c.spi);
  store_be32(h + 4, std::uint32_t(seq));
  store_be64(h + 8, seq);  // the IV (RFC 4106 section 3.1, RFC 7634 section 2)
  std::uint8_t nonce[12], aad[12];
  std::memcpy(nonce, rt.salt.data(), 4);
  store_be64(nonce + 4, seq);
  const std::size_t aad_len = build_aad(aad, c.spi, seq, c.esn);
  if (!rt.aead->seal_inplace(nonce, aad, aad_len, h + 16, body, rt.icv_len)) {
    r = Reason::kCryptoError;
    return true;
  }
  esp_tunnel_outer(sa, p, inner, sc);
  account(sa, payload);
  r = Reason::kNone;
  return true;
}

// Inbound counterpart: esp_input, then what finish_input does for a tunnel
// (the trailer off, tunnel_decap), for an SA with esp_aead_tunnel_in and an
// outer header without IPv4 options or IPv6 extension headers: a datagram of
// total_len bytes (at most p.size()) whose outer header, off bytes (20 or 40),
// is followed by ESP. The reason is returned, not stored through a reference
// at each step: the compiler keeps it in a register and the path stays a
// straight line. In line in both of its callers below.
[[gnu::always_inline]] inline Reason esp_aead_tunnel_open(Sa& sa, Packet& p, std::size_t off, std::size_t total_len,
                                                          int version, const Sysctl& sc, InputStep& step) {
  const SaConfig& c = sa.config();
  SaRuntime& rt = sa.runtime();
  p.trim_back(p.size() - total_len);  // link-layer padding
  const std::size_t len = p.size() - off;
  const std::size_t icv_len = rt.icv_len;
  if (len < 16 + 2 + icv_len) return Reason::kTruncated;
  const std::size_t n = len - 16 - icv_len;
  if ((n & (rt.block - 1)) != 0) return Reason::kBadLength;  // RFC 4303 2.4: 4-byte aligned
  std::uint8_t* h = p.data() + off;
  if (load_be32(h) != c.spi) return Reason::kUnknownSpi;
  const std::uint64_t seq = rt.replay.infer(load_be32(h + 4));
  if (c.replay_window != 0) {
    if (Reason rr = rt.replay.check(seq); rr != Reason::kNone) return rr;
  }
  std::uint8_t nonce[12], aad[12];
  std::memcpy(nonce, rt.salt.data(), 4);
  std::memcpy(nonce + 4, h + 8, 8);
  const std::size_t aad_len = build_aad(aad, c.spi, seq, c.esn);
  std::uint8_t* body = h + 16;
  if (!rt.aead->open_inplace(nonce, aad, aad_len, body, n, icv_len)) return Reason::kIcvFail;
  rt.replay.update(seq);

  const std::size_t pad = body[n - 2];
  const std::uint8_t nh = body[n - 1];
  if (pad + 2 > n || !padding_ok(body, n - 2, pad, c.pad)) return Reason::kBadPadding;
  if (nh == ipproto::kNoNext) {
    account(sa, len);
    return Reason::kDummyPacket;
  }
  if (nh != ipproto::kIpIp && nh != ipproto::kIpv6) return Reason::kBadNextHeader;  // a tunnel SA carries IP only
  step.mode = Mode::kTunnel;
  p.trim_back(pad + 2 + icv_len);
  const Reason r = tunnel_decap(sa, p, off + 16, version, sc);
  if (r == Reason::kNone) account(sa, len);
  return r;
}

// xform_input's entry to it, the datagram parsed (IpInfo).
bool esp_aead_tunnel_input(Sa& sa, Packet& p, const IpInfo& info, const Sysctl& sc, InputStep& step, Reason& r) {
  const std::size_t off = info.version == 4 ? kIpv4HeaderLen : kIpv6HeaderLen;
  if (info.l4_off != off || info.ulproto != ipproto::kEsp || info.total_len > p.size()) return false;
  r = esp_aead_tunnel_open(sa, p, off, info.total_len, info.version, sc, step);
  return true;
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
  if (pad + 2 > n || !padding_ok(body, n - 2, pad, c.pad)) return Reason::kBadPadding;
  if (cut.nh == ipproto::kNoNext) return Reason::kDummyPacket;
  cut.hdr_len = hdr;
  cut.trailer_len = pad + 2 + rt.icv_len;
  return Reason::kNone;
}

}  // namespace aipsec::xform

namespace aipsec {

using xform::admit;
using xform::esp_aead_tunnel_open;
using xform::ipv4_checksum_ok;

// The unparsed datagram's entry (xform.hpp): here, beside the one-pass path it
// leads to, so that the path is in line in it.
Reason xform_input(Sa& sa, Packet& p, const Sysctl& sc, InputStep& step) {
  const SaConfig& c = sa.config();
  const std::uint8_t* v = p.data();
  const std::size_t size = p.size();
  if (sa.runtime().esp_aead_tunnel_in) {
    // What parse_ip accepts and finds here: a whole header, its length within
    // the bytes present, the checksum right (IPv4); ESP next, not a fragment.
    int version = esp_plain_outer(p.bytes());
    std::size_t off = 0, total = 0;
    if (version == 4) {
      off = kIpv4HeaderLen;
      total = load_be16(v + 2);
      if (total < kIpv4HeaderLen || total > size || !ipv4_checksum_ok(v, kIpv4HeaderLen)) version = 0;
    } else if (version == 6) {
      off = kIpv6HeaderLen;
      total = kIpv6HeaderLen + std::size_t(load_be16(v + 4));
      if (total > size || total == kIpv6HeaderLen || total > 0xffff) version = 0;
    }
    if (version != 0) {
      step.proto = c.proto;
      step.mode = Mode::kTransport;
      step.spi = c.spi;
      // Field by field into the step, not IpAddr::from_bytes: the copy of a
      // temporary address reloads it with wide loads that stall on its narrow
      // stores (store forwarding), 0.85x -> 0.79x at 1400 B in the benchmark.
      step.src = IpAddr{};
      step.dst = IpAddr{};
      step.src.family = step.dst.family = std::uint8_t(version);
      if (version == 4) {
        std::memcpy(step.src.b.data(), v + 12, 4);
        std::memcpy(step.dst.b.data(), v + 16, 4);
      } else {
        std::memcpy(step.src.b.data(), v + 8, 16);
        std::memcpy(step.dst.b.data(), v + 24, 16);
      }
      if (Reason r = admit(sa); r != Reason::kNone) return r;
      return esp_aead_tunnel_open(sa, p, off, total, version, sc, step);
    }
  }
  const ParseResult parsed = parse_ip(p.bytes());
  if (!parsed.info) return parsed.error;
  return xform_input(sa, p, *parsed.info, sc, step);
}

}  // namespace aipsec
