// Frames for the outbound path bench: inner IPv4 / IPv6 packets (options,
// extension headers, VLAN tags, Ethernet padding) and the flow key hash.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace obtest {

using Bytes = std::vector<std::uint8_t>;

inline void put16(Bytes& b, std::size_t at, unsigned v) {
  b[at] = std::uint8_t(v >> 8);
  b[at + 1] = std::uint8_t(v);
}

inline std::uint16_t inet_checksum(const std::uint8_t* p, std::size_t n) {
  std::uint32_t s = 0;
  for (std::size_t i = 0; i + 1 < n; i += 2) s += std::uint32_t(p[i] << 8 | p[i + 1]);
  if (n & 1) s += std::uint32_t(p[n - 1]) << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return std::uint16_t(~s);
}

// What an inner packet looks like.
struct InnerSpec {
  int version = 4;
  std::uint8_t tos = 0;
  bool df = false;
  std::uint8_t proto = 17;            // 17 UDP, 6 TCP, 1 ICMP / 58 ICMPv6
  std::uint16_t sport = 0, dport = 0;
  std::array<std::uint8_t, 16> src{}, dst{};  // IPv4 in the first 4 bytes
  std::size_t v4_option_bytes = 0;    // multiple of 4: NOPs
  bool v6_hbh = false, v6_dstopts = false;
  bool fragment = false;              // IPv4 MF set
  std::size_t total_len = 100;        // IP packet bytes
};

// An IP packet of spec.total_len bytes (at least the headers), random payload.
inline Bytes make_ip(const InnerSpec& s, std::mt19937_64& rng) {
  Bytes p;
  std::size_t l4_off;
  if (s.version == 4) {
    const std::size_t ihl = 20 + s.v4_option_bytes;
    const std::size_t total = std::max(s.total_len, ihl + 8);
    p.assign(total, 0);
    p[0] = std::uint8_t(0x40 | ihl / 4);
    p[1] = s.tos;
    put16(p, 2, unsigned(total));
    put16(p, 4, unsigned(rng() & 0xffff));
    put16(p, 6, (s.df ? 0x4000u : 0u) | (s.fragment ? 0x2000u : 0u));
    p[8] = std::uint8_t(1 + rng() % 255);
    p[9] = s.proto;
    for (int i = 0; i < 4; ++i) p[12 + i] = s.src[i], p[16 + i] = s.dst[i];
    for (std::size_t i = 20; i < ihl; ++i) p[i] = 1;  // NOP options
    put16(p, 10, inet_checksum(p.data(), ihl));
    l4_off = ihl;
  } else {
    const std::size_t ext = (s.v6_hbh ? 8 : 0) + (s.v6_dstopts ? 8 : 0);
    const std::size_t total = std::max(s.total_len, 40 + ext + 8);
    p.assign(total, 0);
    p[0] = std::uint8_t(0x60 | s.tos >> 4);
    p[1] = std::uint8_t(s.tos << 4 | (rng() & 0xf));
    put16(p, 2, unsigned(rng() & 0xffff));
    put16(p, 4, unsigned(total - 40));
    p[7] = std::uint8_t(1 + rng() % 255);
    for (int i = 0; i < 16; ++i) p[8 + i] = s.src[i], p[24 + i] = s.dst[i];
    std::size_t off = 40;
    std::uint8_t* nh = &p[6];
    auto add_ext = [&](std::uint8_t type) {
      *nh = type;
      p[off + 1] = 0;
      p[off + 2] = 1;  // PadN, 4 bytes of padding
      p[off + 3] = 4;
      nh = &p[off];
      off += 8;
    };
    if (s.v6_hbh) add_ext(0);
    if (s.v6_dstopts) add_ext(60);
    *nh = s.proto;
    l4_off = off;
  }
  for (std::size_t i = l4_off; i < p.size(); ++i) p[i] = std::uint8_t(rng());
  if (s.proto == 17 || s.proto == 6) {
    put16(p, l4_off, s.sport);
    put16(p, l4_off + 2, s.dport);
    if (s.proto == 17) put16(p, l4_off + 4, unsigned(p.size() - l4_off));
  }
  return p;
}

// Ethernet header (with vlans 802.1Q tags) in front of an IP packet; frames
// shorter than 60 bytes are padded as a MAC would.
inline Bytes eth_header(int vlans, std::uint16_t ethertype) {
  Bytes h = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01};
  for (int v = 0; v < vlans; ++v) {
    h.push_back(0x81);
    h.push_back(0x00);
    h.push_back(0x00);
    h.push_back(std::uint8_t(10 + v));
  }
  h.push_back(std::uint8_t(ethertype >> 8));
  h.push_back(std::uint8_t(ethertype));
  return h;
}

inline Bytes frame_of(const Bytes& eth, const Bytes& ip, bool pad = true) {
  Bytes f = eth;
  f.insert(f.end(), ip.begin(), ip.end());
  if (pad && f.size() < 60) f.resize(60, 0);
  return f;
}

// CRC-32C (RFC 3720 B.4): bucket of a flow key (docs/hw/datapath.md, hashing).
inline std::uint32_t crc32c(const Bytes& b) {
  std::uint32_t c = 0xffffffffu;
  for (std::uint8_t x : b) {
    c ^= x;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
  }
  return c ^ 0xffffffffu;
}

inline Bytes flow_key(const InnerSpec& s) {
  Bytes k;
  k.push_back(s.version == 6 ? 1 : 0);
  k.push_back(s.proto);
  k.push_back(std::uint8_t(s.sport >> 8));
  k.push_back(std::uint8_t(s.sport));
  k.push_back(std::uint8_t(s.dport >> 8));
  k.push_back(std::uint8_t(s.dport));
  for (int a = 0; a < 2; ++a) {
    const auto& ad = a == 0 ? s.src : s.dst;
    if (s.version == 4) {
      for (int i = 0; i < 12; ++i) k.push_back(0);
      for (int i = 0; i < 4; ++i) k.push_back(ad[i]);
    } else {
      for (int i = 0; i < 16; ++i) k.push_back(ad[i]);
    }
  }
  return k;
}

}  // namespace obtest
