// Frames for the inbound bench: plaintext datagrams, their ESP protection by
// the host's software data plane (aipsec_xform), hand-made ESP packets
// (OpenSSL AES-GCM) for trailers the software never sends, and the software
// receiver's own verdict on each frame.
#pragma once

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <memory>
#include <random>
#include <stdexcept>

#include "aipsec/card_hash.hpp"
#include "aipsec/card_reason.hpp"
#include "aipsec/card_regs.hpp"
#include "aipsec/packet.hpp"
#include "aipsec/sa_runtime.hpp"
#include "aipsec/xform.hpp"
#include "inbound_dut.hpp"

namespace inb {

using aipsec::ByteView;
using aipsec::IpAddr;
using aipsec::Mode;
using aipsec::Packet;
using aipsec::Reason;

inline void put16(Bytes& b, std::size_t at, unsigned v) {
  b[at] = std::uint8_t(v >> 8);
  b[at + 1] = std::uint8_t(v);
}

inline void ipv4_checksum(std::uint8_t* ip) {
  const std::size_t ihl = std::size_t(ip[0] & 15) * 4;
  ip[10] = ip[11] = 0;
  const std::uint16_t c = aipsec::inet_checksum(ByteView(ip, ihl));
  ip[10] = std::uint8_t(c >> 8);
  ip[11] = std::uint8_t(c);
}

inline IpAddr inner_addr(int v, unsigned host) {
  std::array<std::uint8_t, 16> b{};
  if (v == 4) {
    b = {10, 1, std::uint8_t(host >> 8), std::uint8_t(host)};
  } else {
    b = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, std::uint8_t(host >> 8), std::uint8_t(host)};
  }
  return IpAddr::from_bytes(v, b.data());
}

// A UDP (or TCP) datagram of total IP length len, random payload.
inline Bytes datagram(int v, unsigned len, std::uint8_t proto, unsigned src_host, unsigned dst_host,
                      std::uint16_t sport, std::uint16_t dport, std::uint8_t tos, std::mt19937& rng) {
  const unsigned hl = v == 4 ? 20 : 40;
  Bytes b(len);
  for (auto& x : b) x = std::uint8_t(rng());
  const IpAddr s = inner_addr(v, src_host), d = inner_addr(v, dst_host);
  if (v == 4) {
    b[0] = 0x45;
    b[1] = tos;
    put16(b, 2, len);
    b[6] = 0x40;
    b[7] = 0;
    b[8] = 64;
    b[9] = proto;
    std::memcpy(&b[12], s.b.data(), 4);
    std::memcpy(&b[16], d.b.data(), 4);
    ipv4_checksum(b.data());
  } else {
    b[0] = std::uint8_t(0x60 | tos >> 4);
    b[1] = std::uint8_t(tos << 4);
    b[2] = b[3] = 0;
    put16(b, 4, len - 40);
    b[6] = proto;
    b[7] = 64;
    std::memcpy(&b[8], s.b.data(), 16);
    std::memcpy(&b[24], d.b.data(), 16);
  }
  put16(b, hl, sport);
  put16(b, hl + 2, dport);
  if (proto == 17) put16(b, hl + 4, len - hl);
  return b;
}

inline Bytes ethernet(const Bytes& ip) {
  static constexpr std::uint8_t kMacs[12] = {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02};
  Bytes f(14 + ip.size());
  std::copy(std::begin(kMacs), std::end(kMacs), f.begin());
  put16(f, 12, (ip[0] >> 4) == 6 ? 0x86dd : 0x0800);
  std::copy(ip.begin(), ip.end(), f.begin() + 14);
  return f;
}

// One SA as both ends see it: the software sender and receiver, and the entry
// the card gets.
struct TestSa {
  aipsec::SaConfig cfg;
  std::unique_ptr<aipsec::Sa> tx, rx;
  aipsec::card::SaContext ctx{};
  unsigned index = 0;
  Mode mode = Mode::kTunnel;
  int inner = 4;
};

inline std::array<std::uint32_t, 4> addr_words(const IpAddr& a) {
  std::array<std::uint32_t, 4> w{};
  if (a.family == 4) {
    w[0] = aipsec::load_be32(a.b.data());
  } else {
    for (int i = 0; i < 4; ++i) w[3 - i] = aipsec::load_be32(a.b.data() + 4 * i);
  }
  return w;
}

struct SaSpec {
  unsigned key_bytes = 16;   // 16 or 32
  unsigned icv = 16;         // 8, 12, 16
  Mode mode = Mode::kTunnel;
  int outer = 4, inner = 4;
  bool esn = false;
  bool natt = false;
  std::uint32_t window = 64;
  aipsec::PadMode pad = aipsec::PadMode::kSequential;
  std::uint64_t soft_packets = 0, hard_packets = 0;
};

