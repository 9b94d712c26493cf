// SA contexts as the card's table holds them, and ESP headers found in frames
// (card_offload_internal.hpp).
#include <cstring>

#include "aipsec/packet.hpp"
#include "aipsec/replay.hpp"
#include "aipsec/sa_runtime.hpp"
#include "card_offload_internal.hpp"

namespace aipsec::card::offload {
namespace {

// Low 32 bits of a byte string's big-endian number, word by word from the top:
// word (n-1-i) of a field holds bytes 4i..4i+3.
template <std::size_t N>
void put_byte_string(std::array<std::uint32_t, N>& field, const std::uint8_t* p, std::size_t len) {
  for (std::size_t i = 0; i * 4 < len && i < N; ++i) {
    std::uint8_t b[4] = {0, 0, 0, 0};
    std::memcpy(b, p + 4 * i, std::min<std::size_t>(4, len - 4 * i));
    field[N - 1 - i] = load_be32(b);
  }
}

std::uint64_t remaining(std::uint64_t limit, std::uint64_t used) {
  if (limit == 0) return 0;
  return used < limit ? limit - used : 1;  // already reached: the next packet reaches it again
}

}  // namespace

std::array<std::uint32_t, 4> address_words(const IpAddr& a) {
  std::array<std::uint32_t, 4> w{};
  if (a.family == 4) {
    w[0] = load_be32(a.b.data());
  } else if (a.family == 6) {
    put_byte_string(w, a.b.data(), 16);
  }
  return w;
}

const char* not_capable(const SaConfig& c, const Capabilities& caps, Mode mode) {
  if (c.proto != IpsecProto::kEsp) return "not ESP";
  if (c.auth != AuthAlg::kNone || c.comp != CompAlg::kNone) return "separate integrity or compression";
  const std::size_t klen = c.enc_key.size();
  switch (c.enc) {
    case EncAlg::kAesGcm8: if (!caps.icv_8) return "ICV length"; break;
    case EncAlg::kAesGcm12: if (!caps.icv_12) return "ICV length"; break;
    case EncAlg::kAesGcm16: if (!caps.icv_16) return "ICV length"; break;
    default: return "cipher";
  }
  if (!(klen == 20 && caps.aes_gcm_128) && !(klen == 36 && caps.aes_gcm_256)) return "key length";
  if (mode == Mode::kTunnel ? !caps.tunnel : mode == Mode::kTransport ? !caps.transport : true)
    return "mode";
  const int fam = c.dst.family;
  if ((fam == 4 && !caps.ipv4) || (fam == 6 && !caps.ipv6) || (fam != 4 && fam != 6)) return "address family";
  if (c.esn && !caps.esn) return "extended sequence numbers";
  if (!c.esn && c.cyclic_seq) return "cyclic sequence numbers";
  if (c.natt_dport != 0 && (!caps.natt || mode != Mode::kTunnel)) return "NAT-T";
  if (c.replay_window > caps.replay_window_max || c.replay_window > 0xffffu) return "replay window";
  if (c.pad == PadMode::kRandom) return "random padding";
  return nullptr;
}

std::optional<std::uint64_t> inbound_start(const Sa& sa) {
  const SaConfig& c = sa.config();
  const std::uint64_t top = sa.runtime().replay.top();
  if (top == 0 || c.replay_window == 0) return top;  // nothing accepted, or no check: nothing to hide
  const std::uint64_t last = c.esn ? ~std::uint64_t{0} : 0xffffffffu;
  if (top > last - c.replay_window) return std::nullopt;
  return top + c.replay_window;
}

std::uint64_t infer_seq(bool esn, std::uint32_t window, std::uint64_t top, std::uint32_t seq_lo) {
  return esn ? infer_esn_seq(top, window, seq_lo) : seq_lo;  // the card's esn_infer is the same rule
}

SaContext sa_context(const Sa& sa, Mode mode, bool inbound, const Selector* sel, std::uint16_t replay_base) {
  const SaConfig& c = sa.config();
  SaContext e{};
  e.valid = 1;
  e.direction = inbound ? SaContext::Direction::kInbound : SaContext::Direction::kOutbound;
  e.protocol = SaContext::Protocol::kEsp;
  e.mode = mode == Mode::kTunnel ? SaContext::Mode::kTunnel : SaContext::Mode::kTransport;
  e.outer_ipv6 = c.dst.family == 6;
  e.esn = c.esn;
  e.natt = c.natt_dport != 0;
  e.enc_alg = SaContext::EncAlg::kAesGcm;
  const std::size_t aes_len = c.enc_key.size() - 4;
  e.enc_key_256 = aes_len == 32;
  e.auth_alg = SaContext::AuthAlg::kAead;
  e.icv_len = static_cast<std::uint8_t>(alg_info(c.enc).icv_len);
  e.pad_mode = c.pad == PadMode::kZero ? SaContext::PadMode::kZero : SaContext::PadMode::kSequential;
  e.spi = c.spi;
  e.salt = load_be32(c.enc_key.data() + aes_len);
  put_byte_string(e.enc_key, c.enc_key.data(), aes_len);
  const SaRuntime& rt = sa.runtime();
  e.seq = inbound ? inbound_start(sa).value_or(rt.replay.top()) : rt.seq_out.load();
  if (inbound) {
    e.replay_window = static_cast<std::uint16_t>(c.replay_window);
    e.replay_base = replay_base;
  }
  const SaCurrent& cur = sa.current();
  e.soft_packets = static_cast<std::uint32_t>(remaining(c.soft.packets, cur.packets.load()));
  e.hard_packets = static_cast<std::uint32_t>(remaining(c.hard.packets, cur.packets.load()));
  e.soft_bytes = remaining(c.soft.bytes, cur.bytes.load());
  e.hard_bytes = remaining(c.hard.bytes, cur.bytes.load());
  e.natt_sport = c.natt_sport;
  e.natt_dport = c.natt_dport;
  e.tunnel_src = address_words(c.src);
  e.tunnel_dst = address_words(c.dst);
  e.sel_proto = 255;
  if (sel) {
    e.sel_check = 1;
    e.sel_proto = sel->ulproto;
    e.sel_ipv6 = sel->src.addr.family == 6 || sel->dst.addr.family == 6;
    e.sel_src = address_words(sel->src.addr);
    e.sel_dst = address_words(sel->dst.addr);
    e.sel_src_plen = sel->src.prefix_len;
    e.sel_dst_plen = sel->dst.prefix_len;
    e.sel_sport = sel->sport;
    e.sel_dport = sel->dport;
  }
  return e;
}

std::optional<EspHeader> find_esp(ByteView frame) {
  auto eth = parse_ethernet(frame);
  if (!eth) return std::nullopt;
  const ParseResult pr = parse_ip(frame.subspan(eth->l3_off), false);
  if (!pr.info) return std::nullopt;
  const IpInfo& ip = *pr.info;
  std::size_t off = eth->l3_off + ip.l4_off;
  if (ip.ulproto == ipproto::kUdp && ip.dport == 4500) off += 8;
  else if (ip.ulproto != ipproto::kEsp) return std::nullopt;
  if (off + 8 > frame.size()) return std::nullopt;
  EspHeader h;
  h.src = ip.src;
  h.dst = ip.dst;
  h.spi = load_be32(frame.data() + off);
  h.seq = load_be32(frame.data() + off + 4);
  if (h.spi == 0) return std::nullopt;  // NAT-T non-ESP marker
  h.l3_off = eth->l3_off;
  h.ip_len = ip.total_len;
  if (ip.version == 4) h.ipv4_id = load_be16(frame.data() + eth->l3_off + 4);
  return h;
}

}  // namespace aipsec::card::offload
