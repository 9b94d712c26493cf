// Policy engine lookups: SPD (tuple space search) and SAD (SPI hash).
//
// "Common" SPD: 100,000 policies of a site-to-site gateway, spread over a few
// prefix-length combinations (host pairs, /24 to /24, /16 to /16, in and out)
// plus a bypass-everything default; flows are drawn from the policies so that
// every lookup hits. "Scattered": the same number of policies with prefix
// lengths drawn at random (hundreds of tables), the unfavourable case.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <random>
#include <vector>

#include "aipsec/dataplane.hpp"
#include "aipsec/sad.hpp"
#include "aipsec/spd.hpp"

using namespace aipsec;

namespace {

constexpr std::size_t kFlows = 1 << 16;

IpPrefix prefix(std::uint32_t addr, int len) {
  std::uint32_t mask = len == 0 ? 0 : ~0u << (32 - len);
  return IpPrefix{IpAddr::v4(addr & mask), std::uint8_t(len)};
}

struct SpdWorld {
  Spd spd;
  std::vector<FlowKey> flows;
};

void add_policy(Spd& spd, Direction dir, IpPrefix src, IpPrefix dst, std::uint16_t dport) {
  Policy p;
  p.sel.src = src;
  p.sel.dst = dst;
  p.sel.dport = dport;
  p.dir = dir;
  p.action = PolicyAction::kBypass;
  try {
    spd.add(p);
  } catch (const Error&) {
    // a duplicate selector drawn at random: skip it
  }
}

FlowKey flow_in(const IpPrefix& src, const IpPrefix& dst, std::mt19937& rng) {
  FlowKey k;
  auto host = [&](const IpPrefix& p) {
    std::uint32_t base = load_be32(p.addr.b.data());
    std::uint32_t span = p.prefix_len >= 32 ? 0 : (~0u >> p.prefix_len);
    return IpAddr::v4(base | (span ? rng() & span : 0));
  };
  k.src = host(src);
  k.dst = host(dst);
  k.ulproto = 6;
  k.sport = std::uint16_t(1024 + rng() % 60000);
  k.dport = std::uint16_t(rng() % 2 ? 443 : 80);
  return k;
}

std::vector<std::pair<IpPrefix, IpPrefix>> draw_policies(SpdWorld& w, std::size_t n, bool scattered,
                                                          std::mt19937& rng) {
  const int shapes[][2] = {{32, 32}, {24, 24}, {16, 16}, {32, 24}};
  std::vector<std::pair<IpPrefix, IpPrefix>> sels;
  for (std::size_t i = 0; i < n; ++i) {
    int sl, dl;
    if (scattered) {
      sl = int(rng() % 33);
      dl = int(rng() % 33);
    } else {
      sl = shapes[i % 4][0];
      dl = shapes[i % 4][1];
    }
    IpPrefix s = prefix(std::uint32_t(rng()), sl), d = prefix(std::uint32_t(rng()), dl);
    Direction dir = i % 2 ? Direction::kIn : Direction::kOut;
    add_policy(w.spd, dir, s, d, i % 8 == 0 ? 443 : 0);
    if (dir == Direction::kOut) sels.emplace_back(s, d);
  }
  add_policy(w.spd, Direction::kOut, prefix(0, 0), prefix(0, 0), 0);
  return sels;
}

SpdWorld& world(std::size_t n, bool scattered) {
  static std::map<std::pair<std::size_t, bool>, std::unique_ptr<SpdWorld>> cache;
  auto& slot = cache[{n, scattered}];
  if (!slot) {
    slot = std::make_unique<SpdWorld>();
    std::mt19937 rng(7);
    auto sels = draw_policies(*slot, n, scattered, rng);
    for (std::size_t i = 0; i < kFlows; ++i) {
      const auto& [s, d] = sels[rng() % sels.size()];
      slot->flows.push_back(flow_in(s, d, rng));
    }
  }
  return *slot;
}

template <bool kShared>
void spd_lookup(benchmark::State& state, bool scattered) {
  SpdWorld& w = world(std::size_t(state.range(0)), scattered);
  std::size_t i = 0;
  std::int64_t hits = 0;
  for (auto _ : state) {
    const FlowKey& k = w.flows[i++ & (kFlows - 1)];
    if constexpr (kShared) {
      auto p = w.spd.find(Direction::kOut, k);
      hits += p != nullptr;
    } else {
      hits += w.spd.lookup(Direction::kOut, k) != nullptr;
    }
  }
  if (hits != state.iterations()) state.SkipWithError("a lookup missed");
  state.SetItemsProcessed(std::int64_t(state.iterations()));
}

void BM_SpdLookupCommon(benchmark::State& s) { spd_lookup<false>(s, false); }
void BM_SpdFindCommon(benchmark::State& s) { spd_lookup<true>(s, false); }
void BM_SpdLookupScattered(benchmark::State& s) { spd_lookup<false>(s, true); }

BENCHMARK(BM_SpdLookupCommon)->Arg(1000)->Arg(100000);
BENCHMARK(BM_SpdFindCommon)->Arg(100000);
BENCHMARK(BM_SpdLookupScattered)->Arg(100000);

// ---- SAD

Sad& sad_with(std::size_t n) {
  static std::map<std::size_t, std::unique_ptr<Sad>> cache;
  auto& slot = cache[n];
  if (!slot) {
    slot = std::make_unique<Sad>();
    const Bytes key(20, 0x5a);
    for (std::uint32_t i = 0; i < n; ++i) {
      SaConfig c;
      c.proto = IpsecProto::kAh;
      c.spi = 0x100 + i;
      c.src = IpAddr::v4(0x0a000000u + i / 2);
      c.dst = IpAddr::v4(0xac100000u + i / 2);
      c.auth = AuthAlg::kHmacSha1_96;
      c.auth_key = SecureBytes(key);
      slot->add(std::move(c));
    }
  }
  return *slot;
}

void BM_SadGet(benchmark::State& state) {
  const auto n = std::uint32_t(state.range(0));
  Sad& sad = sad_with(n);
  std::mt19937 rng(3);
  std::vector<SaKey> keys;
  for (std::size_t i = 0; i < kFlows; ++i) {
    std::uint32_t j = rng() % n;
    keys.push_back({IpAddr::v4(0xac100000u + j / 2), IpsecProto::kAh, 0x100 + j});
  }
  std::size_t i = 0;
  std::int64_t hits = 0;
  for (auto _ : state) hits += sad.get(keys[i++ & (kFlows - 1)]) != nullptr;
  if (hits != state.iterations()) state.SkipWithError("a lookup missed");
  state.SetItemsProcessed(std::int64_t(state.iterations()));
}

void BM_SadFindOutbound(benchmark::State& state) {
  const auto n = std::uint32_t(state.range(0));
  Sad& sad = sad_with(n);
  std::mt19937 rng(4);
  std::vector<std::pair<IpAddr, IpAddr>> pairs;
  for (std::size_t i = 0; i < kFlows; ++i) {
    std::uint32_t j = rng() % n;
    pairs.emplace_back(IpAddr::v4(0x0a000000u + j / 2), IpAddr::v4(0xac100000u + j / 2));
  }
  std::size_t i = 0;
  std::int64_t hits = 0;
  for (auto _ : state) {
    const auto& [s, d] = pairs[i++ & (kFlows - 1)];
    hits += sad.find_outbound(s, d, IpsecProto::kAh, Mode::kTransport, 0) != nullptr;
  }
  if (hits != state.iterations()) state.SkipWithError("a lookup missed");
  state.SetItemsProcessed(std::int64_t(state.iterations()));
}

BENCHMARK(BM_SadGet)->Arg(100000);
BENCHMARK(BM_SadFindOutbound)->Arg(100000);

}  // namespace
