// CardOffload following the host's SAD and SPD over the register model: what
// sync() commits when the SAD changed, that it stays off the bus when nothing
// did, replay memory per inbound SA, the seq an inbound entry starts from,
// and a card too old for inbound flow entries.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <set>

#include "aipsec/card_offload.hpp"
#include "aipsec/card_register_model.hpp"
#include "aipsec/sa_runtime.hpp"
#include "counting_bus.hpp"

namespace aipsec::card {
namespace {

// The model's bus, counting every access.
using aipsec::testsupport::CountingBus;

SaConfig esp_sa(std::uint32_t spi, std::uint8_t key_byte, std::uint32_t window = 64) {
  SaConfig c;
  c.spi = spi;
  c.src = *IpAddr::parse("192.0.2.2");
  c.dst = *IpAddr::parse("192.0.2.1");
  c.mode = Mode::kTunnel;
  c.enc = EncAlg::kAesGcm16;
  Bytes key(20, key_byte);  // AES-128 key and 4-byte salt
  c.enc_key = SecureBytes(ByteView(key.data(), key.size()));
  c.replay_window = window;
  return c;
}

CardRegisterModel::Params small_card() {
  CardRegisterModel::Params p;
  p.sa_count = 64;
  p.flow_count = 256;
  return p;
}

// The valid SA entries the model holds: index -> decoded entry.
std::map<std::uint32_t, SaContext> valid_entries(const CardRegisterModel& model) {
  std::map<std::uint32_t, SaContext> out;
  for (const auto& [i, w] : model.committed_sa()) {
    const SaContext e = SaContext::unpack(w);
    if (e.valid) out[i] = e;
  }
  return out;
}

struct Fixture : ::testing::Test {
  CardRegisterModel model{small_card()};
  CountingBus bus{model};
  DataPlane dp;
  CardOffload off{bus, dp};
};

using DriverOffloadSync = Fixture;

TEST_F(DriverOffloadSync, SyncWithoutChangeTouchesNoRegister) {
  dp.sad().add(esp_sa(0x1001, 0x11));
  off.program();
  const std::uint64_t before = bus.accesses;
  for (int i = 0; i < 5; ++i) off.sync();
  EXPECT_EQ(bus.accesses, before);
}

TEST_F(DriverOffloadSync, SaAddedAfterProgramIsPlacedInbound) {
  off.program();
  EXPECT_TRUE(valid_entries(model).empty());
  dp.sad().add(esp_sa(0x2002, 0x22));
  off.sync();
  const auto entries = valid_entries(model);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries.begin()->second.spi, 0x2002u);
  EXPECT_EQ(entries.begin()->second.direction, SaContext::Direction::kInbound);
  EXPECT_EQ(off.stats().sa_inbound, 1u);
  // Placed once: a later SAD change that does not concern it leaves it alone.
  dp.sad().add(esp_sa(0x3003, 0x33));
  off.sync();
  EXPECT_EQ(off.stats().sa_inbound, 2u);
  EXPECT_EQ(valid_entries(model).size(), 2u);
}

// More changes between two syncs than the SAD's change log keeps: the sync
// walks the SAD instead and still places what is new, once.
TEST_F(DriverOffloadSync, MoreChangesThanTheLogStillPlaceNewSas) {
  off.program();
  SaConfig chacha = esp_sa(0, 0);  // not card-capable: stays with the host
  chacha.enc = EncAlg::kChaCha20Poly1305;
  chacha.enc_key = SecureBytes(Bytes(36, 0x5a));
  for (std::uint32_t i = 0; i < Sad::kChangeLog + 100; ++i) {
    chacha.spi = 0x10000 + i;
    dp.sad().add(chacha);
  }
  dp.sad().add(esp_sa(0x5005, 0x55));
  ASSERT_FALSE(dp.sad().changed_since(0).has_value());  // the log does not reach back
  off.sync();
  auto entries = valid_entries(model);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries.begin()->second.spi, 0x5005u);
  EXPECT_EQ(off.stats().sa_not_capable, Sad::kChangeLog + 100);
  // Then a few changes: through the log; nothing considered twice.
  dp.sad().add(esp_sa(0x6006, 0x66));
  ASSERT_TRUE(dp.sad().changed_since(dp.sad().generation() - 1).has_value());
  off.sync();
  EXPECT_EQ(valid_entries(model).size(), 2u);
  EXPECT_EQ(off.stats().sa_not_capable, Sad::kChangeLog + 100);
  EXPECT_EQ(off.stats().sa_inbound, 2u);
}

