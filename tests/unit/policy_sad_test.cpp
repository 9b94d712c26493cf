// SAD: the SPI index, outbound selection rules, the life cycle of SAs held by
// reference, and a million-SA table.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <tuple>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "aipsec/sad.hpp"

using namespace aipsec;

namespace {

IpAddr ip(const char* s) { return *IpAddr::parse(s); }

SaConfig esp(const char* src, const char* dst, std::uint32_t spi, Mode mode = Mode::kAny,
             std::uint32_t reqid = 0) {
  SaConfig c;
  c.proto = IpsecProto::kEsp;
  c.spi = spi;
  c.src = ip(src);
  c.dst = ip(dst);
  c.mode = mode;
  c.reqid = reqid;
  c.enc = EncAlg::kAesGcm16;
  std::vector<std::uint8_t> key(20, std::uint8_t(spi));
  c.enc_key = SecureBytes(key);
  return c;
}

SaConfig ah(const char* src, const char* dst, std::uint32_t spi) {
  SaConfig c;
  c.proto = IpsecProto::kAh;
  c.spi = spi;
  c.src = ip(src);
  c.dst = ip(dst);
  c.auth = AuthAlg::kHmacSha256_128;
  std::vector<std::uint8_t> key(32, 7);
  c.auth_key = SecureBytes(key);
  return c;
}

TEST(PolicySad, AddGetRemove) {
  Sad sad;
  auto sa = sad.add(esp("192.0.2.1", "192.0.2.2", 0x1000));
  EXPECT_EQ(sa->state(), SaState::kMature);
  EXPECT_EQ(sad.size(), 1u);
  EXPECT_EQ(sad.get({ip("192.0.2.2"), IpsecProto::kEsp, 0x1000}), sa);
  EXPECT_EQ(sad.get({ip("192.0.2.2"), IpsecProto::kAh, 0x1000}), nullptr);
  EXPECT_EQ(sad.get({ip("192.0.2.1"), IpsecProto::kEsp, 0x1000}), nullptr);
  EXPECT_EQ(sad.get({ip("192.0.2.2"), IpsecProto::kEsp, 0x1001}), nullptr);
  EXPECT_THROW(sad.add(esp("192.0.2.9", "192.0.2.2", 0x1000)), Error);  // same (dst, proto, spi)
  EXPECT_NO_THROW(sad.add(ah("192.0.2.1", "192.0.2.2", 0x1000)));      // other protocol
  EXPECT_TRUE(sad.remove({ip("192.0.2.2"), IpsecProto::kEsp, 0x1000}));
  EXPECT_EQ(sa->state(), SaState::kDead) << "a holder of the reference must see the removal";
  EXPECT_FALSE(sad.remove({ip("192.0.2.2"), IpsecProto::kEsp, 0x1000}));
  EXPECT_EQ(sad.get({ip("192.0.2.2"), IpsecProto::kEsp, 0x1000}), nullptr);
  EXPECT_EQ(sad.size(), 1u);
}

TEST(PolicySad, InvalidConfigurationsAreRefused) {
  Sad sad;
  SaConfig bad_key = esp("192.0.2.1", "192.0.2.2", 1);
  bad_key.enc_key = SecureBytes(std::vector<std::uint8_t>(5, 1));
  EXPECT_THROW(sad.add(bad_key), Error);
  SaConfig no_dst = esp("192.0.2.1", "192.0.2.2", 2);
  no_dst.dst = IpAddr{};
  EXPECT_THROW(sad.add(no_dst), Error);
  SaConfig mixed = esp("192.0.2.1", "192.0.2.2", 3);
  mixed.src = ip("2001:db8::1");
  EXPECT_THROW(sad.add(mixed), Error);
  EXPECT_EQ(sad.size(), 0u);
}

TEST(PolicySad, UpdateReplacesAndKillsTheOldObject) {
  Sad sad;
  auto old = sad.add(esp("192.0.2.1", "192.0.2.2", 0x2000, Mode::kAny, 5));
  EXPECT_THROW(sad.update(esp("192.0.2.1", "192.0.2.2", 0x2001)), Error);  // absent
  auto fresh = sad.update(esp("192.0.2.1", "192.0.2.2", 0x2000, Mode::kAny, 9));
  EXPECT_NE(old, fresh);
  EXPECT_EQ(old->state(), SaState::kDead);
  EXPECT_EQ(sad.size(), 1u);
  EXPECT_EQ(sad.get({ip("192.0.2.2"), IpsecProto::kEsp, 0x2000})->config().reqid, 9u);
  EXPECT_EQ(sad.find_outbound(ip("192.0.2.1"), ip("192.0.2.2"), IpsecProto::kEsp, Mode::kTransport, 9), fresh);
  EXPECT_EQ(sad.find_outbound(ip("192.0.2.1"), ip("192.0.2.2"), IpsecProto::kEsp, Mode::kTransport, 5), nullptr);
  // An update that moves the source re-indexes the outbound selection.
  auto moved = sad.update(esp("192.0.2.7", "192.0.2.2", 0x2000));
  EXPECT_EQ(sad.find_outbound(ip("192.0.2.1"), ip("192.0.2.2"), IpsecProto::kEsp, Mode::kAny, 0), nullptr);
  EXPECT_EQ(sad.find_outbound(ip("192.0.2.7"), ip("192.0.2.2"), IpsecProto::kEsp, Mode::kAny, 0), moved);
}

TEST(PolicySad, FindOutboundPrefersNewestMatureThenDying) {
  Sad sad;
  const IpAddr a = ip("198.51.100.1"), b = ip("198.51.100.2");
  auto first = sad.add(esp("198.51.100.1", "198.51.100.2", 0x10));
  auto second = sad.add(esp("198.51.100.1", "198.51.100.2", 0x11));
  auto third = sad.add(esp("198.51.100.1", "198.51.100.2", 0x12));
  EXPECT_EQ(sad.find_outbound(a, b, IpsecProto::kEsp, Mode::kTransport, 0), third);
  third->set_state(SaState::kLarval);
  EXPECT_EQ(sad.find_outbound(a, b, IpsecProto::kEsp, Mode::kTransport, 0), second);
  second->set_state(SaState::kDying);
  EXPECT_EQ(sad.find_outbound(a, b, IpsecProto::kEsp, Mode::kTransport, 0), first)
      << "a mature SA is preferred to a newer dying one";
  first->set_state(SaState::kDying);
  EXPECT_EQ(sad.find_outbound(a, b, IpsecProto::kEsp, Mode::kTransport, 0), second)
      << "among dying SAs the newest";
  first->set_state(SaState::kDead);
  second->set_state(SaState::kDead);
  EXPECT_EQ(sad.find_outbound(a, b, IpsecProto::kEsp, Mode::kTransport, 0), nullptr)
      << "dead and larval SAs are never chosen";
  // Direction matters: b -> a has no SA.
  third->set_state(SaState::kMature);
  EXPECT_EQ(sad.find_outbound(b, a, IpsecProto::kEsp, Mode::kTransport, 0), nullptr);
  EXPECT_EQ(sad.find_outbound(a, b, IpsecProto::kAh, Mode::kTransport, 0), nullptr);
}

TEST(PolicySad, FindOutboundModeAndReqid) {
  Sad sad;
  const IpAddr a = ip("2001:db8::1"), b = ip("2001:db8::2");
  auto tunnel = sad.add(esp("2001:db8::1", "2001:db8::2", 0x20, Mode::kTunnel, 0));
  auto transport = sad.add(esp("2001:db8::1", "2001:db8::2", 0x21, Mode::kTransport, 0));
  EXPECT_EQ(sad.find_outbound(a, b, IpsecProto::kEsp, Mode::kTunnel, 0), tunnel);
  EXPECT_EQ(sad.find_outbound(a, b, IpsecProto::kEsp, Mode::kTransport, 0), transport);
  auto any = sad.add(esp("2001:db8::1", "2001:db8::2", 0x22, Mode::kAny, 0));
  EXPECT_EQ(sad.find_outbound(a, b, IpsecProto::kEsp, Mode::kTunnel, 0), any) << "mode any fits every request";
  EXPECT_EQ(sad.find_outbound(a, b, IpsecProto::kEsp, Mode::kTransport, 0), any);
  auto unique = sad.add(esp("2001:db8::1", "2001:db8::2", 0x23, Mode::kTransport, 77));
  EXPECT_EQ(sad.find_outbound(a, b, IpsecProto::kEsp, Mode::kTransport, 77), unique);
  EXPECT_EQ(sad.find_outbound(a, b, IpsecProto::kEsp, Mode::kTunnel, 77), nullptr);
  EXPECT_EQ(sad.find_outbound(a, b, IpsecProto::kEsp, Mode::kTransport, 78), nullptr);
  EXPECT_EQ(sad.find_outbound(a, b, IpsecProto::kEsp, Mode::kTransport, 0), unique)
      << "without a reqid every SA qualifies, the newest first";
}

TEST(PolicySad, DeleteallFlushAndForEach) {
  Sad sad;
  std::vector<SaRef> ab;
  for (std::uint32_t i = 1; i <= 5; ++i) ab.push_back(sad.add(esp("10.0.0.1", "10.0.0.2", i)));
  auto ba = sad.add(esp("10.0.0.2", "10.0.0.1", 100));
  auto ah1 = sad.add(ah("10.0.0.1", "10.0.0.2", 200));
  std::vector<std::uint32_t> order;
  sad.for_each([&](const SaRef& sa) { order.push_back(sa->config().spi); });
  EXPECT_EQ(order, (std::vector<std::uint32_t>{1, 2, 3, 4, 5, 100, 200}));
  order.clear();
  sad.for_each([&](const SaRef& sa) { order.push_back(sa->config().spi); }, IpsecProto::kAh);
  EXPECT_EQ(order, (std::vector<std::uint32_t>{200}));

  EXPECT_EQ(sad.remove_all(ip("10.0.0.1"), ip("10.0.0.2"), IpsecProto::kEsp), 5u);
  for (const auto& sa : ab) EXPECT_EQ(sa->state(), SaState::kDead);
  EXPECT_EQ(ba->state(), SaState::kMature);
  EXPECT_EQ(ah1->state(), SaState::kMature);
  EXPECT_EQ(sad.size(), 2u);
  EXPECT_EQ(sad.flush(IpsecProto::kAh), 1u);
  EXPECT_EQ(ah1->state(), SaState::kDead);
  EXPECT_EQ(sad.find_outbound(ip("10.0.0.1"), ip("10.0.0.2"), IpsecProto::kAh, Mode::kAny, 0), nullptr);
  EXPECT_EQ(sad.find_outbound(ip("10.0.0.2"), ip("10.0.0.1"), IpsecProto::kEsp, Mode::kAny, 0), ba);
  EXPECT_EQ(sad.flush(), 1u);
  EXPECT_EQ(sad.size(), 0u);
  EXPECT_EQ(ba->state(), SaState::kDead);
  EXPECT_EQ(sad.find_outbound(ip("10.0.0.2"), ip("10.0.0.1"), IpsecProto::kEsp, Mode::kAny, 0), nullptr);
  // for_each's callback may edit the SAD.
  for (std::uint32_t i = 1; i <= 3; ++i) sad.add(esp("10.0.0.1", "10.0.0.2", i));
  sad.for_each([&](const SaRef& sa) { sad.remove({sa->config().dst, sa->config().proto, sa->config().spi}); });
  EXPECT_EQ(sad.size(), 0u);
}

TEST(PolicySad, ReadersRunWhileTheControlPlaneInstalls) {
  Sad sad;
  sad.add(esp("10.0.0.1", "10.0.0.2", 1));
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> found{0};
  std::thread reader([&] {
    while (!stop.load()) {
      if (sad.get({ip("10.0.0.2"), IpsecProto::kEsp, 1})) found.fetch_add(1);
      sad.find_outbound(ip("10.0.0.1"), ip("10.0.0.2"), IpsecProto::kEsp, Mode::kAny, 0);
    }
  });
  // Start installing once the reader runs (the machine may be busy).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (found.load() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  for (std::uint32_t i = 2; i < 2000; ++i) {
    sad.add(esp("10.0.0.1", "10.0.0.2", i));
    if (i % 3 == 0) sad.remove({ip("10.0.0.2"), IpsecProto::kEsp, i});
  }
  stop = true;
  reader.join();
  EXPECT_GT(found.load(), 0u);
  EXPECT_EQ(sad.size(), 1u + 1998u - 666u);
}

