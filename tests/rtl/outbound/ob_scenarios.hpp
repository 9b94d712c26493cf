// Scenarios of the outbound path bench (see outbound_test.cpp).
#pragma once

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "ob_dut.hpp"
#include "ob_model.hpp"
#include "ob_scoreboard.hpp"

namespace obtest {

constexpr unsigned kFlowCount = 256, kWays = 4;
// Card reason codes (hw/spec/reasons.yaml).
enum : unsigned {
  kFlowMiss = 1, kFlowToHost = 2, kPolicyDiscard = 3, kSaNotMature = 5, kUnsupported = 6,
  kFragment = 7, kTooBig = 8, kSeqOverflow = 10, kLifetimeExpired = 11, kBadIpChecksum = 19,
  kNotEthernetIp = 20, kLifetimeSoft = 27,
};

struct SaSlot {
  TestSa t;
  int inner_version = 4;               // family of the packets it protects
  bool card_only = false;              // an SA the card refuses: no software model
  std::unique_ptr<aipsec::Sa> sw;
  bool overflowed = false, ovf_event = false;
};

// A protected frame the card sent, with what a second oracle needs to open it.
struct Sealed {
  Bytes out, inner;
  const TestSa* sa;
  std::uint64_t seq;
};

class Bench {
 public:
  Bench(Dut& d, Scoreboard& sb, std::uint64_t seed) : d_(d), sb_(sb), rng_(seed) {}

  std::map<unsigned, SaSlot> sas;
  std::vector<TestFlow> flows;
  aipsec::Sysctl sc;
  std::vector<Sealed> sealed;
  bool record = false;

  void settings(unsigned dfbit, bool ecn, bool enable = true) {
    d_.drain();
    sc.dfbit = int(dfbit);
    sc.inet.ecn = sc.inet6.ecn = ecn;
    enable_ = enable;
    d_.settings(enable ? 1u : 0u, dfbit | (ecn ? 4u : 0u));
  }

  void install_sa(const TestSa& t, int inner_version, bool card_only = false) {
    SaSlot& s = sas[t.index];
    s.t = t;
    s.inner_version = inner_version;
    s.card_only = card_only;
    s.sw = card_only ? nullptr : software_sa(t);
    s.overflowed = s.ovf_event = false;
    d_.commit_sa(t.index, card_sa(t));
  }

  // Places the flow in a free way of its key's bucket; false if the bucket is full.
  bool install_flow(TestFlow f) {
    const unsigned bucket = crc32c(flow_key(f.key)) % (kFlowCount / kWays);
    for (unsigned w = 0; w < kWays; ++w) {
      const unsigned idx = bucket * kWays + w;
      if (used_[idx]) continue;
      used_[idx] = true;
      f.index = idx;
      flows.push_back(f);
      d_.commit_flow(idx, card_flow(f));
      return true;
    }
    return false;
  }

  std::array<std::uint8_t, 16> addr(int version, unsigned net, unsigned host) {
    std::array<std::uint8_t, 16> a{};
    if (version == 4) {
      a = {10, std::uint8_t(net), std::uint8_t(host >> 8), std::uint8_t(host)};
    } else {
      a = {0x20, 0x01, 0x0d, 0xb8, 0, std::uint8_t(net)};
      a[14] = std::uint8_t(host >> 8);
      a[15] = std::uint8_t(host);
    }
    return a;
  }

  // Inner packet fields other than the flow key, at random.
  void randomize(InnerSpec& s, bool options_ok) {
    s.tos = std::uint8_t(rng_());
    s.df = rng_() & 1;
    if (options_ok && s.version == 4 && rng_() % 3 == 0) s.v4_option_bytes = 4 * (1 + rng_() % 10);
    if (s.version == 6 && rng_() % 4 == 0) s.v6_hbh = true;
    if (s.version == 6 && rng_() % 4 == 0) s.v6_dstopts = true;
    const unsigned r = unsigned(rng_() % 100);
    const std::size_t max_ip = 9000 - 22;
    if (r < 10) s.total_len = 28 + rng_() % 40;
    else if (r < 80) s.total_len = 40 + rng_() % 1460;
    else s.total_len = 1500 + rng_() % (max_ip - 1500);
  }

  InnerSpec random_key(int version) {
    InnerSpec s;
    s.version = version;
    const unsigned pick = unsigned(rng_() % 4);
    s.proto = pick == 0 ? std::uint8_t(version == 4 ? 1 : 58) : pick == 1 ? 6 : 17;
    if (s.proto == 6 || s.proto == 17) {
      s.sport = std::uint16_t(1024 + rng_() % 60000);
      s.dport = std::uint16_t(1 + rng_() % 65535);
    }
    s.src = addr(version, unsigned(rng_() % 200), unsigned(rng_()));
    s.dst = addr(version, unsigned(rng_() % 200), unsigned(rng_()));
    return s;
  }

  int vlans() { return int(rng_() % 5 == 0 ? 1 + rng_() % 2 : 0); }

  // One frame to the SA at index sai, from the host port (tuser.index).
  void send_host(unsigned sai, InnerSpec s, int nvlan) {
    const Bytes ip = make_ip(s, rng_);
    const Bytes eth = eth_header(nvlan, s.version == 6 ? 0x86dd : 0x0800);
    const Frame in{frame_of(eth, ip), meta(kPortHost, kKindSa, false, false, 0, sai, 0, 0)};
    d_.host.q.push_back(in);
    if (!enable_) return expect_host(in, kPortHost, 0, kKindSa, 0, unsigned(eth.size()), "disabled");
    expect_sa(sai, eth, ip, in, kPortHost);
  }