// The card has no SHA-384/512 core (cap_alg bits 10 and 11 are 0): ESP and
// AH SAs with those HMACs stay with the host, counted as not capable.
TEST_F(DriverOffloadSync, LargeHmacSasStayWithTheHost) {
  off.program();
  SaConfig esp = esp_sa(0x7007, 0);
  esp.enc = EncAlg::kAesCbc;
  esp.enc_key = SecureBytes(Bytes(16, 0x17));
  esp.auth = AuthAlg::kHmacSha512_256;
  esp.auth_key = SecureBytes(Bytes(64, 0x27));
  dp.sad().add(esp);
  SaConfig ah = esp_sa(0x8008, 0);
  ah.proto = IpsecProto::kAh;
  ah.enc = EncAlg::kNone;
  ah.enc_key = SecureBytes();
  ah.auth = AuthAlg::kHmacSha384_192;
  ah.auth_key = SecureBytes(Bytes(48, 0x37));
  dp.sad().add(ah);
  off.sync();
  EXPECT_TRUE(valid_entries(model).empty());
  EXPECT_EQ(off.stats().sa_not_capable, 2u);
  EXPECT_EQ(off.stats().sa_inbound, 0u);
}

TEST_F(DriverOffloadSync, UpdatedSaIsPlacedAgainWithItsNewKey) {
  dp.sad().add(esp_sa(0x4004, 0x44));
  off.program();
  dp.sad().update(esp_sa(0x4004, 0x55));
  off.sync();
  const auto entries = valid_entries(model);
  ASSERT_EQ(entries.size(), 1u);
  const SaContext& e = entries.begin()->second;
  EXPECT_EQ(e.spi, 0x4004u);
  EXPECT_EQ(e.salt, 0x55555555u);
  EXPECT_EQ(e.enc_key[7], 0x55555555u);  // a 128-bit key sits in the high words
  EXPECT_EQ(off.stats().sa_cleared, 1u);
  EXPECT_EQ(off.stats().sa_inbound, 2u);
}

// An SA that dies without a SAD change (hard lifetime in the software data
// plane, sequence overflow) leaves the card at the next sync(), told by
// Sa::deaths(); a sync() when no SA died touches no register.
TEST_F(DriverOffloadSync, DeadSaLeavesAtTheNextSync) {
  SaRef sa = dp.sad().add(esp_sa(0x5005, 0x66));
  SaRef other = dp.sad().add(esp_sa(0x6006, 0x67));
  off.program();
  ASSERT_EQ(valid_entries(model).size(), 2u);
  const std::uint64_t before = bus.accesses;
  off.sync();
  EXPECT_EQ(bus.accesses, before);
  sa->set_state(SaState::kDead);
  off.sync();
  const auto entries = valid_entries(model);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries.begin()->second.spi, 0x6006u);
  EXPECT_EQ(off.stats().sa_cleared, 1u);
  // Dying is not dead: the entry stays.
  other->set_state(SaState::kDying);
  off.sync();
  EXPECT_EQ(valid_entries(model).size(), 1u);
}

TEST_F(DriverOffloadSync, StatesChangedForcesALookAtTheCardsSas) {
  SaRef sa = dp.sad().add(esp_sa(0x5005, 0x66));
  off.program();
  ASSERT_EQ(valid_entries(model).size(), 1u);
  sa->set_state(SaState::kDead);
  off.sa_states_changed();
  off.sync();
  EXPECT_TRUE(valid_entries(model).empty());
  EXPECT_EQ(off.stats().sa_cleared, 1u);
}

