// Policy lifetimes (KAME's SP lifetime / validtime): an X_SPDADD with a hard
// lifetime, the SPD's creation and use stamps, and SADB_X_SPDEXPIRE to the
// registered sockets when the limit has passed (FreeBSD key_spdexpire).
#include <ctime>

#include "aipsec/spd.hpp"
#include "pfkey_engine_fixture.hpp"

namespace {

using namespace pfkey_test;
using aipsec::FlowKey;
using aipsec::IpAddr;

// Outbound ESP tunnel policy 10.1.0.0/16 -> 10.2.0.0/24 with a hard lifetime.
Bytes spd_with_lifetime(std::uint64_t add_seconds, std::uint64_t use_seconds) {
  return RawMsg(SADB_X_SPDADD, SADB_SATYPE_UNSPEC)
      .address(SADB_EXT_ADDRESS_SRC, "10.1.0.0", 16)
      .address(SADB_EXT_ADDRESS_DST, "10.2.0.0", 24)
      .lifetime(SADB_EXT_LIFETIME_HARD, 0, 0, add_seconds, use_seconds)
      .policy(IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0x80000000,
              {{IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 7, "192.0.2.1", "192.0.2.2"}})
      .done();
}

FlowKey flow() {
  FlowKey k;
  k.src = *IpAddr::parse("10.1.3.4");
  k.dst = *IpAddr::parse("10.2.0.9");
  k.ulproto = 17;
  return k;
}

class SpdLifetime : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    ASSERT_EQ(engine.handle(2, header_only(SADB_REGISTER, SADB_SATYPE_ESP)), 0);
    clear();
  }
  std::uint32_t add(std::uint64_t add_s, std::uint64_t use_s) {
    const std::uint64_t before = std::uint64_t(std::time(nullptr));
    EXPECT_EQ(engine.handle(1, spd_with_lifetime(add_s, use_s)), 0);
    const auto m = last(1);
    EXPECT_TRUE(m.policy.has_value());
    const std::uint32_t id = m.policy ? m.policy->id : 0;
    const auto t = spd.times(id);
    EXPECT_TRUE(t.has_value());
    if (t) {
      EXPECT_GE(t->created, before);
      EXPECT_LE(t->created, std::uint64_t(std::time(nullptr)));
      EXPECT_EQ(t->last_used, 0u);
    }
    clear();
    return id;
  }
};

TEST_F(SpdLifetime, AddTimeLimitRemovesThePolicyAndTellsRegisteredSockets) {
  const std::uint32_t id = add(30, 0);
  const std::uint64_t created = spd.times(id)->created;
  // KAME's rule: the limit is passed when strictly more time has elapsed.
  EXPECT_EQ(engine.expire_policies(created + 30), 0u);
  EXPECT_EQ(spd.size(), 1u);
  EXPECT_TRUE(inbox.empty());

  EXPECT_EQ(engine.expire_policies(created + 31), 1u);
  EXPECT_EQ(spd.size(), 0u);
  EXPECT_EQ(spd.lookup(aipsec::Direction::kOut, flow()), nullptr);
  // Client 2 registered; clients 1 and 3 did not.
  EXPECT_TRUE(inbox[1].empty());
  EXPECT_TRUE(inbox[3].empty());
  ASSERT_EQ(inbox[2].size(), 1u);
  const auto m = last(2);
  EXPECT_EQ(m.type, SADB_X_SPDEXPIRE);
  EXPECT_EQ(m.error, 0);
  ASSERT_TRUE(m.policy.has_value());
  EXPECT_EQ(m.policy->id, id);
  EXPECT_EQ(m.policy->dir, IPSEC_DIR_OUTBOUND);
  ASSERT_TRUE(m.src && m.dst);
  EXPECT_EQ(m.src->sa.addr.to_string(), "10.1.0.0");
  EXPECT_EQ(m.dst->prefixlen, 24);
  ASSERT_TRUE(m.lifetime_current && m.lifetime_hard);
  EXPECT_EQ(m.lifetime_current->addtime, created);
  EXPECT_EQ(m.lifetime_current->usetime, 0u);
  EXPECT_EQ(m.lifetime_hard->addtime, 30u);
  // Expired once: a second pass finds nothing.
  EXPECT_EQ(engine.expire_policies(created + 100), 0u);
}

