// SPD: lookups checked against a linear reference (every policy tested in
// turn, the best kept by the documented tie-break) over thousands of random
// policies and flows, plus the individual rules.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "aipsec/packet.hpp"
#include "aipsec/spd.hpp"

using namespace aipsec;

namespace {

IpAddr ip(const char* s) { return *IpAddr::parse(s); }
IpPrefix pfx(const char* s, int len) { return IpPrefix{ip(s), std::uint8_t(len)}; }

Policy make_policy(IpPrefix src, IpPrefix dst, Direction dir = Direction::kOut,
                   PolicyAction action = PolicyAction::kNone) {
  Policy p;
  p.sel.src = src;
  p.sel.dst = dst;
  p.dir = dir;
  p.action = action;
  return p;
}

FlowKey flow(const char* src, const char* dst, std::uint8_t proto = 6, std::uint16_t sport = 1000,
             std::uint16_t dport = 80) {
  FlowKey k;
  k.src = ip(src);
  k.dst = ip(dst);
  k.ulproto = proto;
  k.sport = sport;
  k.dport = dport;
  return k;
}

// ---- the reference: written from the rules in spd.hpp, independently of spd.cpp

bool ref_prefix_match(const IpPrefix& p, const IpAddr& a) {
  if (p.addr.family == 0) return true;
  if (p.addr.family != a.family) return false;
  for (int bit = 0; bit < p.prefix_len; ++bit) {
    int byte = bit / 8, shift = 7 - bit % 8;
    if (((p.addr.b[byte] >> shift) & 1) != ((a.b[byte] >> shift) & 1)) return false;
  }
  return true;
}

bool ref_match(const Policy& p, Direction dir, const FlowKey& k) {
  const Selector& s = p.sel;
  if (p.dir != dir) return false;
  if (!ref_prefix_match(s.src, k.src) || !ref_prefix_match(s.dst, k.dst)) return false;
  if (s.ulproto != 255 && s.ulproto != k.ulproto) return false;
  if (s.sport != 0 && s.sport != k.sport) return false;
  if (s.dport != 0 && s.dport != k.dport) return false;
  if (s.icmp_type && k.icmp_type != s.icmp_type) return false;
  if (s.icmp_code && k.icmp_code != s.icmp_code) return false;
  return true;
}

// true if a is preferred to b (ids grow with the order of addition)
bool ref_better(const Policy& a, const Policy& b) {
  auto key = [](const Policy& p) {
    const Selector& s = p.sel;
    return std::make_tuple(p.priority, -(s.src.prefix_len + s.dst.prefix_len),
                           -(int(s.sport != 0) + int(s.dport != 0)),
                           -(int(s.ulproto != 255) + int(s.icmp_type.has_value()) + int(s.icmp_code.has_value())),
                           p.id);
  };
  return key(a) < key(b);
}

const Policy* ref_lookup(const std::vector<Policy>& all, Direction dir, const FlowKey& k) {
  const Policy* best = nullptr;
  for (const auto& p : all)
    if (ref_match(p, dir, k) && (!best || ref_better(p, *best))) best = &p;
  return best;
}

// ---- random policies and flows over a small address universe, so that many overlap

struct RandomWorld {
  std::mt19937 rng{12345};
  int pick(std::initializer_list<int> v) {
    return *(v.begin() + std::uniform_int_distribution<int>(0, int(v.size()) - 1)(rng));
  }
  IpAddr addr(int family) {
    IpAddr a;
    a.family = std::uint8_t(family);
    if (family == 4) {
      a.b[0] = 10;
      a.b[1] = std::uint8_t(pick({0, 1}));
      a.b[2] = std::uint8_t(pick({0, 1, 2, 3}));
      a.b[3] = std::uint8_t(rng() % 8);
    } else {
      a.b[0] = 0x20;
      a.b[1] = 0x01;
      a.b[2] = 0x0d;
      a.b[3] = 0xb8;
      a.b[7] = std::uint8_t(pick({0, 1}));
      a.b[15] = std::uint8_t(rng() % 8);
    }
    return a;
  }
  IpPrefix prefix(int family) {
    if (family == 0) return IpPrefix{};
    int len = family == 4 ? pick({0, 8, 16, 24, 29, 30, 32, 32}) : pick({0, 32, 64, 125, 128, 128});
    return IpPrefix{addr(family), std::uint8_t(len)};
  }
  Policy policy() {
    int family = pick({0, 4, 4, 4, 6, 6});
    Policy p;
    p.sel.src = prefix(family);
    p.sel.dst = prefix(family);
    p.dir = Direction(pick({1, 2, 2, 3}));
    p.priority = pick({0, 0, 0, 0, -10, 5});
    int proto = pick({255, 255, 6, 17, 1, 58});
    p.sel.ulproto = std::uint8_t(proto);
    if (proto == 6 || proto == 17 || proto == 255) {
      p.sel.sport = std::uint16_t(pick({0, 0, 0, 1000}));
      p.sel.dport = std::uint16_t(pick({0, 0, 80, 443}));
    } else {
      if (pick({0, 1})) p.sel.icmp_type = std::uint8_t(pick({8, 128, 135}));
      if (p.sel.icmp_type && pick({0, 1})) p.sel.icmp_code = std::uint8_t(pick({0, 1}));
    }
    p.action = PolicyAction(pick({0, 1, 4}));
    return p;
  }
  FlowKey flow() {
    int family = pick({4, 6});
    FlowKey k;
    k.src = addr(family);
    k.dst = addr(family);
    k.ulproto = std::uint8_t(pick({6, 17, 1, 58, 50}));
    if (k.ulproto == 6 || k.ulproto == 17) {
      k.sport = std::uint16_t(pick({1000, 2000}));
      k.dport = std::uint16_t(pick({80, 443, 22}));
    } else if (k.ulproto == 1 || k.ulproto == 58) {
      k.icmp_type = std::uint8_t(pick({8, 128, 135}));
      k.icmp_code = std::uint8_t(pick({0, 1}));
    }
    return k;
  }
};

// Compares the SPD with the reference on many flows; returns how many matched a policy.
int compare_with_reference(const Spd& spd, const std::vector<Policy>& ref, RandomWorld& w, int flows) {
  int matched = 0;
  for (int i = 0; i < flows; ++i) {
    FlowKey k = w.flow();
    for (Direction d : {Direction::kIn, Direction::kOut, Direction::kFwd}) {
      const Policy* want = ref_lookup(ref, d, k);
      const Policy* got = spd.lookup(d, k);
      if (!want) {
        EXPECT_EQ(got, nullptr) << "flow " << k.src.to_string() << " -> " << k.dst.to_string();
        continue;
      }
      ++matched;
      EXPECT_NE(got, nullptr) << "flow " << k.src.to_string() << " -> " << k.dst.to_string();
      if (!got) continue;
      EXPECT_EQ(got->id, want->id) << "flow " << k.src.to_string() << " -> " << k.dst.to_string()
                                   << " proto " << int(k.ulproto) << " dir " << int(d);
      auto shared = spd.find(d, k);
      EXPECT_TRUE(shared && shared->id == want->id);
    }
  }
  return matched;
}

TEST(PolicySpd, RandomPoliciesAgreeWithLinearReference) {
  RandomWorld w;
  Spd spd;
  std::vector<Policy> ref;
  while (ref.size() < 4000) {
    Policy p = w.policy();
    if (spd.get(p.sel, p.dir)) continue;  // duplicate selector: covered by its own test
    p.id = spd.add(p);
    ref.push_back(*spd.get(p.id));
  }
  EXPECT_EQ(spd.size(), ref.size());
  int matched = compare_with_reference(spd, ref, w, 2500);
  EXPECT_GT(matched, 2500) << "the random world should make most flows match something";

  // Remove half of them (by id and by selector, alternately) and compare again.
  std::vector<Policy> kept;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    if (i % 2 == 0) {
      kept.push_back(ref[i]);
      continue;
    }
    bool removed = i % 4 == 1 ? spd.remove(ref[i].id) : spd.remove(ref[i].sel, ref[i].dir);
    EXPECT_TRUE(removed);
  }
  EXPECT_EQ(spd.size(), kept.size());
  compare_with_reference(spd, kept, w, 2500);