// The card addresses an SA's replay words as a ring of a power of two words
// (ceil(window / 64) + 1 rounded up): 128 packets need 4 words, not 3.
TEST_F(DriverOffloadSync, ReplayRingsDoNotOverlap) {
  for (std::uint32_t spi = 0x100; spi < 0x108; ++spi) dp.sad().add(esp_sa(spi, 0x77, 128));
  off.program();
  std::set<std::uint32_t> words;
  for (const auto& [i, e] : valid_entries(model)) {
    ASSERT_EQ(e.replay_window, 128u);
    for (std::uint32_t w = 0; w < 4; ++w) EXPECT_TRUE(words.insert(e.replay_base + w).second) << e.spi;
  }
  EXPECT_EQ(words.size(), 32u);
}

// More SAs than the card's inbound table holds: those that found their bucket
// full wait with the host and move to the card once entries are cleared,
// counted once each however many syncs they wait through. Each round removes
// every SA on the card; round by round, every SA that waited reaches it.
TEST_F(DriverOffloadSync, SaWithoutAFreeEntryIsPlacedWhenOneIsCleared) {
  const std::uint32_t count = small_card().sa_count + 16;
  std::set<std::uint32_t> all;
  for (std::uint32_t i = 0; i < count; ++i) {
    dp.sad().add(esp_sa(0x4000 + i, std::uint8_t(i)));
    all.insert(0x4000 + i);
  }
  off.program();
  auto on_card = [&] {
    std::set<std::uint32_t> spis;
    for (const auto& [i, e] : valid_entries(model)) spis.insert(e.spi);
    return spis;
  };
  std::set<std::uint32_t> placed = on_card();
  ASSERT_LT(placed.size(), all.size());
  std::set<std::uint32_t> waiting;
  std::set_difference(all.begin(), all.end(), placed.begin(), placed.end(), std::inserter(waiting, waiting.end()));
  EXPECT_EQ(off.stats().sa_no_room, waiting.size());

  // A SAD change that frees no entry: they still wait, and are not counted again.
  SaConfig chacha = esp_sa(0x9000, 0x90);
  chacha.enc = EncAlg::kChaCha20Poly1305;
  chacha.enc_key = SecureBytes(Bytes(36, 0x5a));
  dp.sad().add(chacha);
  off.sync();
  EXPECT_EQ(on_card(), placed);
  EXPECT_EQ(off.stats().sa_placed_late, 0u);

  std::set<std::uint32_t> reached;
  for (int round = 0; round < 32 && reached.size() < waiting.size(); ++round) {
    for (std::uint32_t spi : on_card()) dp.sad().remove(SaKey{*IpAddr::parse("192.0.2.1"), IpsecProto::kEsp, spi});
    off.sync();
    const std::set<std::uint32_t> now = on_card();
    ASSERT_FALSE(now.empty()) << "round " << round << ": entries were cleared, nothing waiting was placed";
    for (std::uint32_t spi : now) {
      EXPECT_TRUE(waiting.count(spi)) << std::hex << spi << " did not wait";
      EXPECT_TRUE(reached.insert(spi).second) << std::hex << spi << " placed twice";
    }
  }
  EXPECT_EQ(reached, waiting);
  EXPECT_EQ(off.stats().sa_placed_late, waiting.size());
  EXPECT_EQ(off.stats().sa_no_room, waiting.size());
}