// Where SAs go in the card's table: a free way of the key's bucket (as the
// host places them), and a 128-word replay area each.
struct Placement {
  std::vector<bool> used = std::vector<bool>(INBOUND_SA_COUNT, false);
  unsigned next_area = 0;
  unsigned place(const aipsec::card::SaContext& e) {
    const unsigned b = aipsec::card::sa_bucket(e, INBOUND_SA_COUNT);
    for (unsigned w = 0; w < aipsec::card::kWays; ++w) {
      const unsigned i = b * aipsec::card::kWays + w;
      if (!used[i]) {
        used[i] = true;
        return i;
      }
    }
    throw std::runtime_error("SA bucket full");
  }
};
inline Placement& placement() {
  static Placement p;
  return p;
}

inline std::unique_ptr<TestSa> make_sa(const SaSpec& s, unsigned /*unused*/, std::uint32_t spi, std::mt19937& rng) {
  using aipsec::EncAlg;
  auto t = std::make_unique<TestSa>();
  aipsec::SaConfig& c = t->cfg;
  c.proto = aipsec::IpsecProto::kEsp;
  c.spi = spi;
  c.mode = s.mode;
  c.src = *IpAddr::parse(s.outer == 4 ? "192.0.2.1" : "2001:db8:ffff::1");
  c.dst = *IpAddr::parse(s.outer == 4 ? "192.0.2.2" : "2001:db8:ffff::2");
  c.enc = s.icv == 8 ? EncAlg::kAesGcm8 : s.icv == 12 ? EncAlg::kAesGcm12 : EncAlg::kAesGcm16;
  Bytes key(s.key_bytes + 4);
  for (auto& x : key) x = std::uint8_t(rng());
  c.enc_key = aipsec::SecureBytes(ByteView(key.data(), key.size()));
  c.esn = s.esn;
  c.replay_window = s.window;
  c.pad = s.pad;
  if (s.natt) {
    c.natt_sport = 4500;
    c.natt_dport = 4500;
  }
  t->tx = std::make_unique<aipsec::Sa>(c);  // the sender has no lifetimes: the receiver's are tested
  c.soft.packets = s.soft_packets;
  c.hard.packets = s.hard_packets;
  t->rx = std::make_unique<aipsec::Sa>(c);
  t->mode = s.mode;
  t->inner = s.inner;

  using SC = aipsec::card::SaContext;
  SC& e = t->ctx;
  e.valid = 1;
  e.direction = SC::Direction::kInbound;
  e.protocol = SC::Protocol::kEsp;
  e.mode = s.mode == Mode::kTunnel ? SC::Mode::kTunnel : SC::Mode::kTransport;
  e.outer_ipv6 = s.outer == 6;
  e.esn = s.esn;
  e.natt = s.natt;
  e.enc_alg = SC::EncAlg::kAesGcm;
  e.enc_key_256 = s.key_bytes == 32;
  e.auth_alg = SC::AuthAlg::kAead;
  e.icv_len = std::uint8_t(s.icv);
  e.pad_mode = s.pad == aipsec::PadMode::kZero ? SC::PadMode::kZero
               : s.pad == aipsec::PadMode::kRandom ? SC::PadMode::kRandom : SC::PadMode::kSequential;
  e.spi = spi;
  e.salt = aipsec::load_be32(key.data() + s.key_bytes);
  for (unsigned i = 0; i < s.key_bytes / 4; ++i) e.enc_key[7 - i] = aipsec::load_be32(key.data() + 4 * i);
  e.replay_window = std::uint16_t(s.window);
  e.replay_base = std::uint16_t(placement().next_area++ * 128);
  e.soft_packets = std::uint32_t(s.soft_packets);
  e.hard_packets = std::uint32_t(s.hard_packets);
  e.sel_proto = 255;
  e.natt_sport = c.natt_sport;
  e.natt_dport = c.natt_dport;
  e.tunnel_src = addr_words(c.src);
  e.tunnel_dst = addr_words(c.dst);
  t->index = placement().place(e);
  return t;
}

// The sender protects ip with sequence number seq (0: the next one).
inline Bytes protect(TestSa& sa, const Bytes& ip, std::uint64_t seq = 0) {
  if (seq) sa.tx->runtime().seq_out.store(seq - 1);
  Packet p(ByteView(ip.data(), ip.size()));
  aipsec::Sysctl sc;
  sc.inet.ecn = sc.inet6.ecn = 1;
  const Reason r = aipsec::xform_output(*sa.tx, sa.mode, p, sc);
  if (r != Reason::kNone) throw std::runtime_error("xform_output failed");
  return Bytes(p.bytes().begin(), p.bytes().end());
}

