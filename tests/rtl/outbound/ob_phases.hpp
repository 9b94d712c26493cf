// The bench's phases: SA set, protect mix under each DF/ECN setting, flow
// actions and exceptions, sequence overflow, lifetimes, a disabled path; the
// pcap writer for the Scapy check; the cycle measurement.
#pragma once

namespace obtest {

inline Bytes key_bytes(std::size_t n, std::uint8_t base) {
  Bytes k(n);
  for (std::size_t i = 0; i < n; ++i) k[i] = std::uint8_t(base + i);
  return k;
}

// The SA shapes the card does: families, modes, key sizes, ICVs, ESN, NAT-T.
inline std::vector<std::pair<TestSa, int>> sa_shapes(unsigned base_index, std::uint32_t spi_base) {
  struct Shape { bool tunnel; bool ov6; int inner; unsigned icv; std::size_t key; bool esn; bool natt; bool zero; };
  const Shape shapes[] = {
      {true, false, 4, 16, 16, false, false, false},  // 4in4
      {true, true, 6, 8, 32, false, false, false},    // 6in6
      {true, true, 4, 12, 16, false, false, true},    // 4in6
      {true, false, 6, 16, 32, false, false, false},  // 6in4
      {false, false, 4, 12, 16, false, false, false}, // transport v4
      {false, true, 6, 16, 32, false, false, false},  // transport v6
      {true, false, 4, 8, 32, true, false, false},    // ESN across 2^32
      {false, false, 4, 16, 16, true, false, false},  // ESN transport
      {true, false, 6, 12, 16, false, true, false},   // NAT-T tunnel
      {false, false, 4, 8, 32, false, true, true},    // NAT-T transport
      {true, false, 4, 12, 32, false, false, false},
      {true, true, 6, 8, 16, false, false, false},
  };
  std::vector<std::pair<TestSa, int>> out;
  unsigned i = 0;
  for (const Shape& s : shapes) {
    TestSa t;
    t.index = base_index + i;
    t.spi = spi_base + i;
    t.key = key_bytes(s.key, std::uint8_t(0x10 + 3 * i));
    t.salt = {0xca, 0xfe, std::uint8_t(0xba + i), 0xbe};
    t.icv = s.icv;
    t.tunnel = s.tunnel;
    t.outer_v6 = s.ov6;
    t.esn = s.esn;
    t.zero_pad = s.zero;
    if (s.natt) t.natt_sport = 4500, t.natt_dport = std::uint16_t(4500 + i);
    if (s.esn) t.seq = 0xfffffff0ull + i;
    if (s.ov6) {
      t.src = {0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
      t.dst = t.src;
      t.dst[15] = std::uint8_t(2 + i);
    } else {
      t.src = {192, 0, 2, 1};
      t.dst = {192, 0, 2, std::uint8_t(2 + i)};
    }
    out.emplace_back(t, s.inner);
    ++i;
  }
  return out;
}

// SAs 0..11 through flows (two each), 16..27 from the host port.
inline void install_mix(Bench& b) {
  for (auto& [t, inner] : sa_shapes(0, 0x1000)) {
    b.install_sa(t, inner);
    for (int k = 0; k < 2; ++k) {
      TestFlow f;
      f.sa = t.index;
      do f.key = b.random_key(inner);
      while (!b.install_flow(f));
    }
  }
  for (auto& [t, inner] : sa_shapes(16, 0x2000)) b.install_sa(t, inner);
}

inline void send_mix(Bench& b, unsigned n) {
  for (unsigned i = 0; i < n; ++i) {
    if (b.rng()() & 1) {
      const TestFlow& f = b.flows[b.rng()() % b.flows.size()];
      InnerSpec s = f.key;
      b.randomize(s, !b.sas.at(f.sa).t.tunnel);
      b.send_flow(f, s, b.vlans());
    } else {
      const unsigned sai = 16 + unsigned(b.rng()() % 12);
      const SaSlot& slot = b.sas.at(sai);
      InnerSpec s = b.random_key(slot.inner_version);
      b.randomize(s, !slot.t.tunnel);
      b.send_host(sai, s, b.vlans());
    }
  }
}

// Flow actions the card answers without an SA, and SAs it refuses.
inline void exceptions(Bench& b) {
  const FlowEntry::Action acts[] = {FlowEntry::Action::kBypass, FlowEntry::Action::kDiscard,
                                    FlowEntry::Action::kToHost, FlowEntry::Action::kProtect};
  for (const auto a : acts) {
    TestFlow f;
    f.action = a;
    f.bundle_len = a == FlowEntry::Action::kProtect ? 2 : 1;
    do f.key = b.random_key(b.rng()() & 1 ? 6 : 4);
    while (!b.install_flow(f));
    for (int k = 0; k < 3; ++k) {
      InnerSpec s = f.key;
      b.randomize(s, true);
      b.send_flow(b.flows.back(), s, b.vlans());
    }
  }
  TestSa base = sa_shapes(40, 0x4000)[0].first;
  TestSa invalid = base;
  invalid.valid = false;
  b.install_sa(invalid, 4, true);
  TestSa ah = base;
  ah.index = 41;
  ah.protocol = SaContext::Protocol::kAh;
  b.install_sa(ah, 4, true);
  TestSa cbc = base;
  cbc.index = 42;
  cbc.enc_alg = SaContext::EncAlg::kAesCbc;
  b.install_sa(cbc, 4, true);
  TestSa icv4 = base;
  icv4.index = 43;
  icv4.icv = 4;
  b.install_sa(icv4, 4, true);
  TestSa natt6 = sa_shapes(44, 0x4400)[1].first;  // 6in6
  natt6.index = 44;
  natt6.natt_sport = natt6.natt_dport = 4500;
  b.install_sa(natt6, 6, true);
  TestSa mtu = base;
  mtu.index = 45;
  mtu.path_mtu = 400;
  b.install_sa(mtu, 4);
  for (unsigned sai = 40; sai <= 45; ++sai) {
    for (int k = 0; k < 3; ++k) {
      InnerSpec s = b.random_key(b.sas.at(sai).inner_version);
      b.randomize(s, false);
      s.total_len = k == 0 ? 100 : k == 1 ? 340 : 800;
      b.send_host(sai, s, 0);
    }
  }
}

// Frames the parser refuses, and frames without a flow entry.
inline void parser_cases(Bench& b) {
  std::mt19937_64& rng = b.rng();
  InnerSpec s = b.random_key(4);
  s.total_len = 200;
  s.fragment = true;
  const Bytes eth4 = eth_header(0, 0x0800);
  b.send_raw(frame_of(eth4, make_ip(s, rng)), kFragment, false, 14, ~std::uint64_t(0));
  s.fragment = false;
  Bytes bad = make_ip(s, rng);
  bad[10] ^= 0x55;
  b.send_raw(frame_of(eth4, bad), kBadIpChecksum, true, 14, ~std::uint64_t(0));
  Bytes arp = eth_header(0, 0x0806);
  arp.resize(60, 0x11);
  // The parser's l3_offset for a frame that is not IP is not specified: not compared.
  b.send_raw(arp, kNotEthernetIp, false, 14, ~(std::uint64_t(0xff) << 48));
  for (int k = 0; k < 3; ++k) {
    InnerSpec m = b.random_key(k == 1 ? 6 : 4);
    m.total_len = 60 + rng() % 500;
    b.send_raw(frame_of(eth_header(0, m.version == 6 ? 0x86dd : 0x0800), make_ip(m, rng)), kFlowMiss, false,
               14, ~std::uint64_t(0));
  }
}

// Sequence numbers at the end of their space: 32-bit, and 64-bit with ESN.
inline void overflow_cases(Bench& b) {
  TestSa t = sa_shapes(48, 0x4800)[0].first;
  t.seq = 0xfffffffdull;
  b.install_sa(t, 4);
  TestSa e = sa_shapes(49, 0x4900)[6].first;
  e.index = 49;
  e.seq = ~std::uint64_t(0) - 2;
  b.install_sa(e, 4);
  for (int k = 0; k < 5; ++k) {
    for (unsigned sai : {48u, 49u}) {
      InnerSpec s = b.random_key(4);
      b.randomize(s, false);
      b.send_host(sai, s, 0);
    }
  }
}

// Soft and hard lifetimes in packets and in bytes.
inline void lifetime_cases(Bench& b) {
  TestSa p = sa_shapes(50, 0x5000)[0].first;
  p.soft_packets = 3;
  p.hard_packets = 5;
  b.install_sa(p, 4);
  TestSa by = sa_shapes(51, 0x5100)[4].first;
  by.index = 51;
  by.soft_bytes = 2000;
  by.hard_bytes = 5000;
  b.install_sa(by, 4);
  for (int k = 0; k < 8; ++k) {
    for (unsigned sai : {50u, 51u}) {
      InnerSpec s = b.random_key(4);
      b.randomize(s, false);
      s.total_len = 300 + b.rng()() % 900;
      b.send_host(sai, s, 0);
    }
  }
}

inline void write_pcap(const std::string& dir, const std::vector<Sealed>& sealed) {
  std::ofstream pcap(dir + "/outbound.pcap", std::ios::binary);
  const std::uint32_t gh[] = {0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, 1};
  pcap.write(reinterpret_cast<const char*>(gh), sizeof gh);
  std::ofstream man(dir + "/outbound.txt");
  for (const Sealed& s : sealed) {
    const std::uint32_t rh[] = {0, 0, std::uint32_t(s.out.size()), std::uint32_t(s.out.size())};
    pcap.write(reinterpret_cast<const char*>(rh), sizeof rh);
    pcap.write(reinterpret_cast<const char*>(s.out.data()), std::streamsize(s.out.size()));
    auto hex = [](const auto& v) {
      std::string r;
      char t[3];
      for (auto x : v) std::snprintf(t, sizeof t, "%02x", unsigned(x)), r += t;
      return r;
    };
    man << s.sa->spi << ' ' << s.seq << ' ' << hex(s.sa->key) << ' ' << hex(s.sa->salt) << ' ' << s.sa->icv
        << ' ' << (s.sa->tunnel ? 1 : 0) << ' ' << (s.sa->esn ? 1 : 0) << ' ' << hex(s.inner) << '\n';
  }
}

inline int run_all(unsigned n, std::uint64_t seed, const std::string& pcap_dir) {
  Dut d(seed);
  Scoreboard sb;
  Bench b(d, sb, seed * 7919 + 1);
  b.settings(0, false);
  install_mix(b);
  const unsigned dfbits[] = {0, 1, 2, 2};
  const bool ecns[] = {false, true, false, true};
  const unsigned gaps[] = {0, 20, 50, 0}, stalls[] = {0, 30, 50, 10};
  b.record = !pcap_dir.empty();
  for (int ph = 0; ph < 4; ++ph) {
    b.settings(dfbits[ph], ecns[ph]);
    d.in_gap_pct = gaps[ph];
    d.out_stall_pct = stalls[ph];
    send_mix(b, n / 4 + 1);
    d.drain();
    sb.check(d, ("mix dfbit " + std::to_string(dfbits[ph]) + " ecn " + std::to_string(ecns[ph])).c_str());
  }
  b.record = false;
  d.in_gap_pct = 20;
  d.out_stall_pct = 20;
  exceptions(b);
  parser_cases(b);
  d.drain();
  sb.check(d, "exceptions");
  overflow_cases(b);
  lifetime_cases(b);
  d.drain();
  sb.check(d, "overflow and lifetimes");
  b.settings(0, false, false);
  send_mix(b, 6);
  d.drain();
  sb.check(d, "disabled");
  if (!pcap_dir.empty()) write_pcap(pcap_dir, b.sealed);
  std::printf("outbound_test DATA_W=%u: %u frames compared, %u failures, %llu cycles\n", unsigned(OB_DATA_W),
              sb.checked_frames, sb.failures, static_cast<unsigned long long>(d.cycles()));
  if (sb.failures == 0) std::printf("outbound_test: PASSED\n");
  return sb.failures == 0 ? 0 : 1;
}

// Back-to-back frames of one size on one SA: input and output beats per clock
// sustained, and the latency of a lone frame (first beat in to first beat out,
// last beat in to last beat out).
inline int run_bench() {
  std::printf("aipsec_outbound DATA_W=%u, tunnel 4in4 AES-GCM-128 ICV 16, frames back to back\n",
              unsigned(OB_DATA_W));
  std::printf("%6s %8s %10s %10s %10s %12s\n", "bytes", "frames", "in b/clk", "out b/clk", "latency",
              "last-to-last");
  for (unsigned size : {64u, 128u, 256u, 512u, 1024u, 1500u, 9000u}) {
    Dut d(1);
    Scoreboard sb;
    Bench b(d, sb, 1);
    b.settings(0, false);
    TestSa t = sa_shapes(0, 0x1000)[0].first;
    b.install_sa(t, 4);
    InnerSpec key = b.random_key(4);
    key.proto = 17;
    key.sport = key.dport = 1000;
    TestFlow f;
    f.key = key;
    b.install_flow(f);
    auto frame = [&]() {
      InnerSpec s = key;
      s.total_len = size - 14;
      b.send_flow(b.flows.back(), s, 0);
    };
    frame();
    d.reset_stamps();
    d.drain();
    const std::uint64_t lat = d.t_first_out - d.t_first_in, lat_last = d.t_last_out - d.t_last_in;
    const unsigned count = std::max(16u, 400000u / size);
    for (unsigned i = 0; i < count; ++i) frame();
    d.reset_stamps();
    d.drain();
    // Both rates over the output window: the ingress FIFOs absorb a burst, so
    // the input side's own window would overstate the sustained rate.
    const double window = double(d.t_last_out - d.t_first_out + 1);
    const double in_rate = double(d.in_beats) / window;
    const double out_rate = double(d.out_beats) / window;
    std::printf("%6u %8u %10.3f %10.3f %10llu %12llu\n", size, count, in_rate, out_rate,
                static_cast<unsigned long long>(lat), static_cast<unsigned long long>(lat_last));
    sb.check(d, "bench");
    if (sb.failures) return 1;
  }
  return 0;
}

}  // namespace obtest