// An outbound SA whose first flow finds every SA entry taken stays with the
// host and is counted once in sa_no_room, however many flows try it; when an
// entry is freed, the next flow's miss places it (sa_placed_late).
TEST_F(DriverOffloadSync, OutboundSaWithoutAFreeEntryIsCountedOnce) {
  off.program();
  // Inbound SAs until every entry of the card's table is taken.
  std::uint32_t spi = 0x4000;
  for (int i = 0; i < 400 && valid_entries(model).size() < small_card().sa_count; ++i) {
    dp.sad().add(esp_sa(spi++, std::uint8_t(i)));
    off.sync();
  }
  ASSERT_EQ(valid_entries(model).size(), small_card().sa_count);
  SaConfig out_sa = esp_sa(0x2002, 0x21);
  out_sa.src = *IpAddr::parse("192.0.2.1");
  out_sa.dst = *IpAddr::parse("192.0.2.2");
  dp.sad().add(out_sa);
  Policy pol;
  pol.sel.src = IpPrefix{*IpAddr::parse("10.1.0.0"), 16};
  pol.sel.dst = IpPrefix{*IpAddr::parse("10.2.0.0"), 16};
  pol.dir = Direction::kOut;
  pol.action = PolicyAction::kIpsec;
  pol.requests.push_back(IpsecRequest{IpsecProto::kEsp, Mode::kTunnel, out_sa.src, out_sa.dst, Level::kRequire, 0});
  dp.spd().add(pol);
  off.sync();  // the new SA waits for an inbound entry too (counted there, once)
  const std::uint64_t no_room = off.stats().sa_no_room;
  // A UDP datagram 10.1.0.7 -> 10.2.0.1 from sport in an Ethernet frame, as a flow_miss.
  auto miss = [&](std::uint16_t sport) {
    Bytes f(14 + 36, 0);
    store_be16(f.data() + 12, 0x0800);
    std::uint8_t* ip = f.data() + 14;
    ip[0] = 0x45;
    store_be16(ip + 2, 36);
    ip[8] = 64;
    ip[9] = 17;
    ip[12] = 10, ip[13] = 1, ip[15] = 7;
    ip[16] = 10, ip[17] = 2, ip[19] = 1;
    store_be16(ip + 10, inet_checksum(ByteView(ip, 20)));
    store_be16(ip + 20, sport);
    store_be16(ip + 22, 53);
    store_be16(ip + 24, 16);
    PacketMeta meta{};
    meta.direction = PacketMeta::Direction::kOutbound;
    meta.port = PacketMeta::Port::kPlain;
    meta.exception = 1;
    meta.reason = static_cast<std::uint8_t>(CardReason::kFlowMiss);
    meta.pkt_len = static_cast<std::uint16_t>(f.size());
    meta.l3_offset = 14;
    Packet out;
    const auto r = off.answer(meta, ByteView(f.data(), f.size()), out);
    EXPECT_TRUE(r && r->verdict == Verdict::kForward);  // protected by the host meanwhile
  };
  for (std::uint16_t sport = 6000; sport < 6005; ++sport) miss(sport);
  EXPECT_EQ(off.stats().sa_no_room, no_room + 1);
  EXPECT_EQ(off.stats().sa_outbound, 0u);
  // Entries freed: the next flow places the SA, late.
  for (std::uint32_t i = 0x4000; i < spi; ++i) dp.sad().remove(SaKey{*IpAddr::parse("192.0.2.1"), IpsecProto::kEsp, i});
  const std::uint64_t late = off.stats().sa_placed_late;
  miss(6100);
  EXPECT_EQ(off.stats().sa_outbound, 1u);
  EXPECT_EQ(off.stats().sa_no_room, no_room + 1);
  EXPECT_GE(off.stats().sa_placed_late, late + 1);
}

// An inbound entry starts the card's window at its seq, counted as received
// with nothing below it marked: for an SA the host has accepted packets on,
// the entry starts a whole window above the host's highest (RFC 4303 3.4.3:
// dropping more is allowed, accepting a duplicate is not).
SaContext only_entry(const CardRegisterModel& model) {
  const auto entries = valid_entries(model);
  EXPECT_EQ(entries.size(), 1u);
  return entries.empty() ? SaContext{} : entries.begin()->second;
}

TEST_F(DriverOffloadSync, EntryOfAnSaWithAcceptedPacketsStartsAWindowAbove) {
  SaRef sa = dp.sad().add(esp_sa(0x6006, 0x12, 64));
  for (std::uint64_t n : {1, 2, 3, 5}) sa->runtime().replay.update(n);
  off.program();
  EXPECT_EQ(only_entry(model).seq, 5u + 64u);
}

TEST_F(DriverOffloadSync, SaPlacedBySyncAfterHostTrafficStartsAWindowAbove) {
  off.program();
  SaRef sa = dp.sad().add(esp_sa(0x6007, 0x13, 128));
  sa->runtime().replay.update(40);
  off.sync();
  EXPECT_EQ(only_entry(model).seq, 40u + 128u);
}