  // spdupdate replaces in place: the updated policy is a new addition.
  for (std::size_t i = 0; i < kept.size(); i += 7) {
    Policy p = kept[i];
    p.priority = -20;
    p.id = spd.update(p);
    kept[i] = *spd.get(p.id);
  }
  EXPECT_EQ(spd.size(), kept.size());
  compare_with_reference(spd, kept, w, 2500);
}

TEST(PolicySpd, PriorityBeatsSpecificity) {
  Spd spd;
  Policy general = make_policy(pfx("0.0.0.0", 0), pfx("0.0.0.0", 0));
  general.priority = -5;
  Policy specific = make_policy(pfx("10.0.0.1", 32), pfx("10.0.0.2", 32));
  auto gid = spd.add(general);
  auto sid = spd.add(specific);
  EXPECT_EQ(spd.lookup(Direction::kOut, flow("10.0.0.1", "10.0.0.2"))->id, gid);
  ASSERT_TRUE(spd.remove(gid));
  EXPECT_EQ(spd.lookup(Direction::kOut, flow("10.0.0.1", "10.0.0.2"))->id, sid);
}

TEST(PolicySpd, LongerPrefixesThenPortsThenProtocolThenAge) {
  Spd spd;
  auto wide = spd.add(make_policy(pfx("10.0.0.0", 8), pfx("10.0.0.0", 8)));
  auto narrow = spd.add(make_policy(pfx("10.1.0.0", 16), pfx("10.0.0.0", 8)));
  EXPECT_EQ(spd.lookup(Direction::kOut, flow("10.1.2.3", "10.9.9.9"))->id, narrow);
  EXPECT_EQ(spd.lookup(Direction::kOut, flow("10.2.2.3", "10.9.9.9"))->id, wide);

  // Same prefix lengths: the one with a port wins over the one with a protocol only.
  Policy proto_only = make_policy(pfx("10.1.0.0", 16), pfx("10.9.0.0", 16));
  proto_only.sel.ulproto = 6;
  Policy with_port = make_policy(pfx("10.1.0.0", 16), pfx("10.9.0.0", 16));
  with_port.sel.dport = 80;
  auto pid = spd.add(proto_only);
  auto portid = spd.add(with_port);
  EXPECT_EQ(spd.lookup(Direction::kOut, flow("10.1.2.3", "10.9.9.9", 6, 5, 80))->id, portid);
  EXPECT_EQ(spd.lookup(Direction::kOut, flow("10.1.2.3", "10.9.9.9", 6, 5, 81))->id, pid);
  EXPECT_EQ(spd.lookup(Direction::kOut, flow("10.1.2.3", "10.9.9.9", 17, 5, 81))->id, narrow);

  // Everything equal but the order of addition: the earlier wins.
  Policy a = make_policy(pfx("172.16.0.0", 12), pfx("0.0.0.0", 0));
  a.sel.dport = 22;
  Policy b = make_policy(pfx("172.16.0.0", 12), pfx("0.0.0.0", 0));
  b.sel.sport = 22;
  auto aid = spd.add(a);
  spd.add(b);
  EXPECT_EQ(spd.lookup(Direction::kOut, flow("172.16.1.1", "1.2.3.4", 6, 22, 22))->id, aid);
}