TEST(PolicySad, OneMillionSas) {
  constexpr std::uint32_t kCount = 1000000;
  // Keying a million SAs is the crypto layer's cost, not the SAD's: they are
  // built first (AH HMAC-SHA1, the cheapest to key), then installed and looked up.
  auto t0 = std::chrono::steady_clock::now();
  std::vector<SaRef> built;
  built.reserve(kCount);
  const std::vector<std::uint8_t> key(20, 0x5a);
  for (std::uint32_t i = 0; i < kCount; ++i) {
    SaConfig c;
    c.proto = IpsecProto::kAh;
    c.spi = 0x100 + i;
    c.src = IpAddr::v4(0x0a000000u + i / 4);  // four SAs per pair of peers
    c.dst = IpAddr::v4(0xac100000u + i / 4);
    c.auth = AuthAlg::kHmacSha1_96;
    c.auth_key = SecureBytes(key);
    built.push_back(std::make_shared<Sa>(std::move(c)));
  }
  auto t1 = std::chrono::steady_clock::now();
  Sad sad;
  for (auto& sa : built) sad.add(std::move(sa));
  built.clear();
  auto t2 = std::chrono::steady_clock::now();
  ASSERT_EQ(sad.size(), kCount);
  std::size_t hits = 0;
  for (std::uint32_t i = 0; i < kCount; ++i) {
    SaRef sa = sad.get({IpAddr::v4(0xac100000u + i / 4), IpsecProto::kAh, 0x100 + i});
    hits += sa && sa->config().spi == 0x100 + i;
  }
  auto t3 = std::chrono::steady_clock::now();
  EXPECT_EQ(hits, kCount);
  EXPECT_EQ(sad.get({IpAddr::v4(0xac100000u), IpsecProto::kAh, 0x100 + 4}), nullptr) << "wrong dst";
  for (std::uint32_t i = 0; i < kCount; i += 4099) {
    SaRef sa = sad.find_outbound(IpAddr::v4(0x0a000000u + i / 4), IpAddr::v4(0xac100000u + i / 4),
                                 IpsecProto::kAh, Mode::kTransport, 0);
    ASSERT_TRUE(sa);
    EXPECT_EQ(sa->config().spi, 0x100 + (i / 4) * 4 + 3) << "the newest of the pair";
  }
  auto ms = [](auto d) { return (long long)std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  std::printf("1,000,000 SAs: keying %lld ms, SAD insert %lld ms, SAD get of each %lld ms\n",
              ms(t1 - t0), ms(t2 - t1), ms(t3 - t2));
  EXPECT_EQ(sad.flush(), kCount);
}

}  // namespace