  // One frame of flow f on the plain port.
  void send_flow(const TestFlow& f, InnerSpec s, int nvlan) {
    const Bytes ip = make_ip(s, rng_);
    const Bytes eth = eth_header(nvlan, s.version == 6 ? 0x86dd : 0x0800);
    const Frame in{frame_of(eth, ip), 0};
    d_.plain.q.push_back(in);
    if (!enable_) return expect_host(in, kPortPlain, 0, kKindSa, 0, unsigned(eth.size()), "disabled");
    switch (f.action) {
      case FlowEntry::Action::kBypass:
        sb_.net.push_back(ExpFrame{
            {in.bytes, meta(kPortPlain, kKindFlow, false, false, 0, f.index, unsigned(in.bytes.size()),
                            unsigned(eth.size()))},
            ~std::uint64_t(0), "bypass"});
        return;
      case FlowEntry::Action::kDiscard: sb_.drops.push_back(kPolicyDiscard); return;
      case FlowEntry::Action::kToHost:
        return expect_host(in, kPortPlain, kFlowToHost, kKindFlow, f.index, unsigned(eth.size()), "to_host");
      case FlowEntry::Action::kProtect: break;
    }
    if (f.bundle_len != 1)
      return expect_host(in, kPortPlain, kUnsupported, kKindFlow, f.index, unsigned(eth.size()), "bundle");
    expect_sa(f.sa, eth, ip, in, kPortPlain);
  }

  // A frame without a flow entry, or one the parser refuses, on the plain port.
  void send_raw(const Bytes& frame, unsigned reason, bool dropped, unsigned l3, std::uint64_t mask) {
    const Frame in{frame, 0};
    d_.plain.q.push_back(in);
    if (dropped) {
      sb_.drops.push_back(reason);
      return;
    }
    expect_host(in, kPortPlain, reason, kKindSa, 0, l3, "raw", mask);
  }

  void expect_host(const Frame& in, unsigned port, unsigned reason, unsigned kind, unsigned index, unsigned l3,
                   const char* what, std::uint64_t mask = ~std::uint64_t(0)) {
    sb_.host.push_back(ExpFrame{
        {in.bytes, meta(port, kind, true, false, reason, index, unsigned(in.bytes.size()), l3)}, mask, what});
    if (reason != 0) sb_.drops.push_back(reason);
  }

  void expect_event(unsigned sai, unsigned reason) {
    sb_.host.push_back(ExpFrame{{{}, meta(kPortPlain, kKindSa, false, true, reason, sai, 0, 0)},
                                ~std::uint64_t(0), "event"});
  }

  void expect_sa(unsigned sai, const Bytes& eth, const Bytes& ip, const Frame& in, unsigned port) {
    SaSlot& s = sas.at(sai);
    const unsigned l3 = unsigned(eth.size());
    if (!s.t.valid) return expect_host(in, port, kSaNotMature, kKindSa, sai, l3, "sa invalid");
    if (s.card_only) return expect_host(in, port, kUnsupported, kKindSa, sai, l3, "unsupported");
    if (s.t.path_mtu != 0 && s.sw->state() != aipsec::SaState::kDead) {
      TestSa probe = s.t;
      probe.seq = s.sw->runtime().seq_out.load();
      probe.hard_packets = probe.soft_packets = 0;
      probe.hard_bytes = probe.soft_bytes = 0;
      auto tmp = software_sa(probe);
      const SwResult r = software_output(*tmp, ip, sc);
      if (r.reason == aipsec::Reason::kNone && r.ip.size() > s.t.path_mtu)
        return expect_host(in, port, kTooBig, kKindSa, sai, l3, "too big");
    }
    const aipsec::SaState before = s.sw->state();
    const std::uint64_t seq = s.sw->runtime().seq_out.load() + 1;
    const SwResult r = software_output(*s.sw, ip, sc);
    if (r.reason == aipsec::Reason::kNone) {
      Bytes e = eth;
      const bool v6 = (r.ip[0] >> 4) == 6;
      e[e.size() - 2] = v6 ? 0x86 : 0x08;
      e[e.size() - 1] = v6 ? 0xdd : 0x00;
      const Bytes out = frame_of(e, r.ip, false);
      sb_.net.push_back(ExpFrame{{out, meta(port, kKindSa, false, false, 0, sai, unsigned(out.size()), l3)},
                                 ~std::uint64_t(0), "protected"});
      sb_.sa_cnt.emplace_back(sai, unsigned(ip.size()));
      if (record) sealed.push_back(Sealed{out, ip, &s.t, seq});
      const aipsec::SaState after = s.sw->state();
      if (after == aipsec::SaState::kDead) expect_event(sai, kLifetimeExpired);
      else if (after == aipsec::SaState::kDying && before == aipsec::SaState::kMature)
        expect_event(sai, kLifetimeSoft);
      return;
    }
    if (r.reason == aipsec::Reason::kLifetimeExpired) {
      sb_.drops.push_back(kLifetimeExpired);
      return;
    }
    // After an overflow the software SA is dead (sa_not_mature); the card
    // keeps the SA stopped and answers seq_overflow.
    if (r.reason == aipsec::Reason::kSeqOverflow || (r.reason == aipsec::Reason::kSaNotMature && s.overflowed)) {
      expect_host(in, port, kSeqOverflow, kKindSa, sai, l3, "seq overflow");
      if (!s.ovf_event) expect_event(sai, kSeqOverflow);
      s.overflowed = s.ovf_event = true;
      return;
    }
    std::printf("FAIL software output refused a packet: reason %u\n", unsigned(r.reason));
    ++sb_.failures;
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  Dut& d_;
  Scoreboard& sb_;
  std::mt19937_64 rng_;
  std::array<bool, kFlowCount> used_{};
  bool enable_ = true;
};

}  // namespace obtest

#include "ob_phases.hpp"