TEST(PolicySpd, DirectionsAreSeparate) {
  Spd spd;
  auto in = spd.add(make_policy(pfx("10.0.0.0", 8), pfx("10.0.0.0", 8), Direction::kIn));
  EXPECT_EQ(spd.lookup(Direction::kOut, flow("10.0.0.1", "10.0.0.2")), nullptr);
  EXPECT_EQ(spd.lookup(Direction::kFwd, flow("10.0.0.1", "10.0.0.2")), nullptr);
  EXPECT_EQ(spd.lookup(Direction::kIn, flow("10.0.0.1", "10.0.0.2"))->id, in);
}

TEST(PolicySpd, FamiliesDoNotMix) {
  Spd spd;
  auto v4any = spd.add(make_policy(pfx("0.0.0.0", 0), pfx("0.0.0.0", 0)));
  EXPECT_EQ(spd.lookup(Direction::kOut, flow("2001:db8::1", "2001:db8::2")), nullptr);
  EXPECT_EQ(spd.lookup(Direction::kOut, flow("192.0.2.1", "192.0.2.2"))->id, v4any);
  auto anyany = spd.add(make_policy(IpPrefix{}, IpPrefix{}));
  EXPECT_EQ(spd.lookup(Direction::kOut, flow("2001:db8::1", "2001:db8::2"))->id, anyany);
  auto v6 = spd.add(make_policy(pfx("2001:db8::", 32), pfx("::", 0)));
  EXPECT_EQ(spd.lookup(Direction::kOut, flow("2001:db8::1", "2001:db8::2"))->id, v6);
  EXPECT_EQ(spd.lookup(Direction::kOut, flow("2001:db9::1", "2001:db8::2"))->id, anyany);
}

