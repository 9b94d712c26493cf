// SA lifetimes in the daemon's lifetime pass (LifetimeWatch): the use-time
// limits, counted from the SA's first use, and a packet-count soft limit,
// turned into SADB_EXPIRE to the registered socket (soft once, hard removes).
#include <gtest/gtest.h>
#include <linux/pfkeyv2.h>

#include <map>
#include <vector>

#include "aipsec/pfkey.hpp"
#include "aipsec/xform.hpp"
#include "daemon/lifetime_watch.hpp"

namespace {

using namespace aipsec;

// A 60-byte IPv4/UDP datagram 10.1.0.1 -> 10.2.0.1.
Packet datagram() {
  Bytes d(60, 0x33);
  Ipv4HeaderFields f;
  f.src = *IpAddr::parse("10.1.0.1");
  f.dst = *IpAddr::parse("10.2.0.1");
  f.proto = ipproto::kUdp;
  f.total_len = 60;
  build_ipv4_header(d.data(), f);
  return Packet(ByteView(d.data(), d.size()));
}

SaConfig gcm_sa(std::uint32_t spi) {
  SaConfig c;
  c.proto = IpsecProto::kEsp;
  c.spi = spi;
  c.src = *IpAddr::parse("192.0.2.1");
  c.dst = *IpAddr::parse("198.51.100.1");
  c.mode = Mode::kTunnel;
  c.enc = EncAlg::kAesGcm16;
  c.enc_key = SecureBytes(Bytes(20, 0x42));
  return c;
}

class LifetimePass : public ::testing::Test {
 protected:
  Sad sad;
  Spd spd;
  std::map<pfkey::ClientId, std::vector<Bytes>> inbox;
  pfkey::Engine engine{sad, spd, [this](pfkey::ClientId to, ByteView m) { inbox[to].emplace_back(m.begin(), m.end()); }};
  daemon::DaemonCounters counters;
  daemon::LifetimeWatch watch{sad, spd, engine, counters};

  void SetUp() override {
    engine.open(1);
    sadb_msg reg{};
    reg.sadb_msg_version = PF_KEY_V2;
    reg.sadb_msg_type = SADB_REGISTER;
    reg.sadb_msg_satype = SADB_SATYPE_ESP;
    reg.sadb_msg_len = sizeof reg / 8;
    ASSERT_EQ(engine.handle(1, ByteView(reinterpret_cast<const std::uint8_t*>(&reg), sizeof reg)), 0);
    inbox.clear();
  }
  // The EXPIRE messages received so far: true for hard.
  std::vector<bool> expires() {
    std::vector<bool> out;
    for (const Bytes& b : inbox[1]) {
      auto r = pfkey::parse(b);
      if (r.msg && r.msg->type == SADB_EXPIRE) out.push_back(r.msg->lifetime_hard.has_value());
    }
    return out;
  }
};

TEST_F(LifetimePass, UseTimeCountsFromTheFirstPacket) {
  SaConfig c = gcm_sa(0x100);
  c.soft.use_seconds = 5;
  c.hard.use_seconds = 10;
  SaRef sa = sad.add(c);
  // Never used: no use-time expiry, however late.
  watch.tick(sa->current().add_time + 1000);
  EXPECT_TRUE(expires().empty());

  Packet p = datagram();
  ASSERT_EQ(xform_output(*sa, Mode::kTunnel, p, Sysctl{}), Reason::kNone);
  const std::uint64_t first = sa->current().first_use_time.load();
  ASSERT_NE(first, 0u);
  watch.tick(first + 5);  // strictly more than the limit must have passed
  EXPECT_TRUE(expires().empty());
  watch.tick(first + 6);
  EXPECT_EQ(expires(), std::vector<bool>({false}));
  EXPECT_EQ(sa->state(), SaState::kDying);
  watch.tick(first + 7);  // the soft EXPIRE goes once
  EXPECT_EQ(expires().size(), 1u);
  watch.tick(first + 11);
  EXPECT_EQ(expires(), std::vector<bool>({false, true}));
  EXPECT_EQ(sad.get(SaKey{c.dst, c.proto, c.spi}), nullptr) << "a hard expiry removes the SA";
  EXPECT_EQ(counters.expires_soft, 1u);
  EXPECT_EQ(counters.expires_hard, 1u);
}

TEST_F(LifetimePass, PacketSoftLimitIsAnnouncedAtTheNextPass) {
  SaConfig c = gcm_sa(0x200);
  c.soft.packets = 3;
  c.hard.packets = 5;
  SaRef sa = sad.add(c);
  for (int i = 0; i < 3; ++i) {
    Packet p = datagram();
    ASSERT_EQ(xform_output(*sa, Mode::kTunnel, p, Sysctl{}), Reason::kNone);
  }
  watch.tick(sa->current().add_time);
  EXPECT_EQ(expires(), std::vector<bool>({false}));
  for (int i = 0; i < 2; ++i) {
    Packet p = datagram();
    ASSERT_EQ(xform_output(*sa, Mode::kTunnel, p, Sysctl{}), Reason::kNone);
  }
  Packet over = datagram();
  EXPECT_EQ(xform_output(*sa, Mode::kTunnel, over, Sysctl{}), Reason::kLifetimeExpired);
  watch.tick(sa->current().add_time);
  EXPECT_EQ(expires(), std::vector<bool>({false, true}));
  EXPECT_EQ(sad.size(), 0u);
}

}  // namespace