// ESP made by hand (IPv4 outer): SPI, seq, IV = seq, ciphertext of body (the
// caller's payload, padding, pad length and next header), ICV.
inline Bytes craft(const TestSa& sa, std::uint64_t seq, const Bytes& body, const Bytes& outer_hdr_v4) {
  const auto& e = sa.ctx;
  const unsigned klen = e.enc_key_256 ? 32 : 16;
  std::uint8_t key[32];
  for (unsigned i = 0; i < klen / 4; ++i) aipsec::store_be32(key + 4 * i, e.enc_key[7 - i]);
  std::uint8_t nonce[12], aad[12];
  aipsec::store_be32(nonce, e.salt);
  aipsec::store_be32(nonce + 4, std::uint32_t(seq >> 32));
  aipsec::store_be32(nonce + 8, std::uint32_t(seq));
  aipsec::store_be32(aad, e.spi);
  unsigned aad_len = 8;
  if (e.esn) {
    aipsec::store_be32(aad + 4, std::uint32_t(seq >> 32));
    aipsec::store_be32(aad + 8, std::uint32_t(seq));
    aad_len = 12;
  } else {
    aipsec::store_be32(aad + 4, std::uint32_t(seq));
  }
  Bytes esp(16 + body.size() + e.icv_len);
  aipsec::store_be32(esp.data(), e.spi);
  aipsec::store_be32(esp.data() + 4, std::uint32_t(seq));
  std::memcpy(esp.data() + 8, nonce + 4, 8);
  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  int n = 0;
  EVP_EncryptInit_ex(c, klen == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm(), nullptr, nullptr, nullptr);
  EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, nullptr);
  EVP_EncryptInit_ex(c, nullptr, nullptr, key, nonce);
  EVP_EncryptUpdate(c, nullptr, &n, aad, int(aad_len));
  EVP_EncryptUpdate(c, esp.data() + 16, &n, body.data(), int(body.size()));
  EVP_EncryptFinal_ex(c, esp.data() + 16 + body.size(), &n);
  std::uint8_t tag[16];
  EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
  EVP_CIPHER_CTX_free(c);
  std::memcpy(esp.data() + 16 + body.size(), tag, e.icv_len);
  Bytes ip = outer_hdr_v4;
  ip.insert(ip.end(), esp.begin(), esp.end());
  put16(ip, 2, unsigned(ip.size()));
  ipv4_checksum(ip.data());
  return ip;
}

inline Bytes outer_v4(const TestSa& sa) {
  Bytes h(20, 0);
  h[0] = 0x45;
  h[8] = 64;
  h[9] = 50;
  std::memcpy(&h[12], sa.cfg.src.b.data(), 4);
  std::memcpy(&h[16], sa.cfg.dst.b.data(), 4);
  return h;
}

struct SwResult {
  Reason reason = Reason::kNone;
  Bytes ip;           // the decapsulated datagram when reason is none
  bool soft = false;  // the SA went to dying (soft lifetime event)
  bool hard = false;  // the SA went to dead after this packet (hard lifetime event)
};

// The software receiver on the frame (Ethernet + IP), with the card's ECN setting.
inline SwResult sw_input(TestSa& sa, const Bytes& frame, bool ecn) {
  SwResult out;
  Packet p(ByteView(frame.data() + 14, frame.size() - 14));
  auto pr = aipsec::parse_ip(p.bytes());
  if (!pr.info) {
    out.reason = pr.error;
    return out;
  }
  aipsec::IpInfo info = *pr.info;
  if (info.ulproto == 17) {
    out.reason = aipsec::natt_decapsulate(p, info);
    if (out.reason != Reason::kNone) return out;
    pr = aipsec::parse_ip(p.bytes());
    info = *pr.info;
  }
  aipsec::Sysctl sc;
  sc.inet.ecn = sc.inet6.ecn = ecn ? 1 : 0;
  aipsec::InputStep step;
  const auto before = sa.rx->state();
  out.reason = aipsec::xform_input(*sa.rx, p, info, sc, step);
  const auto after = sa.rx->state();
  out.soft = before == aipsec::SaState::kMature && after == aipsec::SaState::kDying;
  out.hard = before != aipsec::SaState::kDead && after == aipsec::SaState::kDead &&
             (out.reason == Reason::kNone || out.reason == Reason::kDummyPacket);
  if (out.reason == Reason::kNone) out.ip.assign(p.bytes().begin(), p.bytes().end());
  return out;
}

inline unsigned card_code(Reason r) {
  for (unsigned c = 0; c < 64; ++c) {
    const auto h = aipsec::card::host_reason(std::uint8_t(c));
    if (h && *h == r && c != 0) return c;
  }
  return 0;
}

}  // namespace inb