TEST(PolicySpd, Icmpv6TypeAndCode) {
  Spd spd;
  Policy ns = make_policy(pfx("::", 0), pfx("::", 0), Direction::kIn, PolicyAction::kBypass);
  ns.sel.ulproto = ipproto::kIcmpv6;
  ns.sel.icmp_type = 135;  // neighbour solicitation
  Policy echo0 = ns;
  echo0.sel.icmp_type = 128;
  echo0.sel.icmp_code = 0;
  Policy all = make_policy(pfx("::", 0), pfx("::", 0), Direction::kIn, PolicyAction::kDiscard);
  auto nsid = spd.add(ns);
  auto echoid = spd.add(echo0);
  auto allid = spd.add(all);
  auto icmp = [](std::uint8_t type, std::uint8_t code) {
    FlowKey k = flow("fe80::1", "fe80::2", ipproto::kIcmpv6, 0, 0);
    k.icmp_type = type;
    k.icmp_code = code;
    return k;
  };
  EXPECT_EQ(spd.lookup(Direction::kIn, icmp(135, 0))->id, nsid);
  EXPECT_EQ(spd.lookup(Direction::kIn, icmp(135, 7))->id, nsid);
  EXPECT_EQ(spd.lookup(Direction::kIn, icmp(128, 0))->id, echoid);
  EXPECT_EQ(spd.lookup(Direction::kIn, icmp(128, 1))->id, allid);
  EXPECT_EQ(spd.lookup(Direction::kIn, icmp(136, 0))->id, allid);
  // An ICMPv4 packet with type 135 is not ICMPv6.
  FlowKey v4 = flow("fe80::1", "fe80::2", ipproto::kIcmp, 0, 0);
  v4.icmp_type = 135;
  EXPECT_EQ(spd.lookup(Direction::kIn, v4)->id, allid);
}

TEST(PolicySpd, PortsMatchExactly) {
  Spd spd;
  Policy p = make_policy(pfx("10.0.0.0", 24), pfx("10.0.1.0", 24));
  p.sel.ulproto = 17;
  p.sel.sport = 500;
  p.sel.dport = 500;
  auto id = spd.add(p);
  EXPECT_EQ(spd.lookup(Direction::kOut, flow("10.0.0.5", "10.0.1.5", 17, 500, 500))->id, id);
  EXPECT_EQ(spd.lookup(Direction::kOut, flow("10.0.0.5", "10.0.1.5", 17, 501, 500)), nullptr);
  EXPECT_EQ(spd.lookup(Direction::kOut, flow("10.0.0.5", "10.0.1.5", 6, 500, 500)), nullptr);
  EXPECT_EQ(spd.lookup(Direction::kOut, flow("10.0.0.5", "10.0.2.5", 17, 500, 500)), nullptr);
}

