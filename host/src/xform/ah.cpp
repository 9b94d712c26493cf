// AH (RFC 4302) with HMAC-SHA1-96 (RFC 2404), HMAC-SHA2 (RFC 4868), AES-XCBC-96
// (RFC 3566) and AES-GMAC (RFC 4543).
//
// Layout: NextHdr PayloadLen Reserved(2) SPI(4) Seq(4) [IV(8), GMAC] ICV [zero pad
// to 4 bytes (IPv4) / 8 bytes (IPv6)]. The ICV covers the whole datagram with the
// fields that change in transit zeroed (RFC 4302 3.3.3.1 and Appendix A), the ICV
// field zeroed, and with ESN the high sequence half appended.
#include <array>
#include <cstring>

#include "xform_internal.hpp"

namespace aipsec::xform {
namespace {

// Headers before the AH header are copied aside while they are zeroed in place.
constexpr std::size_t kMaxMassagedHeaders = 2048;

// RFC 4302 Appendix A.1: IPv4 options whose content is fixed end to end.
bool ipv4_option_immutable(std::uint8_t type) {
  switch (type) {
    case 0:    // End of Option List
    case 1:    // No Operation
    case 130:  // Security
    case 133:  // Extended Security
    case 134:  // Commercial Security
    case 148:  // Router Alert
    case 149:  // Sender Directed Multi-Destination Delivery
      return true;
    default: return false;
  }
}

Reason massage_ipv4(std::uint8_t* ip, const Sysctl& sc) {
  const std::size_t ihl = std::size_t(ip[0] & 0x0f) * 4;
  if (sc.ah_cleartos) ip[1] = 0;
  store_be16(ip + 6, std::uint16_t(load_be16(ip + 6) & sc.ah_offsetmask));
  ip[8] = 0;                 // TTL
  store_be16(ip + 10, 0);    // header checksum
  for (std::size_t i = 20; i < ihl;) {
    const std::uint8_t type = ip[i];
    if (type == 0) break;  // the rest is padding after End of Option List
    if (type == 1) { ++i; continue; }
    if (i + 1 >= ihl) return Reason::kMalformedIp;
    const std::size_t len = ip[i + 1];
    if (len < 2 || i + len > ihl) return Reason::kMalformedIp;
    if (!ipv4_option_immutable(type)) std::memset(ip + i, 0, len);  // whole option, as KAME does
    i += len;
  }
  return Reason::kNone;
}

// Hop-by-hop / destination options: data of options with the "may change en
// route" bit (0x20) is zeroed (RFC 4302 Appendix A.2).
Reason massage_ipv6_options(std::uint8_t* h, std::size_t len) {
  for (std::size_t i = 2; i < len;) {
    if (h[i] == 0) { ++i; continue; }  // Pad1
    if (i + 1 >= len || i + 2 + h[i + 1] > len) return Reason::kExtHdrLimit;
    const std::size_t dlen = h[i + 1];
    if (h[i] & 0x20) std::memset(h + i + 2, 0, dlen);
    i += 2 + dlen;
  }
  return Reason::kNone;
}

Reason massage_ipv6(std::uint8_t* ip, std::size_t end) {
  ip[0] &= 0xf0;  // traffic class (high nibble)...
  ip[1] = 0;      // ...traffic class (low nibble) and flow label
  ip[2] = ip[3] = 0;
  ip[7] = 0;      // hop limit
  Reason r = Reason::kNone;
  const bool ok = walk_ipv6_ext(ByteView(ip, end), end, [&](std::size_t off, std::uint8_t nh) {
    if (nh == ipproto::kHopOpts || nh == ipproto::kDstOpts) {
      r = massage_ipv6_options(ip + off, (std::size_t(ip[off + 1]) + 1) * 8);
    } else if (nh == ipproto::kRouting && ip[off + 3] != 0) {
      r = Reason::kUnsupported;  // segments left: the ICV would need the final header
    }
    return r == Reason::kNone;
  });
  if (r != Reason::kNone) return r;
  return ok ? Reason::kNone : Reason::kExtHdrLimit;
}

// Computes the ICV of p, whose AH header at ah_off has a zeroed ICV field.
Reason compute_icv(Sa& sa, Packet& p, int version, std::size_t ah_off, std::uint64_t seq,
                   const Sysctl& sc, std::uint8_t* icv) {
  SaRuntime& rt = sa.runtime();
  if (ah_off > kMaxMassagedHeaders) return Reason::kUnsupported;
  std::array<std::uint8_t, kMaxMassagedHeaders> saved;
  std::memcpy(saved.data(), p.data(), ah_off);
  Reason r = version == 4 ? massage_ipv4(p.data(), sc) : massage_ipv6(p.data(), ah_off);
  std::uint8_t hi[4];
  store_be32(hi, std::uint32_t(seq >> 32));
  const ByteView seq_hi(hi, sa.config().esn ? 4 : 0);
  if (r == Reason::kNone && rt.mac) {
    rt.mac->begin();
    rt.mac->update(p.bytes());
    rt.mac->update(seq_hi);
    rt.mac->finish(MutByteView(icv, rt.icv_len));
  } else if (r == Reason::kNone) {
    // RFC 4543 section 3.3: nonce = salt || IV, AAD = the massaged packet, no plaintext.
    std::array<std::uint8_t, 12> nonce{};
    std::memcpy(nonce.data(), rt.salt.data(), 4);
    std::memcpy(nonce.data() + 4, p.data() + ah_off + 12, 8);
    std::uint8_t none = 0;
    if (!rt.aead->seal2(nonce, p.bytes(), seq_hi, {}, &none, MutByteView(icv, rt.icv_len)))
      r = Reason::kCryptoError;
  }
  std::memcpy(p.data(), saved.data(), ah_off);
  return r;
}

std::size_t ah_length(const SaRuntime& rt, int version) {
  const std::size_t align = version == 4 ? 4 : 8;
  const std::size_t raw = 12 + rt.iv_len + rt.icv_len;
  return (raw + align - 1) / align * align;
}

}  // namespace

Reason ah_output(Sa& sa, Packet& p, const Site& site, const Sysctl& sc) {
  const SaRuntime& rt = sa.runtime();
  const std::size_t len = ah_length(rt, site.version);
  std::uint64_t seq = 0;
  if (Reason r = next_seq(sa, seq); r != Reason::kNone) return r;
  std::uint8_t* h = p.insert(site.off, len);
  if (!h) return Reason::kNoRoom;
  std::memset(h, 0, len);
  h[0] = site.nh;
  h[1] = std::uint8_t(len / 4 - 2);
  store_be32(h + 4, sa.config().spi);
  store_be32(h + 8, std::uint32_t(seq));
  if (rt.iv_len == 8) {  // GMAC: the IV is the 64-bit sequence number
    store_be32(h + 12, std::uint32_t(seq >> 32));
    store_be32(h + 16, std::uint32_t(seq));
  }
  p.data()[site.nh_field_off] = ipproto::kAh;
  if (Reason r = fix_ip_lengths(p, site.version); r != Reason::kNone) return r;
  std::array<std::uint8_t, 32> icv{};
  if (Reason r = compute_icv(sa, p, site.version, site.off, seq, sc, icv.data()); r != Reason::kNone) return r;
  std::memcpy(p.data() + site.off + 12 + rt.iv_len, icv.data(), rt.icv_len);
  return Reason::kNone;
}

Reason ah_input(Sa& sa, Packet& p, const Site& site, const Sysctl& sc, Cut& cut) {
  SaRuntime& rt = sa.runtime();
  if (p.size() - site.off < 12) return Reason::kTruncated;
  std::uint8_t* h = p.data() + site.off;
  const std::size_t len = (std::size_t(h[1]) + 2) * 4;
  if (len < 12 + rt.iv_len + rt.icv_len) return Reason::kBadLength;
  if (len > p.size() - site.off) return Reason::kTruncated;
  if (load_be32(h + 4) != sa.config().spi) return Reason::kUnknownSpi;  // the caller chose the wrong SA
  const std::uint64_t seq = rt.replay.infer(load_be32(h + 8));
  if (sa.config().replay_window != 0) {
    if (Reason r = rt.replay.check(seq); r != Reason::kNone) return r;
  }
  std::array<std::uint8_t, 32> rx{}, icv{};
  std::uint8_t* field = h + 12 + rt.iv_len;
  std::memcpy(rx.data(), field, rt.icv_len);
  std::memset(field, 0, rt.icv_len);  // RFC 4302 3.3.3.2.1: alignment padding stays in the ICV
  if (Reason r = compute_icv(sa, p, site.version, site.off, seq, sc, icv.data()); r != Reason::kNone) return r;
  if (!crypto::equal_ct(ByteView(rx.data(), rt.icv_len), ByteView(icv.data(), rt.icv_len)))
    return Reason::kIcvFail;
  rt.replay.update(seq);
  cut.nh = p.data()[site.off];
  cut.hdr_len = len;
  cut.trailer_len = 0;
  return Reason::kNone;
}

}  // namespace aipsec::xform
