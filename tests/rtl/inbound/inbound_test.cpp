// Verilator bench of aipsec_inbound (ESP decapsulation). Protected frames are
// made by the host's software data plane (and by hand with OpenSSL for
// trailers it never sends); the expected plain-side output is the original
// datagram, and the expected verdict of every frame the software receiver's
// (esp input with its replay window, lifetimes and ECN setting). Frames the
// card hands to the host follow the rules of hw/spec/reasons.yaml.
//
//   inbound_test [packets]        regression (CI: a few hundred)
//   inbound_test scapy FILE       frames made by Scapy (scapy_esp.py): the plain output must be
//                                 the datagram Scapy encrypted
//   inbound_test bench            cycle measurement (input / output beats per clock)
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>

#include "inbound_frames.hpp"

namespace {

using namespace inb;
using aipsec::Reason;
using aipsec::card::FlowEntry;

int g_fail = 0;
#define CHECK(cond, ...)                                                  \
  do {                                                                    \
    if (!(cond)) {                                                        \
      if (++g_fail < 30) {                                                \
        std::fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
        std::fprintf(stderr, __VA_ARGS__);                                \
        std::fprintf(stderr, "\n");                                       \
      }                                                                   \
    }                                                                     \
  } while (0)

constexpr std::uint32_t kEnable = 1, kMirrorReplay = 2, kMirrorIcv = 4;
constexpr std::uint32_t kSettingsEcn = 4;

std::uint64_t meta(unsigned port, bool exc, bool mirrored, bool event, unsigned reason, unsigned index,
                   unsigned len, unsigned l3) {
  return 1ull | std::uint64_t(port) << 1 | std::uint64_t(exc) << 4 | std::uint64_t(mirrored) << 5 |
         std::uint64_t(event) << 6 | std::uint64_t(reason) << 8 | std::uint64_t(index) << 16 |
         std::uint64_t(len) << 32 | std::uint64_t(l3) << 48;
}

// What the card must do, frame by frame, in order.
struct Expect {
  std::vector<Frame> axis, host;
  std::vector<unsigned> drops;
  std::vector<SaCount> counts;
  std::size_t pass = 0, dropped = 0, to_host = 0;
};

struct Bench {
  Dut dut;
  Expect exp;
  std::mt19937 rng;
  std::uint32_t control = kEnable, settings = 0;
  explicit Bench(std::uint32_t seed) : dut(seed), rng(seed) { placement() = Placement{}; }

  void set_control(std::uint32_t c) {
    drain();
    control = c;
    dut.set_control(c);
  }
  void set_settings(std::uint32_t s) {
    drain();
    settings = s;
    dut.set_settings(s);
  }
  // Until every frame sent so far has had its outcome (settings change only
  // between packets).
  void drain() {
    std::uint64_t n = 0;
    while ((dut.out_axis.size() < exp.axis.size() || dut.out_host.size() < exp.host.size() ||
            dut.drops.size() < exp.drops.size() || !dut.idle()) &&
           n < 5000000) {
      dut.step();
      ++n;
    }
    CHECK(n < 5000000, "the path stopped");
    dut.run(200);
  }

  // A frame of an SA the card serves: the software receiver's verdict decides.
  void esp_frame(TestSa& sa, const Bytes& frame, const Bytes* truth, bool from_host = false) {
    const SwResult sw = sw_input(sa, frame, settings & kSettingsEcn);
    dut.send(frame, from_host);
    const unsigned port = from_host ? 2 : 1;
    if (sw.reason == Reason::kNone) {
      const Bytes out = ethernet(sw.ip);
      if (truth) CHECK(sw.ip == *truth, "software output differs from the original datagram");
      exp.axis.push_back({out, meta(port, false, false, false, 0, sa.index, unsigned(out.size()), 14)});
      exp.counts.push_back({sa.index, unsigned(sw.ip.size())});
      ++exp.pass;
    } else {
      const unsigned code = card_code(sw.reason);
      if (std::getenv("INBOUND_DEBUG")) std::fprintf(stderr, "expect drop %u (frame %zu)\n", code, frame.size());
      CHECK(code != 0, "software reason %s has no card code", std::string(aipsec::reason_name(sw.reason)).c_str());
      exp.drops.push_back(code);
      ++exp.dropped;
      const bool mirror = ((sw.reason == Reason::kReplay || sw.reason == Reason::kReplayOld) &&
                           (control & kMirrorReplay)) ||
                          (sw.reason == Reason::kIcvFail && (control & kMirrorIcv));
      if (mirror)
        exp.host.push_back({frame, meta(port, false, true, false, code, sa.index, unsigned(frame.size()), 14)});
    }
    if (sw.hard) exp.host.push_back({{}, meta(port, false, false, true, 11, sa.index, 0, 0)});
    else if (sw.soft) exp.host.push_back({{}, meta(port, false, false, true, 27, sa.index, 0, 0)});
  }