// Random adds, duplicate adds, updates, removes, deleteall and flushes on a
// small address space (many SAs per pair, SPIs reused across destinations,
// long probe clusters in the indexes), checked after every step against a
// plain ordered list of what should be there.
TEST(PolicySad, RandomOperationsAgreeWithAListModel) {
  struct Want {
    std::string src, dst;
    IpsecProto proto;
    std::uint32_t spi;
    std::uint64_t order;
  };
  std::vector<Want> model;  // in insertion order
  std::mt19937 rng(20261127);
  auto pick = [&](int n) { return int(rng() % std::uint32_t(n)); };
  const std::vector<std::string> addrs = {"10.0.0.1", "10.0.0.2", "10.0.0.3", "2001:db8::1", "2001:db8::2"};
  Sad sad;
  std::uint64_t order = 0, changes = 0;
  auto find_model = [&](const std::string& dst, IpsecProto p, std::uint32_t spi) {
    return std::find_if(model.begin(), model.end(),
                        [&](const Want& w) { return w.dst == dst && w.proto == p && w.spi == spi; });
  };
  for (int step = 0; step < 6000; ++step) {
    const bool v6 = pick(2) == 1;
    const std::string src = addrs[v6 ? 3 + pick(2) : pick(3)], dst = addrs[v6 ? 3 + pick(2) : pick(3)];
    const IpsecProto proto = pick(4) == 0 ? IpsecProto::kAh : IpsecProto::kEsp;
    const std::uint32_t spi = 256 + std::uint32_t(pick(400));
    const SaConfig cfg = proto == IpsecProto::kAh ? ah(src.c_str(), dst.c_str(), spi) : esp(src.c_str(), dst.c_str(), spi);
    const int op = pick(100);
    auto it = find_model(dst, proto, spi);
    if (op < 55) {
      const bool added = sad.try_add(cfg) != nullptr;
      EXPECT_EQ(added, it == model.end());
      if (added) model.push_back({src, dst, proto, spi, ++order}), ++changes;
    } else if (op < 65) {
      if (it == model.end()) {
        EXPECT_THROW(sad.update(cfg), Error);
      } else {
        sad.update(cfg);
        it->src = src;  // keeps its place in the order
        ++changes;
      }
    } else if (op < 90) {
      EXPECT_EQ(sad.remove({ip(dst.c_str()), proto, spi}), it != model.end());
      if (it != model.end()) model.erase(it), ++changes;
    } else if (op < 97) {
      const auto n = std::erase_if(model, [&](const Want& w) { return w.src == src && w.dst == dst && w.proto == proto; });
      EXPECT_EQ(sad.remove_all(ip(src.c_str()), ip(dst.c_str()), proto), n);
      changes += n;
    } else if (op < 99) {
      const auto n = std::erase_if(model, [&](const Want& w) { return w.proto == IpsecProto::kAh; });
      EXPECT_EQ(sad.flush(IpsecProto::kAh), n);
      changes += n != 0;
    } else {
      const auto n = model.size();
      EXPECT_EQ(sad.flush(), n);
      model.clear();
      changes += n != 0;
    }
    ASSERT_EQ(sad.size(), model.size()) << "step " << step;
    ASSERT_EQ(sad.generation(), changes) << "step " << step;
    if (step % 50 != 0) continue;
    std::vector<std::uint32_t> got_order, want_order;
    sad.for_each([&](const SaRef& sa) { got_order.push_back(sa->config().spi); });
    for (const auto& w : model) want_order.push_back(w.spi);
    ASSERT_EQ(got_order, want_order) << "step " << step;
    for (const auto& w : model) {
      const SaRef sa = sad.get({ip(w.dst.c_str()), w.proto, w.spi});
      ASSERT_NE(sa, nullptr);
      EXPECT_EQ(sa->config().src, ip(w.src.c_str()));
    }
    for (const auto& s : addrs)
      for (const auto& d : addrs) {
        const Want* newest = nullptr;
        for (const auto& w : model)
          if (w.src == s && w.dst == d && w.proto == IpsecProto::kEsp) newest = &w;
        const SaRef sa = sad.find_outbound(ip(s.c_str()), ip(d.c_str()), IpsecProto::kEsp, Mode::kAny, 0);
        ASSERT_EQ(sa == nullptr, newest == nullptr) << s << " -> " << d;
        if (sa) {
          EXPECT_EQ(sa->config().spi, newest->spi);
        }
      }
  }
}