TEST_F(DriverOffloadSync, EsnEntryStartsAWindowAboveIn64Bits) {
  SaConfig c = esp_sa(0x6008, 0x14, 64);
  c.esn = true;
  SaRef sa = dp.sad().add(c);
  sa->runtime().replay.update(0x1ffffffe0ull);
  off.program();
  EXPECT_EQ(only_entry(model).seq, 0x1ffffffe0ull + 64u);  // past the 2^32 boundary
}

TEST_F(DriverOffloadSync, EntryWithoutAcceptedPacketsOrWindowKeepsTheTop) {
  dp.sad().add(esp_sa(0x6009, 0x15, 64));  // nothing accepted yet
  SaRef no_window = dp.sad().add(esp_sa(0x600a, 0x16, 0));
  no_window->runtime().replay.update(9);
  off.program();
  std::map<std::uint32_t, std::uint64_t> seq;
  for (const auto& [i, e] : valid_entries(model)) seq[e.spi] = e.seq;
  EXPECT_EQ(seq, (std::map<std::uint32_t, std::uint64_t>{{0x6009, 0}, {0x600a, 9}}));
}

TEST_F(DriverOffloadSync, SaWhoseWindowAbovePasses32BitsStaysWithTheHost) {
  SaRef fits = dp.sad().add(esp_sa(0x600b, 0x17, 64));
  fits->runtime().replay.update(0xffffffffu - 64);
  SaRef past = dp.sad().add(esp_sa(0x600c, 0x18, 64));
  past->runtime().replay.update(0xffffffffu - 63);
  off.program();
  const SaContext e = only_entry(model);
  EXPECT_EQ(e.spi, 0x600bu);
  EXPECT_EQ(e.seq, 0xffffffffu);
  EXPECT_EQ(off.stats().sa_seq_end, 1u);
  EXPECT_EQ(off.stats().sa_inbound, 1u);
}

Policy inbound_policy(const char* dst_prefix, std::uint8_t plen) {
  Policy p;
  p.dir = Direction::kIn;
  p.action = PolicyAction::kIpsec;
  p.sel.src = IpPrefix{*IpAddr::parse("10.2.0.0"), 16};
  p.sel.dst = IpPrefix{*IpAddr::parse(dst_prefix), plen};
  IpsecRequest r;
  r.mode = Mode::kTunnel;
  r.src = *IpAddr::parse("192.0.2.2");
  r.dst = *IpAddr::parse("192.0.2.1");
  p.requests.push_back(r);
  return p;
}

TEST_F(DriverOffloadSync, SelectorRewriteStartsAWindowAboveTheHostsTop) {
  dp.spd().add(inbound_policy("10.1.0.0", 16));
  SaRef sa = dp.sad().add(esp_sa(0x600d, 0x19, 64));
  off.program();
  ASSERT_EQ(only_entry(model).seq, 0u);
  ASSERT_EQ(only_entry(model).sel_dst_plen, 16u);
  for (std::uint64_t n = 1; n <= 7; ++n) sa->runtime().replay.update(n);  // as the card's packets are followed
  ASSERT_TRUE(dp.spd().remove(inbound_policy("10.1.0.0", 16).sel, Direction::kIn));
  dp.spd().add(inbound_policy("10.1.0.0", 24));
  off.sync();
  const SaContext e = only_entry(model);
  EXPECT_EQ(e.sel_dst_plen, 24u);
  EXPECT_EQ(e.seq, 7u + 64u);
}

// Without ESN a rewrite that cannot start a window above the host's top
// leaves the SA to the host instead.
TEST_F(DriverOffloadSync, SelectorRewriteNearThe32BitEndClearsTheEntry) {
  dp.spd().add(inbound_policy("10.1.0.0", 16));
  SaRef sa = dp.sad().add(esp_sa(0x600e, 0x1a, 64));
  off.program();
  ASSERT_EQ(valid_entries(model).size(), 1u);
  sa->runtime().replay.update(0xffffffffu - 63);
  ASSERT_TRUE(dp.spd().remove(inbound_policy("10.1.0.0", 16).sel, Direction::kIn));
  dp.spd().add(inbound_policy("10.1.0.0", 24));
  off.sync();
  EXPECT_TRUE(valid_entries(model).empty());
  EXPECT_EQ(off.stats().sa_seq_end, 1u);
  EXPECT_EQ(off.stats().sa_cleared, 1u);
}