  // A frame the card gives to the host unchanged (exception) with reason.
  void host_frame(const Bytes& frame, unsigned reason, unsigned index = 0) {
    dut.send(frame, false);
    exp.host.push_back({frame, meta(1, true, false, false, reason, index, unsigned(frame.size()), 14)});
    if (reason) exp.drops.push_back(reason);
    ++exp.to_host;
  }
  void drop_frame(const Bytes& frame, unsigned reason) {
    dut.send(frame, false);
    exp.drops.push_back(reason);
    ++exp.dropped;
  }
  void pass_frame(const Bytes& frame) {
    dut.send(frame, false);
    exp.axis.push_back({frame, meta(1, false, false, false, 0, 0, unsigned(frame.size()), 14)});
  }

  void compare() {
    dut.run();
    CHECK(!dut.stalled, "the path stopped");
    if (std::getenv("INBOUND_DEBUG")) {
      for (auto& f : dut.out_host) std::fprintf(stderr, "host %016llx %zu et %02x%02x p4 %u p6 %u\n", (unsigned long long)f.tuser, f.bytes.size(), f.bytes.size() > 40 ? f.bytes[12] : 0, f.bytes.size() > 40 ? f.bytes[13] : 0, f.bytes.size() > 40 ? f.bytes[23] : 0, f.bytes.size() > 40 ? f.bytes[20] : 0);
      for (unsigned d : dut.drops) std::fprintf(stderr, "drop %u\n", d);
      for (auto& f : exp.host) std::fprintf(stderr, "exp host %016llx %zu\n", (unsigned long long)f.tuser, f.bytes.size());
    }
    CHECK(dut.out_axis.size() == exp.axis.size(), "plain side: %zu frames, expected %zu", dut.out_axis.size(),
          exp.axis.size());
    for (std::size_t i = 0; i < std::min(dut.out_axis.size(), exp.axis.size()); ++i) {
      CHECK(dut.out_axis[i].bytes == exp.axis[i].bytes, "plain frame %zu: %zu bytes, expected %zu (meta %016llx)", i,
            dut.out_axis[i].bytes.size(), exp.axis[i].bytes.size(), (unsigned long long)exp.axis[i].tuser);
      if (dut.out_axis[i].bytes.size() == exp.axis[i].bytes.size()) {
        for (std::size_t j = 0; j < exp.axis[i].bytes.size(); ++j) {
          if (dut.out_axis[i].bytes[j] != exp.axis[i].bytes[j]) {
            CHECK(false, "plain frame %zu: first difference at byte %zu", i, j);
            break;
          }
        }
      }
      CHECK(dut.out_axis[i].tuser == exp.axis[i].tuser, "plain frame %zu meta %016llx, expected %016llx", i,
            (unsigned long long)dut.out_axis[i].tuser, (unsigned long long)exp.axis[i].tuser);
    }
    CHECK(dut.out_host.size() == exp.host.size(), "host side: %zu frames, expected %zu", dut.out_host.size(),
          exp.host.size());
    for (std::size_t i = 0; i < std::min(dut.out_host.size(), exp.host.size()); ++i) {
      CHECK(dut.out_host[i].bytes == exp.host[i].bytes, "host frame %zu: %zu bytes, expected %zu", i,
            dut.out_host[i].bytes.size(), exp.host[i].bytes.size());
      if (dut.out_host[i].bytes != exp.host[i].bytes) {
        std::size_t j = 0;
        while (j < dut.out_host[i].bytes.size() && j < exp.host[i].bytes.size() &&
               dut.out_host[i].bytes[j] == exp.host[i].bytes[j])
          ++j;
        CHECK(false, "host frame %zu: first difference at byte %zu", i, j);
        const auto& o = dut.out_host[i].bytes;
        const auto& x = exp.host[i].bytes;
        if (o.size() < x.size()) {
          const std::size_t gap = x.size() - o.size();
          CHECK(false, "host frame %zu: rest matches after a gap of %zu: %d", i, gap,
                int(std::equal(o.begin() + long(j), o.end(), x.begin() + long(j + gap))));
        }
      }
      CHECK(dut.out_host[i].tuser == exp.host[i].tuser, "host frame %zu meta %016llx, expected %016llx", i,
            (unsigned long long)dut.out_host[i].tuser, (unsigned long long)exp.host[i].tuser);
    }
    CHECK(dut.drops == exp.drops, "drop events: %zu, expected %zu", dut.drops.size(), exp.drops.size());
    for (std::size_t i = 0; i < std::min(dut.drops.size(), exp.drops.size()); ++i)
      CHECK(dut.drops[i] == exp.drops[i], "drop %zu reason %u, expected %u", i, dut.drops[i], exp.drops[i]);
    CHECK(dut.sa_counts.size() == exp.counts.size(), "SA counter events %zu, expected %zu",
          dut.sa_counts.size(), exp.counts.size());
    for (std::size_t i = 0; i < std::min(dut.sa_counts.size(), exp.counts.size()); ++i)
      CHECK(dut.sa_counts[i].index == exp.counts[i].index && dut.sa_counts[i].bytes == exp.counts[i].bytes,
            "SA count %zu: %u/%u, expected %u/%u", i, dut.sa_counts[i].index, dut.sa_counts[i].bytes,
            exp.counts[i].index, exp.counts[i].bytes);
    CHECK(!dut.tuser_changed, "tuser not held over a frame");
    CHECK(!dut.input_mismatch, "the bench drove a frame wrongly");
  }