TEST(PolicySpd, DuplicatesUpdateAndCanonicalSelectors) {
  Spd spd;
  Policy p = make_policy(pfx("10.0.0.77", 24), pfx("10.0.1.0", 24));  // host bits given
  auto id = spd.add(p);
  EXPECT_EQ(spd.get(id)->sel.src.addr, ip("10.0.0.0"));
  EXPECT_THROW(spd.add(make_policy(pfx("10.0.0.1", 24), pfx("10.0.1.0", 24))), Error);
  // Same selector, other direction: a different policy.
  EXPECT_NO_THROW(spd.add(make_policy(pfx("10.0.0.0", 24), pfx("10.0.1.0", 24), Direction::kIn)));
  Policy replacement = make_policy(pfx("10.0.0.0", 24), pfx("10.0.1.0", 24), Direction::kOut,
                                   PolicyAction::kDiscard);
  auto id2 = spd.update(replacement);
  EXPECT_EQ(spd.size(), 2u);
  EXPECT_FALSE(spd.get(id));
  EXPECT_EQ(spd.lookup(Direction::kOut, flow("10.0.0.3", "10.0.1.3"))->action, PolicyAction::kDiscard);
  EXPECT_EQ(spd.get(replacement.sel, Direction::kOut)->id, id2);
  EXPECT_TRUE(spd.remove(replacement.sel, Direction::kOut));
  EXPECT_FALSE(spd.remove(replacement.sel, Direction::kOut));
  EXPECT_FALSE(spd.remove(id2));
  EXPECT_EQ(spd.lookup(Direction::kOut, flow("10.0.0.3", "10.0.1.3")), nullptr);
  EXPECT_EQ(spd.flush(), 1u);
  EXPECT_EQ(spd.size(), 0u);
  EXPECT_EQ(spd.lookup(Direction::kIn, flow("10.0.0.3", "10.0.1.3")), nullptr);
}

// Every change of the SPD counts once; refused and empty operations do not.
TEST(PolicySpd, GenerationCountsChanges) {
  Spd spd;
  EXPECT_EQ(spd.generation(), 0u);
  const Policy p = make_policy(pfx("10.0.0.0", 24), pfx("10.0.1.0", 24));
  const auto id = spd.add(p);
  EXPECT_EQ(spd.generation(), 1u);
  EXPECT_THROW(spd.add(p), Error);
  EXPECT_EQ(spd.generation(), 1u);
  spd.update(make_policy(pfx("10.0.0.0", 24), pfx("10.0.1.0", 24), Direction::kOut, PolicyAction::kDiscard));
  EXPECT_EQ(spd.generation(), 2u);
  EXPECT_FALSE(spd.remove(id));  // replaced by the update: gone already
  EXPECT_EQ(spd.generation(), 2u);
  EXPECT_TRUE(spd.remove(p.sel, Direction::kOut));
  EXPECT_EQ(spd.generation(), 3u);
  EXPECT_EQ(spd.flush(), 0u);
  EXPECT_EQ(spd.generation(), 3u);
  spd.add(p);
  EXPECT_EQ(spd.flush(), 1u);
  EXPECT_EQ(spd.generation(), 5u);
}