// A mirror that follows changed_since (or walks the SAD when the log no
// longer reaches back) holds exactly what the SAD holds after every sync,
// whatever happened in between: bursts of up to 6,000 random changes, some
// longer than the log.
TEST(PolicySad, AMirrorFollowingChangedSinceStaysExact) {
  using Key = std::tuple<std::string, int, std::uint32_t>;
  auto key_of = [](const SaRef& sa) {
    const SaConfig& c = sa->config();
    return Key{c.dst.to_string(), int(c.proto), c.spi};
  };
  std::mt19937 rng(7);
  const std::vector<std::string> addrs = {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"};
  Sad sad;
  std::map<Key, const Sa*> mirror;
  std::uint64_t followed = 0;
  int walks = 0, logs = 0;
  for (int burst = 0; burst < 40; ++burst) {
    const int len = burst == 7 ? int(Sad::kChangeLog) + 10 : int(rng() % 3000) + 1;
    for (int i = 0; i < len; ++i) {
      const std::string src = addrs[rng() % 4], dst = addrs[rng() % 4];
      const std::uint32_t spi = 256 + rng() % 3000;
      const int op = int(rng() % 100);
      if (op < 60) {
        sad.try_add(esp(src.c_str(), dst.c_str(), spi));
      } else if (op < 70) {
        if (sad.get({ip(dst.c_str()), IpsecProto::kEsp, spi})) sad.update(esp(src.c_str(), dst.c_str(), spi));
      } else if (op < 99) {
        sad.remove({ip(dst.c_str()), IpsecProto::kEsp, spi});
      } else {
        sad.remove_all(ip(src.c_str()), ip(dst.c_str()), IpsecProto::kEsp);
      }
    }
    if (burst % 13 == 12) sad.flush();
    if (auto ch = sad.changed_since(followed)) {
      ++logs;
      for (const SaKey& k : ch->keys) {
        const Key mk{k.dst.to_string(), int(k.proto), k.spi};
        if (SaRef now = sad.get(k)) mirror[mk] = now.get();
        else mirror.erase(mk);
      }
      followed = ch->generation;
    } else {
      ++walks;
      followed = sad.generation();
      mirror.clear();
      sad.for_each([&](const SaRef& sa) { mirror[key_of(sa)] = sa.get(); });
    }
    std::map<Key, const Sa*> truth;
    sad.for_each([&](const SaRef& sa) { truth[key_of(sa)] = sa.get(); });
    ASSERT_EQ(mirror, truth) << "burst " << burst;
  }
  EXPECT_GT(walks, 0);  // the long burst outran the log
  EXPECT_GT(logs, 20);
  // Nothing changed: an empty list at the current generation.
  auto none = sad.changed_since(sad.generation());
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->keys.empty());
  EXPECT_FALSE(sad.changed_since(sad.generation() + 1).has_value());
}