  unsigned frame_len() {
    // Mostly small and medium, some jumbo, 64..9000 bytes of frame.
    const unsigned r = rng() % 10;
    if (r < 5) return 64 + rng() % 200;
    if (r < 9) return 64 + rng() % 1500;
    return 64 + rng() % (9000 - 64 - 120);
  }

  Bytes plain(const TestSa& sa, unsigned flen, std::uint8_t tos = 0) {
    const unsigned over = 14 + (sa.mode == Mode::kTunnel ? (sa.cfg.src.family == 4 ? 20 : 40) : 0) + 16 +
                          sa.ctx.icv_len + 4 + (sa.cfg.natt_dport ? 8 : 0);
    const unsigned min_len = sa.inner == 4 ? 28 : 48;
    const unsigned len = flen > over + min_len ? flen - over : min_len;
    const bool udp = rng() & 1;
    Bytes ip = datagram(sa.inner, len, udp ? 17 : 6, 1 + rng() % 4, 1 + rng() % 4, std::uint16_t(1000 + rng() % 8),
                        std::uint16_t(2000 + rng() % 8), tos, rng);
    if (sa.mode == Mode::kTransport) {  // the SA's peers are the datagram's own addresses
      const std::size_t a = sa.inner == 4 ? 12 : 8, n = sa.inner == 4 ? 4 : 16;
      std::memcpy(&ip[a], sa.cfg.src.b.data(), n);
      std::memcpy(&ip[a + n], sa.cfg.dst.b.data(), n);
      if (sa.inner == 4) ipv4_checksum(ip.data());
    }
    return ip;
  }
};

SaSpec spec_of(unsigned i, std::mt19937& rng) {
  static const struct { Mode m; int o, in; } kShapes[] = {
      {Mode::kTunnel, 4, 4}, {Mode::kTunnel, 6, 6}, {Mode::kTunnel, 6, 4},
      {Mode::kTunnel, 4, 6}, {Mode::kTransport, 4, 4}, {Mode::kTransport, 6, 6}};
  SaSpec s;
  s.key_bytes = (i & 1) ? 32 : 16;
  s.icv = (i / 2) % 3 == 0 ? 8 : (i / 2) % 3 == 1 ? 12 : 16;
  const auto& sh = kShapes[(i / 6) % 6];
  s.mode = sh.m;
  s.outer = sh.o;
  s.inner = sh.in;
  s.esn = rng() % 3 == 0;
  s.natt = sh.m == Mode::kTunnel && rng() % 4 == 0;
  s.pad = rng() % 3 == 0 ? aipsec::PadMode::kZero : aipsec::PadMode::kSequential;
  s.window = rng() % 4 == 0 ? 0 : (rng() % 2 ? 64 : 1024);
  return s;
}

// Every algorithm / mode / family combination, packets interleaved, with
// duplicates, old packets, tampering and host re-injection mixed in.
void matrix(Bench& b, unsigned packets) {
  std::vector<std::unique_ptr<TestSa>> sas;
  for (unsigned i = 0; i < 36; ++i) {
    sas.push_back(make_sa(spec_of(i, b.rng), i, 0x1000 + i, b.rng));
    b.dut.write_sa(sas.back()->index, sas.back()->ctx);
  }
  std::vector<std::pair<TestSa*, Bytes>> sent;
  for (unsigned n = 0; n < packets; ++n) {
    TestSa& sa = *sas[n < 36 ? n : b.rng() % sas.size()];
    const unsigned what = b.rng() % 20;
    if (what == 0 && !sent.empty()) {          // a replayed frame, later
      auto& [s, f] = sent[b.rng() % sent.size()];
      b.esp_frame(*s, f, nullptr);
      continue;
    }
    const Bytes ip = b.plain(sa, b.frame_len());
    const Bytes frame = ethernet(protect(sa, ip));
    if (what == 1) {                           // a byte flipped in IV, ciphertext or ICV
      Bytes t = frame;
      const std::size_t esp = 14 + (sa.cfg.src.family == 4 ? 20 : 40) + (sa.cfg.natt_dport ? 8 : 0);
      t[esp + 8 + b.rng() % (t.size() - esp - 8)] ^= std::uint8_t(1 + b.rng() % 255);
      b.esp_frame(sa, t, nullptr);
      continue;
    }
    b.esp_frame(sa, frame, &ip, what == 2);
    if (what == 3) b.esp_frame(sa, frame, nullptr);   // an exact duplicate, back to back
    sent.emplace_back(&sa, frame);
  }
}

// Sequence numbers around the window and, with ESN, across 2^32.
void replay_and_esn(Bench& b) {
  SaSpec s;
  s.window = 64;
  auto sa = make_sa(s, 40, 0x2000, b.rng);
  b.dut.write_sa(sa->index, sa->ctx);
  const std::uint64_t seqs[] = {1, 2, 3, 3, 100, 40, 36, 37, 36, 20, 101, 99, 30, 164, 100, 101, 165};
  for (std::uint64_t q : seqs) {
    const Bytes ip = b.plain(*sa, 100);
    b.esp_frame(*sa, ethernet(protect(*sa, ip, q)), &ip);
  }
  s.esn = true;
  s.window = 128;
  auto e = make_sa(s, 41, 0x2001, b.rng);
  const std::uint64_t start = (1ull << 32) - 6;
  e->rx->runtime().replay.update(start);
  e->ctx.seq = start;
  b.dut.write_sa(e->index, e->ctx);
  for (std::uint64_t q = start - 3; q < start + 12; ++q) {
    const Bytes ip = b.plain(*e, 120);
    b.esp_frame(*e, ethernet(protect(*e, ip, q)), &ip);
  }
  const std::uint64_t more[] = {start + 2, (1ull << 32) + 3, (1ull << 32) - 200, (1ull << 32) + 400, (1ull << 32) + 300};
  for (std::uint64_t q : more) {
    const Bytes ip = b.plain(*e, 120);
    b.esp_frame(*e, ethernet(protect(*e, ip, q)), &ip);
  }
}

// RFC 6040 decapsulation: outer ECN forced on the wire (the outer header is
// not covered by the ICV), every outer / inner combination.
void ecn(Bench& b) {
  for (int fam : {4, 6}) {
    SaSpec s;
    s.outer = fam;
    s.inner = fam == 4 ? 6 : 4;
    auto sa = make_sa(s, 42 + (fam == 6), 0x3000 + fam, b.rng);
    b.dut.write_sa(sa->index, sa->ctx);
    for (bool on : {false, true}) {
      b.set_settings(on ? kSettingsEcn : 0);
      for (unsigned o = 0; o < 4; ++o) {
        for (unsigned in = 0; in < 4; ++in) {
          const Bytes ip = b.plain(*sa, 200, std::uint8_t(0xa0 | in));
          Bytes wire = protect(*sa, ip);
          if (fam == 4) {
            wire[1] = std::uint8_t((wire[1] & 0xfc) | o);
            ipv4_checksum(wire.data());
          } else {
            wire[1] = std::uint8_t((wire[1] & 0xcf) | o << 4);
          }
          b.esp_frame(*sa, ethernet(wire), (on && (o == 3 || (o == 1 && in == 2))) ? nullptr : &ip);
        }
      }
    }
  }
  b.set_settings(0);
}

// Trailers the software sender never makes: bad padding, dummy packets,
// a tunnel SA carrying a non-IP next header, zero padding.
void trailers(Bench& b) {
  for (auto pad_mode : {aipsec::PadMode::kSequential, aipsec::PadMode::kZero}) {
    for (Mode m : {Mode::kTunnel, Mode::kTransport}) {
      SaSpec s;
      s.mode = m;
      s.pad = pad_mode;
      auto sa = make_sa(s, 44 + (m == Mode::kTransport) + 2 * (pad_mode == aipsec::PadMode::kZero),
                        0x4000 + unsigned(m) * 16 + unsigned(pad_mode), b.rng);
      b.dut.write_sa(sa->index, sa->ctx);
      std::uint64_t seq = 1;
      for (unsigned pad : {0u, 1u, 2u, 5u, 13u, 30u, 31u, 77u, 254u, 255u}) {
        for (unsigned variant = 0; variant < 4; ++variant) {
          const Bytes ip = b.plain(*sa, 100 + b.rng() % 300);
          Bytes body = m == Mode::kTunnel ? ip : Bytes(ip.begin() + 20, ip.end());
          const unsigned align = (4 - (body.size() + pad + 2) % 4) % 4;
          for (unsigned i = 0; i < align; ++i) body.push_back(0);  // TFC-like filler before the padding
          if (m == Mode::kTransport) body.erase(body.end() - align, body.end());
          unsigned p = m == Mode::kTransport ? pad + align : pad;
          if (p > 255) p -= 4;
          for (unsigned i = 0; i < p; ++i)
            body.push_back(pad_mode == aipsec::PadMode::kZero ? 0 : std::uint8_t(i + 1));
          if (variant == 1 && p) body[body.size() - 1 - b.rng() % p] ^= 0x10;  // bad padding byte
          body.push_back(std::uint8_t(p));
          std::uint8_t nh = m == Mode::kTunnel ? 4 : 17;
          if (variant == 2) nh = 59;                                       // dummy packet
          if (variant == 3 && m == Mode::kTunnel) nh = 17;                 // not IP in a tunnel
          body.push_back(nh);
          Bytes outer = outer_v4(*sa);
          if (m == Mode::kTransport) {
            outer.assign(ip.begin(), ip.begin() + 20);
            outer[9] = 50;
            std::memcpy(&outer[12], sa->cfg.src.b.data(), 4);
            std::memcpy(&outer[16], sa->cfg.dst.b.data(), 4);
          }
          b.esp_frame(*sa, ethernet(craft(*sa, seq++, body, outer)), nullptr);
        }
      }
    }
  }
}

// Frames the card leaves to the host or passes, each with its reason.
void exceptions(Bench& b) {
  SaSpec s;
  auto known = make_sa(s, 50, 0x5000, b.rng);
  b.dut.write_sa(known->index, known->ctx);
  auto unknown = make_sa(s, 51, 0x5001, b.rng);          // never written to the card
  const Bytes ip = b.plain(*known, 300);
  b.host_frame(ethernet(protect(*unknown, ip)), 4);

  auto larval = make_sa(s, 52, 0x5002, b.rng);
  larval->ctx.valid = 0;
  b.dut.write_sa(larval->index, larval->ctx);
  b.host_frame(ethernet(protect(*larval, ip)), 4);       // not valid: no key in the lookup

  auto cbc = make_sa(s, 53, 0x5003, b.rng);
  cbc->ctx.enc_alg = aipsec::card::SaContext::EncAlg::kAesCbc;
  b.dut.write_sa(cbc->index, cbc->ctx);
  b.host_frame(ethernet(protect(*cbc, ip)), 6, cbc->index);

  SaSpec tn;
  tn.mode = Mode::kTransport;
  tn.natt = true;
  auto trn = make_sa(tn, 54, 0x5004, b.rng);
  b.dut.write_sa(trn->index, trn->ctx);
  b.host_frame(ethernet(protect(*trn, b.plain(*trn, 300))), 6, trn->index);      // NAT-T transport: host

  Bytes frag = ethernet(protect(*known, ip));
  frag[14 + 6] |= 0x20;                                  // MF
  ipv4_checksum(&frag[14]);
  b.host_frame(frag, 7);

  Bytes arp(60, 0);
  arp[12] = 0x08;
  arp[13] = 0x06;
  b.host_frame(arp, 20);

  Bytes ka = ethernet(datagram(4, 29, 17, 1, 2, 4500, 4500, 0, b.rng));
  ka[14 + 26] = 0;                                        // UDP checksum 0, length 9 stays
  ka[14 + 27] = 0;
  ka[14 + 28] = 0xff;
  b.drop_frame(ka, 24);

  Bytes ike = ethernet(datagram(4, 100, 17, 1, 2, 4500, 4500, 0, b.rng));
  for (int i = 0; i < 4; ++i) ike[14 + 28 + i] = 0;
  b.host_frame(ike, 25);

  Bytes ah = ethernet(datagram(4, 100, 51, 1, 2, 0, 0, 0, b.rng));
  b.host_frame(ah, 6);

  // without ESP and with no inbound flow entry: the host decides (flow_miss)
  b.host_frame(ethernet(datagram(4, 300, 17, 1, 2, 53, 53, 0, b.rng)), 1);
  b.host_frame(ethernet(datagram(6, 700, 6, 1, 2, 80, 443, 0, b.rng)), 1);

  // bad_length and truncated, as the software receiver says
  Bytes cut = protect(*known, ip);
  cut.resize(cut.size() - 2);
  put16(cut, 2, unsigned(cut.size()));
  ipv4_checksum(cut.data());
  b.esp_frame(*known, ethernet(cut), nullptr);
  Bytes tiny = protect(*known, b.plain(*known, 64));
  tiny.resize(20 + 8 + 8 + 10);
  put16(tiny, 2, unsigned(tiny.size()));
  ipv4_checksum(tiny.data());
  b.esp_frame(*known, ethernet(tiny), nullptr);

  // control.enable = 0: everything to the host, reason 0.
  b.set_control(0);
  const Bytes f = ethernet(protect(*known, ip));
  b.host_frame(f, 0);
  known->tx->runtime().seq_out.store(known->tx->runtime().seq_out.load() - 1);  // resend that number later
  b.set_control(kEnable);
}

// Packets without ESP from the protected port against the inbound flow
// table. The bench keeps its own model of what it wrote (key -> index,
// action), placing entries in a free way of the key's bucket as the host
// does; the expected outcome of every frame is that model's answer for the
// key the bench built the frame with.
struct ClearFlow {
  int v = 4;
  std::uint8_t proto = 17;
  unsigned src = 0, dst = 0;
  std::uint16_t sport = 0, dport = 0;
};

class FlowModel {
 public:
  struct Slot {
    bool valid = false;
    std::array<std::uint32_t, 4> src{}, dst{};
    bool v6 = false;
    std::uint8_t proto = 0;
    std::uint16_t sport = 0, dport = 0;
    FlowEntry::Action action = FlowEntry::Action::kBypass;
  };