// The ctrl block's register at offset a, read from the model.
std::uint32_t ctrl_read(CardRegisterModel& model, const CardOffload& off, std::uint32_t a) {
  return model.read32(off.card().require(ctrl::kType, ctrl::kVersion, "ctrl") + (a - ctrl::kBase));
}

TEST_F(DriverOffloadSync, SysctlChangeRewritesTheSettings) {
  dp.sysctl().dfbit = 1;
  off.program();
  EXPECT_EQ(ctrl::kSettingsDfbit.get(ctrl_read(model, off, ctrl::kSettings)), 1u);
  EXPECT_EQ(ctrl::kControlEnable.get(ctrl_read(model, off, ctrl::kControl)), 1u);
  dp.sysctl().dfbit = 2;
  dp.sysctl().inet.ecn = dp.sysctl().inet6.ecn = 1;
  off.sync();
  const std::uint32_t settings = ctrl_read(model, off, ctrl::kSettings);
  EXPECT_EQ(ctrl::kSettingsDfbit.get(settings), 2u);
  EXPECT_EQ(ctrl::kSettingsEcn.get(settings), 1u);
  EXPECT_EQ(ctrl::kControlEnable.get(ctrl_read(model, off, ctrl::kControl)), 1u);
  EXPECT_EQ(off.stats().sysctl_changes, 1u);
  const std::uint64_t before = bus.accesses;
  off.sync();  // nothing changed since
  EXPECT_EQ(bus.accesses, before);
}

// What the card cannot do with the sysctls as they are (ESP off; one ECN
// setting for two families that differ) turns its data path off: every
// packet goes to the host, which follows them. Back as before, back on.
TEST_F(DriverOffloadSync, SysctlsTheCardCannotFollowTurnItsDataPathOff) {
  off.program();
  auto enabled = [&] { return ctrl::kControlEnable.get(ctrl_read(model, off, ctrl::kControl)); };
  dp.sysctl().esp_enable = 0;
  off.sync();
  EXPECT_EQ(enabled(), 0u);
  dp.sysctl().esp_enable = 1;
  off.sync();
  EXPECT_EQ(enabled(), 1u);
  dp.sysctl().inet6.ecn = 1;  // IPv4 ecn stays 0
  off.sync();
  EXPECT_EQ(enabled(), 0u);
  dp.sysctl().inet.ecn = 1;
  off.sync();
  EXPECT_EQ(enabled(), 1u);
  EXPECT_EQ(off.stats().sysctl_changes, 4u);
  // At program() time too.
  dp.sysctl().esp_enable = 0;
  CardOffload again{bus, dp};
  again.program();
  EXPECT_EQ(enabled(), 0u);
}

TEST(DriverOffloadVersion, CardWithoutInboundFlowEntriesIsRefused) {
  CardRegisterModel model{small_card()};
  model.override_read(flow_window::kBase + header::kVersion, 0x00010000);
  DataPlane dp;
  CardOffload off(model, dp);
  try {
    off.program();
    FAIL() << "a flow_window 1.0 card was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("inbound"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("1.0"), std::string::npos) << e.what();
  }
  // Nothing was enabled on the refused card.
  EXPECT_EQ(model.read32(ctrl::kControl), 0u);
}

TEST(DriverOffloadVersion, CurrentFlowWindowIsAccepted) {
  CardRegisterModel model{small_card()};
  DataPlane dp;
  CardOffload off(model, dp);
  off.program();
  EXPECT_EQ(model.read32(flow_window::kBase + header::kVersion), 0x00010001u);
  EXPECT_EQ(ctrl::kControlEnable.get(model.read32(ctrl::kControl)), 1u);
}

}  // namespace
}  // namespace aipsec::card
