// Test SAs and flows: the card's table entries (driver layout, card_regs.hpp)
// and the software data plane's SA (aipsec_xform) built from one description,
// and the software's output for a packet as the expected card output.
#pragma once

#include <memory>

#include "aipsec/card_regs.hpp"
#include "aipsec/packet.hpp"
#include "aipsec/sa.hpp"
#include "aipsec/sa_runtime.hpp"
#include "aipsec/sysctl.hpp"
#include "aipsec/xform.hpp"
#include "ob_frames.hpp"

namespace obtest {

using aipsec::card::FlowEntry;
using aipsec::card::SaContext;

struct TestSa {
  unsigned index = 0;
  std::uint32_t spi = 0x1001;
  Bytes key;                      // 16 or 32 bytes
  std::array<std::uint8_t, 4> salt{};
  unsigned icv = 16;
  bool tunnel = true, outer_v6 = false, esn = false;
  std::uint16_t natt_sport = 0, natt_dport = 0;
  std::array<std::uint8_t, 16> src{}, dst{};  // IPv4 in the first 4 bytes
  std::uint64_t seq = 0;          // last sequence number sent
  std::uint32_t soft_packets = 0, hard_packets = 0;
  std::uint64_t soft_bytes = 0, hard_bytes = 0;
  std::uint16_t path_mtu = 0;
  bool zero_pad = false;
  // Card-only fields for the exception cases.
  bool valid = true;
  SaContext::EncAlg enc_alg = SaContext::EncAlg::kAesGcm;
  SaContext::Protocol protocol = SaContext::Protocol::kEsp;
};

// An address field: byte 0 is the most significant byte; IPv4 in the low 32 bits.
inline std::array<std::uint32_t, 4> addr_words(const std::array<std::uint8_t, 16>& a, bool v6) {
  std::array<std::uint32_t, 4> w{};
  if (!v6) {
    w[0] = aipsec::load_be32(a.data());
    return w;
  }
  for (int k = 0; k < 4; ++k) w[k] = aipsec::load_be32(a.data() + 12 - 4 * k);
  return w;
}

inline SaContext::Words card_sa(const TestSa& t) {
  SaContext c{};
  c.valid = t.valid;
  c.direction = SaContext::Direction::kOutbound;
  c.protocol = t.protocol;
  c.mode = t.tunnel ? SaContext::Mode::kTunnel : SaContext::Mode::kTransport;
  c.outer_ipv6 = t.outer_v6;
  c.esn = t.esn;
  c.natt = t.natt_dport != 0;
  c.enc_alg = t.enc_alg;
  c.enc_key_256 = t.key.size() == 32;
  c.auth_alg = SaContext::AuthAlg::kAead;
  c.icv_len = std::uint8_t(t.icv);
  c.pad_mode = t.zero_pad ? SaContext::PadMode::kZero : SaContext::PadMode::kSequential;
  c.spi = t.spi;
  c.salt = aipsec::load_be32(t.salt.data());
  c.seq = t.seq;
  c.soft_packets = t.soft_packets;
  c.hard_packets = t.hard_packets;
  c.soft_bytes = t.soft_bytes;
  c.hard_bytes = t.hard_bytes;
  c.path_mtu = t.path_mtu;
  c.natt_sport = t.natt_sport;
  c.natt_dport = t.natt_dport;
  c.tunnel_src = addr_words(t.src, t.outer_v6);
  c.tunnel_dst = addr_words(t.dst, t.outer_v6);
  std::array<std::uint8_t, 32> k{};
  std::copy(t.key.begin(), t.key.end(), k.begin());
  for (int w = 0; w < 8; ++w) c.enc_key[std::size_t(w)] = aipsec::load_be32(k.data() + 28 - 4 * w);
  return c.pack();
}

inline aipsec::EncAlg sw_enc(unsigned icv) {
  return icv == 8 ? aipsec::EncAlg::kAesGcm8 : icv == 12 ? aipsec::EncAlg::kAesGcm12 : aipsec::EncAlg::kAesGcm16;
}

// The software SA for t, at the same sequence number; IPv4 IDs from 0 as the card's.
inline std::unique_ptr<aipsec::Sa> software_sa(const TestSa& t) {
  aipsec::SaConfig c;
  c.proto = aipsec::IpsecProto::kEsp;
  c.spi = t.spi;
  c.src = aipsec::IpAddr::from_bytes(t.outer_v6 ? 6 : 4, t.src.data());
  c.dst = aipsec::IpAddr::from_bytes(t.outer_v6 ? 6 : 4, t.dst.data());
  c.mode = t.tunnel ? aipsec::Mode::kTunnel : aipsec::Mode::kTransport;
  c.enc = sw_enc(t.icv);
  Bytes k = t.key;
  k.insert(k.end(), t.salt.begin(), t.salt.end());
  c.enc_key = aipsec::SecureBytes(aipsec::ByteView(k.data(), k.size()));
  c.esn = t.esn;
  c.pad = t.zero_pad ? aipsec::PadMode::kZero : aipsec::PadMode::kSequential;
  c.natt_sport = t.natt_sport;
  c.natt_dport = t.natt_dport;
  c.soft.packets = t.soft_packets;
  c.hard.packets = t.hard_packets;
  c.soft.bytes = t.soft_bytes;
  c.hard.bytes = t.hard_bytes;
  auto sa = std::make_unique<aipsec::Sa>(std::move(c));
  sa->runtime().seq_out.store(t.seq);
  sa->runtime().ip_id.store(0);
  return sa;
}

// The software's protected datagram, or its reason.
struct SwResult {
  aipsec::Reason reason = aipsec::Reason::kNone;
  Bytes ip;
};

inline SwResult software_output(aipsec::Sa& sa, const Bytes& ip, const aipsec::Sysctl& sc) {
  aipsec::Packet p(aipsec::ByteView(ip.data(), ip.size()));
  SwResult r;
  r.reason = aipsec::xform_output(sa, aipsec::Mode::kAny, p, sc);
  if (r.reason == aipsec::Reason::kNone) r.ip.assign(p.data(), p.data() + p.size());
  return r;
}

struct TestFlow {
  unsigned index = 0;
  InnerSpec key;                  // addresses, protocol, ports, family
  FlowEntry::Action action = FlowEntry::Action::kProtect;
  unsigned bundle_len = 1;
  unsigned sa = 0;
};

inline FlowEntry::Words card_flow(const TestFlow& f) {
  FlowEntry e{};
  e.valid = 1;
  e.ipv6 = f.key.version == 6;
  e.action = f.action;
  e.bundle_len = std::uint8_t(f.bundle_len);
  e.protocol = f.key.proto;
  e.src_port = f.key.sport;
  e.dst_port = f.key.dport;
  e.src_addr = addr_words(f.key.src, f.key.version == 6);
  e.dst_addr = addr_words(f.key.dst, f.key.version == 6);
  e.sa_index0 = std::uint16_t(f.sa);
  e.sa_index1 = std::uint16_t(f.sa);
  return e.pack();
}

}  // namespace obtest