  static FlowEntry entry_of(const ClearFlow& f, FlowEntry::Action a) {
    FlowEntry e{};
    e.valid = 1;
    e.inbound = 1;
    e.ipv6 = f.v == 6;
    e.action = a;
    e.protocol = f.proto;
    const bool ports = f.proto == 6 || f.proto == 17 || f.proto == 132;
    e.src_port = ports ? f.sport : 0;
    e.dst_port = ports ? f.dport : 0;
    e.src_addr = addr_words(inner_addr(f.v, f.src));
    e.dst_addr = addr_words(inner_addr(f.v, f.dst));
    return e;
  }
  // Writes the entry into a free way of its bucket (or over the flow's own
  // entry); false when the bucket is full.
  bool install(Dut& dut, const ClearFlow& f, FlowEntry::Action a) {
    const FlowEntry e = entry_of(f, a);
    const unsigned b = aipsec::card::flow_bucket(e, INBOUND_FLOW_COUNT);
    std::optional<unsigned> at;
    if (auto i = find(e)) at = i;
    for (unsigned w = 0; w < aipsec::card::kWays && !at; ++w)
      if (!slots_[b * aipsec::card::kWays + w].valid) at = b * aipsec::card::kWays + w;
    if (!at) return false;
    dut.write_flow(*at, e);
    slots_[*at] = Slot{true, e.src_addr, e.dst_addr, bool(e.ipv6), e.protocol, e.src_port, e.dst_port, a};
    return true;
  }
  void remove(Dut& dut, const ClearFlow& f) {
    const FlowEntry e = entry_of(f, FlowEntry::Action::kBypass);
    if (auto i = find(e)) {
      FlowEntry off = e;
      off.valid = 0;
      dut.write_flow(*i, off);
      slots_[*i].valid = false;
    }
  }
  // The index of the flow's valid entry, if any (the lowest way first, as the card).
  std::optional<unsigned> find(const FlowEntry& e) const {
    const unsigned b = aipsec::card::flow_bucket(e, INBOUND_FLOW_COUNT);
    for (unsigned w = 0; w < aipsec::card::kWays; ++w) {
      const Slot& s = slots_[b * aipsec::card::kWays + w];
      if (s.valid && s.v6 == bool(e.ipv6) && s.proto == e.protocol && s.sport == e.src_port &&
          s.dport == e.dst_port && s.src == e.src_addr && s.dst == e.dst_addr)
        return b * aipsec::card::kWays + w;
    }
    return std::nullopt;
  }
  const Slot& slot(unsigned i) const { return slots_[i]; }