TEST(PolicySpd, InvalidPoliciesAreRefused) {
  Spd spd;
  auto expect_error = [&](Policy p, const char* what) {
    try {
      spd.add(p);
      ADD_FAILURE() << "accepted: " << what;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  expect_error(make_policy(pfx("10.0.0.0", 33), pfx("10.0.0.0", 8)), "prefix length");
  expect_error(make_policy(pfx("10.0.0.0", 8), pfx("2001:db8::", 32)), "same address family");
  Policy icmp = make_policy(pfx("10.0.0.0", 8), pfx("10.0.0.0", 8));
  icmp.sel.icmp_type = 8;
  expect_error(icmp, "ICMP type");
  Policy ipsec = make_policy(pfx("10.0.0.0", 8), pfx("10.0.0.0", 8), Direction::kOut, PolicyAction::kIpsec);
  ipsec.requests.push_back(IpsecRequest{IpsecProto::kEsp, Mode::kTunnel, std::nullopt, std::nullopt,
                                        Level::kRequire, 0});
  expect_error(ipsec, "endpoint");
  Policy none_with_requests = make_policy(pfx("10.0.0.0", 8), pfx("10.0.0.0", 8));
  none_with_requests.requests.push_back(IpsecRequest{});
  expect_error(none_with_requests, "not ipsec");
  EXPECT_EQ(spd.size(), 0u);
}

TEST(PolicySpd, ForEachVisitsInOrderOfAddition) {
  Spd spd;
  std::vector<std::uint32_t> ids;
  for (int i = 0; i < 20; ++i) {
    IpAddr a = IpAddr::v4(0x0a000000u + std::uint32_t(i) * 256);
    ids.push_back(spd.add(make_policy(IpPrefix{a, 24}, pfx("0.0.0.0", 0))));
  }
  std::vector<std::uint32_t> seen;
  spd.for_each([&](const Policy& p) { seen.push_back(p.id); });
  EXPECT_EQ(seen, ids);
  // The callback may edit the SPD (no lock is held while it runs).
  spd.for_each([&](const Policy& p) { spd.remove(p.id); });
  EXPECT_EQ(spd.size(), 0u);
}

TEST(PolicySpd, FindRunsWhileTheControlPlaneEdits) {
  Spd spd;
  auto base = spd.add(make_policy(pfx("10.0.0.0", 8), pfx("10.0.0.0", 8)));
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> seen{0};
  std::thread reader([&] {
    FlowKey k = flow("10.0.0.1", "10.0.0.2");
    while (!stop.load()) {
      auto p = spd.find(Direction::kOut, k);
      if (p && p->sel.src.prefix_len >= 8) seen.fetch_add(1);
    }
  });
  // Start editing once the reader runs (the machine may be busy).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (seen.load() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  const std::uint64_t before = seen.load();
  for (int round = 0; round < 300 || (seen.load() == before && std::chrono::steady_clock::now() < deadline);
       ++round) {
    auto id = spd.add(make_policy(pfx("10.0.0.1", 32), pfx("10.0.0.2", 32)));
    spd.update(make_policy(pfx("10.0.0.0", 24), pfx("10.0.0.0", 24), Direction::kOut, PolicyAction::kDiscard));
    spd.remove(id);
  }
  stop = true;
  reader.join();
  EXPECT_GT(seen.load(), before) << "lookups ran while the SPD changed";
  EXPECT_EQ(spd.size(), 2u);
  EXPECT_TRUE(spd.get(base));
}

TEST(PolicySpd, ManyPoliciesStillFindTheRightOne) {
  Spd spd;
  // 100,000 host-to-host policies plus a catch-all: one table per prefix pair.
  for (std::uint32_t i = 0; i < 100000; ++i) {
    Policy p = make_policy(IpPrefix{IpAddr::v4(0x0a000000u + i), 32}, IpPrefix{IpAddr::v4(0xc0a80000u + i), 32});
    p.action = i % 2 ? PolicyAction::kDiscard : PolicyAction::kBypass;
    spd.add(p);
  }
  auto catchall = spd.add(make_policy(pfx("0.0.0.0", 0), pfx("0.0.0.0", 0)));
  for (std::uint32_t i = 0; i < 100000; i += 997) {
    FlowKey k;
    k.src = IpAddr::v4(0x0a000000u + i);
    k.dst = IpAddr::v4(0xc0a80000u + i);
    const Policy* p = spd.lookup(Direction::kOut, k);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->sel.src.addr, k.src);
    EXPECT_EQ(p->action, i % 2 ? PolicyAction::kDiscard : PolicyAction::kBypass);
    k.dst = IpAddr::v4(0xc0a80000u + i + 1);
    EXPECT_EQ(spd.lookup(Direction::kOut, k)->id, catchall);
  }
}

}  // namespace