// Twenty thousand SAs between one pair of hosts (one SA per flow, as unique
// policies make): each insert and removal stays with its own pair, the newest
// mature SA is found, and removing SAs in any order leaves the right newest.
TEST(PolicySad, ManySasBetweenOnePair) {
  constexpr std::uint32_t kCount = 20000;
  Sad sad;
  for (std::uint32_t i = 0; i < kCount; ++i) sad.add(esp("10.0.0.1", "10.0.0.2", 0x1000 + i));
  auto newest = [&] {
    SaRef sa = sad.find_outbound(ip("10.0.0.1"), ip("10.0.0.2"), IpsecProto::kEsp, Mode::kAny, 0);
    return sa ? sa->config().spi : 0u;
  };
  EXPECT_EQ(newest(), 0x1000 + kCount - 1);
  // Remove the newest, then every other one from the oldest up.
  EXPECT_TRUE(sad.remove({ip("10.0.0.2"), IpsecProto::kEsp, 0x1000 + kCount - 1}));
  EXPECT_EQ(newest(), 0x1000 + kCount - 2);
  for (std::uint32_t i = 0; i < kCount - 1; i += 2) EXPECT_TRUE(sad.remove({ip("10.0.0.2"), IpsecProto::kEsp, 0x1000 + i}));
  EXPECT_EQ(sad.size(), (kCount - 1) / 2);
  EXPECT_EQ(newest(), 0x1000 + kCount - 2 - ((kCount - 2) % 2 == 0 ? 1 : 0));
  EXPECT_EQ(sad.remove_all(ip("10.0.0.1"), ip("10.0.0.2"), IpsecProto::kEsp), (kCount - 1) / 2);
  EXPECT_EQ(newest(), 0u);
  EXPECT_EQ(sad.size(), 0u);
}