 private:
  std::vector<Slot> slots_ = std::vector<Slot>(INBOUND_FLOW_COUNT);
};

// One cleartext frame of flow f from the protected port, with the outcome
// the model gives.
void clear_frame(Bench& b, const FlowModel& m, const ClearFlow& f, unsigned len) {
  const Bytes frame = ethernet(datagram(f.v, len, f.proto, f.src, f.dst, f.sport, f.dport, 0, b.rng));
  const auto i = m.find(FlowModel::entry_of(f, FlowEntry::Action::kBypass));
  const std::uint64_t kind_flow = 1ull << 3;
  const unsigned flen = unsigned(frame.size());
  b.dut.send(frame, false);
  if (!i) {
    b.exp.host.push_back({frame, meta(1, true, false, false, 1, 0, flen, 14)});
    b.exp.drops.push_back(1);  // flow_miss
    return;
  }
  switch (m.slot(*i).action) {
    case FlowEntry::Action::kBypass:
      b.exp.axis.push_back({frame, meta(1, false, false, false, 0, *i, flen, 14) | kind_flow});
      break;
    case FlowEntry::Action::kDiscard:
      b.exp.drops.push_back(3);  // policy_discard
      break;
    case FlowEntry::Action::kToHost:
      b.exp.host.push_back({frame, meta(1, true, false, false, 2, *i, flen, 14) | kind_flow});
      b.exp.drops.push_back(2);  // flow_to_host
      break;
    case FlowEntry::Action::kProtect:
      b.exp.host.push_back({frame, meta(1, true, false, false, 28, *i, flen, 14) | kind_flow});
      b.exp.drops.push_back(28);  // inbound_clear
      break;
  }
}

void cleartext(Bench& b) {
  static constexpr std::uint8_t kProtos[] = {17, 6, 1, 132, 17, 6};
  std::vector<ClearFlow> flows;
  for (unsigned n = 0; n < 96; ++n) {
    ClearFlow f;
    f.v = b.rng() % 3 == 0 ? 6 : 4;
    f.proto = kProtos[b.rng() % 6];
    f.src = 700 + b.rng() % 40;
    f.dst = 800 + b.rng() % 4;
    f.sport = std::uint16_t(1024 + b.rng() % 16);
    f.dport = std::uint16_t(b.rng() % 2 ? 53 : 443);
    flows.push_back(f);
  }
  FlowModel m;
  static constexpr FlowEntry::Action kActions[] = {FlowEntry::Action::kBypass, FlowEntry::Action::kDiscard,
                                                   FlowEntry::Action::kToHost, FlowEntry::Action::kProtect};
  unsigned installed = 0, full = 0;
  // Three flows in four get an entry (64 entries for 72 flows: some buckets fill up).
  for (unsigned n = 0; n < flows.size(); ++n) {
    if (n % 4 == 3) continue;
    (m.install(b.dut, flows[n], kActions[b.rng() % 4]) ? installed : full)++;
  }
  CHECK(installed > 30, "cleartext: only %u flow entries placed", installed);
  for (unsigned n = 0; n < 300; ++n) {
    const ClearFlow& f = flows[b.rng() % flows.size()];
    clear_frame(b, m, f, (f.v == 6 ? 60 : 40) + b.rng() % (n % 7 == 0 ? 1400 : 200));
  }
  // Entries rewritten with another action and cleared: later frames follow.
  b.drain();
  for (unsigned n = 0; n < 16; ++n) {
    const ClearFlow& f = flows[b.rng() % flows.size()];
    if (n % 4 == 0) m.remove(b.dut, f);
    else m.install(b.dut, f, kActions[n % 4]);
  }
  for (unsigned n = 0; n < 120; ++n) {
    const ClearFlow& f = flows[b.rng() % flows.size()];
    clear_frame(b, m, f, (f.v == 6 ? 60 : 40) + b.rng() % 300);
  }
  // Frames from the host port: not looked up, they pass as sent.
  for (int v : {4, 6}) {
    const Bytes f = ethernet(datagram(v, 120, 17, 700, 800, 1024, 53, 0, b.rng));
    b.dut.send(f, true);
    b.exp.axis.push_back({f, meta(2, false, false, false, 0, 0, unsigned(f.size()), 14)});
  }
  std::printf("cleartext: %u flow entries placed, %u flows with a full bucket\n", installed, full);
}

// Mirror bits: replayed and tampered frames copied to the host.
void mirrors(Bench& b) {
  SaSpec s;
  auto sa = make_sa(s, 55, 0x5500, b.rng);
  b.dut.write_sa(sa->index, sa->ctx);
  for (std::uint32_t c : {kEnable | kMirrorReplay, kEnable | kMirrorIcv, kEnable | kMirrorReplay | kMirrorIcv}) {
    b.set_control(c);
    for (int i = 0; i < 6; ++i) {
      const Bytes ip = b.plain(*sa, b.frame_len());
      const Bytes f = ethernet(protect(*sa, ip));
      b.esp_frame(*sa, f, &ip);
      b.esp_frame(*sa, f, nullptr);                     // replay
      Bytes t = ethernet(protect(*sa, ip));
      t[t.size() - 1 - b.rng() % 20] ^= 1;
      b.esp_frame(*sa, t, nullptr);                     // icv_fail
    }
  }
  b.set_control(kEnable);
}

// Soft and hard packet lifetimes: one event each, later packets dropped.
void lifetimes(Bench& b) {
  SaSpec s;
  s.soft_packets = 3;
  s.hard_packets = 6;
  auto sa = make_sa(s, 56, 0x5600, b.rng);
  b.dut.write_sa(sa->index, sa->ctx);
  for (int i = 0; i < 9; ++i) {
    const Bytes ip = b.plain(*sa, 150);
    b.esp_frame(*sa, ethernet(protect(*sa, ip)), &ip);
  }
}

// Selectors: inner addresses, protocol, ports.
void selectors(Bench& b) {
  SaSpec s;
  auto sa = make_sa(s, 57, 0x5700, b.rng);
  auto& e = sa->ctx;
  e.sel_check = 1;
  e.sel_ipv6 = 0;
  e.sel_src = addr_words(inner_addr(4, 0));
  e.sel_src_plen = 23;                                   // hosts 0..511
  e.sel_dst = addr_words(inner_addr(4, 2));
  e.sel_dst_plen = 32;
  e.sel_proto = 17;
  e.sel_dport = 2003;
  b.dut.write_sa(sa->index, e);
  for (int i = 0; i < 40; ++i) {
    const unsigned src = b.rng() % 2 ? 1 : 600, dst = b.rng() % 3 ? 2 : 3;
    const std::uint8_t proto = b.rng() % 3 ? 17 : 6;
    const std::uint16_t dport = b.rng() % 3 ? 2003 : 2004;
    const Bytes ip = datagram(4, 100 + b.rng() % 100, proto, src, dst, 1000, dport, 0, b.rng);
    const Bytes f = ethernet(protect(*sa, ip));
    const bool match = src < 512 && dst == 2 && proto == 17 && dport == 2003;
    // The software SA has no selectors: its verdict is the truth for the rest.
    SwResult sw = sw_input(*sa, f, false);
    b.dut.send(f, false);
    if (sw.reason == Reason::kNone && match) {
      const Bytes out = ethernet(sw.ip);
      CHECK(sw.ip == ip, "software output differs");
      b.exp.axis.push_back({out, meta(1, false, false, false, 0, sa->index, unsigned(out.size()), 14)});
      b.exp.counts.push_back({sa->index, unsigned(ip.size())});
    } else {
      b.exp.drops.push_back(sw.reason == Reason::kNone ? 22 : card_code(sw.reason));
    }
  }
}

void run_regression(unsigned packets, std::uint32_t seed) {
  Bench b(seed);
  b.dut.set_stress(std::getenv("INBOUND_NOSTRESS") ? 0 : 20, std::getenv("INBOUND_NOSTRESS") ? 0 : 25);
  const char* only = std::getenv("INBOUND_ONLY");  // one group, for debugging
  auto want = [&](const char* g) { return !only || std::string(only).find(g) != std::string::npos; };
  if (want("matrix")) matrix(b, packets);
  b.drain();
  if (want("replay")) replay_and_esn(b);
  if (want("ecn")) ecn(b);
  if (want("trailers")) trailers(b);
  if (want("exceptions")) exceptions(b);
  if (want("cleartext")) cleartext(b);
  if (want("mirrors")) mirrors(b);
  if (want("lifetimes")) lifetimes(b);
  if (want("selectors")) selectors(b);
  b.compare();
  std::printf("inbound DATA_W=%u: %zu frames to the plain side, %zu to the host, %zu drop events, %llu cycles\n",
              unsigned(INBOUND_DATA_W), b.dut.out_axis.size(), b.dut.out_host.size(), b.dut.drops.size(),
              (unsigned long long)b.dut.cycles);
}

Bytes from_hex(const std::string& h) {
  Bytes b(h.size() / 2);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = std::uint8_t(std::stoul(h.substr(2 * i, 2), nullptr, 16));
  return b;
}

// Scapy's SAs and frames (tests/rtl/inbound/scapy_esp.py).
void run_scapy(const char* path) {
  Bench b(3);
  b.dut.set_stress(15, 20);
  std::ifstream in(path);
  CHECK(bool(in), "cannot read %s", path);
  std::map<unsigned, unsigned> index;  // Scapy SA number -> table index
  std::string line;
  std::size_t frames = 0;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::string kind;
    l >> kind;
    if (kind == "sa") {
      unsigned n, spi, tunnel, outer, esn;
      std::string key, salt, dst;
      l >> n >> spi >> key >> salt >> tunnel >> outer >> esn >> dst;
      using SC = aipsec::card::SaContext;
      SC e{};
      e.valid = 1;
      e.direction = SC::Direction::kInbound;
      e.mode = tunnel ? SC::Mode::kTunnel : SC::Mode::kTransport;
      e.outer_ipv6 = outer == 6;
      e.esn = std::uint8_t(esn);
      e.enc_alg = SC::EncAlg::kAesGcm;
      const Bytes k = from_hex(key), d = from_hex(dst);
      e.enc_key_256 = k.size() == 32;
      e.icv_len = 16;
      e.spi = spi;
      e.salt = aipsec::load_be32(from_hex(salt).data());
      for (std::size_t i = 0; i < k.size() / 4; ++i) e.enc_key[7 - i] = aipsec::load_be32(k.data() + 4 * i);
      e.replay_window = 64;
      e.replay_base = std::uint16_t(placement().next_area++ * 128);
      e.sel_proto = 255;
      e.tunnel_dst = addr_words(IpAddr::from_bytes(outer == 6 ? 6 : 4, d.data()));
      index[n] = placement().place(e);
      b.dut.write_sa(index[n], e);
    } else if (kind == "frame") {
      unsigned n;
      std::string f, x;
      l >> n >> f >> x;
      const Bytes frame = from_hex(f), expect = from_hex(x);
      b.dut.send(frame, false);
      b.exp.axis.push_back({expect, meta(1, false, false, false, 0, index[n], unsigned(expect.size()), 14)});
      b.exp.counts.push_back({index[n], unsigned(expect.size() - 14)});
      ++frames;
    }
  }
  CHECK(frames > 0, "no frames in %s", path);
  b.compare();
  std::printf("inbound DATA_W=%u: %zu Scapy frames, %zu opened\n", unsigned(INBOUND_DATA_W), frames,
              b.dut.out_axis.size());
}