TEST_F(SpdLifetime, UseTimeCountsFromTheLastLookup) {
  const std::uint32_t id = add(0, 10);
  const std::uint64_t created = spd.times(id)->created;
  // Never used: idle since creation.
  EXPECT_EQ(engine.expire_policies(created + 10), 0u);
  spd.set_now(created + 8);
  ASSERT_NE(spd.lookup(aipsec::Direction::kOut, flow()), nullptr);
  EXPECT_EQ(spd.times(id)->last_used, created + 8);
  spd.set_now(created + 15);
  ASSERT_NE(spd.find(aipsec::Direction::kOut, flow()), nullptr);
  EXPECT_EQ(spd.times(id)->last_used, created + 15);
  EXPECT_EQ(engine.expire_policies(created + 25), 0u);
  EXPECT_EQ(engine.expire_policies(created + 26), 1u);
  const auto m = last(2);
  EXPECT_EQ(m.type, SADB_X_SPDEXPIRE);
  ASSERT_TRUE(m.lifetime_current && m.lifetime_hard);
  EXPECT_EQ(m.lifetime_current->usetime, created + 15);
  EXPECT_EQ(m.lifetime_hard->usetime, 10u);
}

TEST_F(SpdLifetime, PoliciesWithoutALifetimeNeverExpireAndLookupsDoNotStampThem) {
  ASSERT_EQ(engine.handle(1, spd_tunnel(SADB_X_SPDADD, 0)), 0);
  const std::uint32_t id = last(1).policy->id;
  spd.set_now(std::uint64_t(std::time(nullptr)) + 5);
  FlowKey k = flow();
  ASSERT_NE(spd.lookup(aipsec::Direction::kOut, k), nullptr);
  EXPECT_EQ(spd.times(id)->last_used, 0u);
  EXPECT_EQ(engine.expire_policies(std::uint64_t(1) << 40), 0u);
  EXPECT_EQ(spd.size(), 1u);
}

}  // namespace

namespace {

using namespace pfkey_test;

// An outbound ipsec policy without requests (KAME's incomplete policy).
Bytes spd_incomplete() {
  return RawMsg(SADB_X_SPDADD, SADB_SATYPE_UNSPEC)
      .address(SADB_EXT_ADDRESS_SRC, "10.1.0.0", 16)
      .address(SADB_EXT_ADDRESS_DST, "10.2.0.0", 24)
      .policy(IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0x80000000, {})
      .done();
}

class SpdAcquire : public EngineFixture {};

TEST_F(SpdAcquire, IncompletePolicyIsAcceptedAndSpdAcquireReachesRegisteredSockets) {
  ASSERT_EQ(engine.handle(2, header_only(SADB_REGISTER, SADB_SATYPE_ESP)), 0);
  ASSERT_EQ(engine.handle(1, spd_incomplete()), 0);
  const std::uint32_t id = last(1).policy->id;
  clear();
  EXPECT_EQ(engine.spd_acquire(id), 1u);
  EXPECT_TRUE(inbox[1].empty());
  EXPECT_TRUE(inbox[3].empty());
  const auto m = last(2);
  EXPECT_EQ(m.type, SADB_X_SPDACQUIRE);
  ASSERT_TRUE(m.policy.has_value());
  EXPECT_EQ(m.policy->id, id);
  EXPECT_EQ(m.policy->type, IPSEC_POLICY_IPSEC);
  EXPECT_TRUE(m.policy->requests.empty());
  ASSERT_TRUE(m.dst.has_value());
  EXPECT_EQ(m.dst->sa.addr.to_string(), "10.2.0.0");

  // The key daemon completes it with X_SPDUPDATE: no more SPDACQUIRE for it.
  ASSERT_EQ(engine.handle(1, spd_tunnel(SADB_X_SPDUPDATE, 0)), 0);
  clear();
  aipsec::Selector sel;
  sel.src = aipsec::IpPrefix{*aipsec::IpAddr::parse("10.1.0.0"), 16};
  sel.dst = aipsec::IpPrefix{*aipsec::IpAddr::parse("10.2.0.0"), 24};
  const auto complete = spd.get(sel, aipsec::Direction::kOut);
  ASSERT_TRUE(complete.has_value());
  EXPECT_EQ(complete->requests.size(), 1u);
  EXPECT_EQ(engine.spd_acquire(complete->id), 0u);
  EXPECT_EQ(engine.spd_acquire(0xdeadbeef), 0u);
  EXPECT_TRUE(inbox.empty());
}

}  // namespace