// Back-to-back stream of one size through one SA, no stalls: input beats per
// clock while the stream goes in, output beats per clock while it comes out,
// and the latency of a frame alone (first input beat to first output beat).
void run_bench() {
  std::printf("| frame bytes | packets | input beats/clk | output beats/clk | latency (clk) |\n"
              "|---:|---:|---:|---:|---:|\n");
  for (unsigned flen : {64u, 128u, 256u, 512u, 1024u, 1500u, 9000u}) {
    Bench b(7);
    SaSpec s;
    auto sa = make_sa(s, 0, 0x9000, b.rng);
    b.dut.write_sa(sa->index, sa->ctx);
    b.dut.send(ethernet(protect(*sa, b.plain(*sa, flen))), false);
    const std::uint64_t c0 = b.dut.cycles;
    b.dut.first_out_cycle = 0;
    b.dut.run(2000);
    const std::uint64_t latency = b.dut.first_out_cycle - c0;
    const unsigned n = flen >= 1500 ? 80 : 400;
    std::vector<Bytes> frames;
    for (unsigned i = 0; i < n; ++i) frames.push_back(ethernet(protect(*sa, b.plain(*sa, flen))));
    for (auto& f : frames) b.dut.send(f, false);
    const std::uint64_t in0 = b.dut.in_beats_, out0 = b.dut.out_beats_, cyc0 = b.dut.cycles;
    b.dut.first_out_cycle = 0;
    b.dut.run(2000);
    const double in_rate = double(b.dut.in_beats_ - in0) / double(b.dut.last_in_cycle - cyc0 + 1);
    const double out_rate =
        double(b.dut.out_beats_ - out0) / double(b.dut.last_out_cycle - b.dut.first_out_cycle + 1);
    CHECK(b.dut.out_axis.size() == n + 1, "bench: %zu frames out of %u", b.dut.out_axis.size(), n + 1);
    std::printf("| %u | %u | %.3f | %.3f | %llu |\n", flen, n, in_rate, out_rate, (unsigned long long)latency);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  if (argc > 1 && std::string(argv[1]) == "bench") {
    run_bench();
    return g_fail ? 1 : 0;
  }
  if (argc > 2 && std::string(argv[1]) == "scapy") {
    run_scapy(argv[2]);
  } else {
    const unsigned packets = argc > 1 ? unsigned(std::atoi(argv[1])) : 300;
    run_regression(packets, std::getenv("INBOUND_SEED") ? unsigned(std::atoi(std::getenv("INBOUND_SEED"))) : 1);
  }
  if (g_fail) {
    std::printf("inbound_test: FAILED (%d checks)\n", g_fail);
    return 1;
  }
  std::printf("inbound_test: PASSED\n");
  return 0;
}
