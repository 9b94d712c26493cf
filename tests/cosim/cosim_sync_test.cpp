// The co-simulated card follows the host's SAD and SPD after program()
// (CardOffload::sync): an SA added later and an SA replaced by an update open
// their packets on the card, a changed policy reaches flows the card had
// cached, a dead SA's packets are dropped as lifetime_expired rather than
// reported as an unknown SPI, a sync with nothing to follow stays off the
// register bus, and an inbound entry written after its SA accepted packets
// (through the host, or on the card before a selector rewrite) does not let
// those packets be replayed through the card. Expected plaintext is the datagram the peer protected; the
// peer is a separate software data plane.
#include <gtest/gtest.h>

#include <vector>

#include "aipsec/card_offload.hpp"
#include "aipsec/card_regs.hpp"
#include "aipsec/cosim_datapath.hpp"
#include "aipsec/packet.hpp"
#include "aipsec/sa_runtime.hpp"
#include "aipsec/setkey.hpp"
#include "../support/counting_bus.hpp"

namespace {

using namespace aipsec;
using aipsec::card::CardReason;

constexpr char kKey1[] = "0x101112131415161718191a1b1c1d1e1fcafebabe";
constexpr char kKey2[] = "0x202122232425262728292a2b2c2d2e2fdeadbeef";
constexpr char kInPolicy[] = "spdadd 10.2.0.0/16 10.1.0.0/16 any -P in ipsec esp/tunnel/192.0.2.2-192.0.2.1/require;\n";
constexpr char kPeerPolicy[] =
    "spdadd 10.2.0.0/16 10.1.0.0/16 any -P out ipsec esp/tunnel/192.0.2.2-192.0.2.1/require;\n";

std::string inbound_sa(const char* key, const char* extra = "") {
  return std::string("add 192.0.2.2 192.0.2.1 esp 0x1001 -m tunnel -r 8 ") + extra + " -E aes-gcm-16 " + key +
         ";\n";
}

void configure(DataPlane& dp, const std::string& conf) { setkey::apply_all(dp, setkey::parse(conf)); }

std::uint8_t code(CardReason r) { return static_cast<std::uint8_t>(r); }

Bytes ethernet(ByteView ip) {
  Bytes f(14 + ip.size(), 0);
  for (std::size_t i = 0; i < 12; ++i) f[i] = static_cast<std::uint8_t>(0x02 + i);
  store_be16(f.data() + 12, ip.empty() || (ip[0] >> 4) == 4 ? 0x0800 : 0x86dd);
  std::copy(ip.begin(), ip.end(), f.begin() + 14);
  return f;
}

// IPv4 UDP 10.<net>.0.7 -> 10.<dnet>.0.1, payload bytes counting up from seed.
Bytes udp(std::uint8_t net, std::uint8_t dnet, std::uint16_t sport, std::size_t payload, std::uint8_t seed = 0) {
  Bytes ip(28 + payload, 0);
  ip[0] = 0x45;
  store_be16(ip.data() + 2, static_cast<std::uint16_t>(ip.size()));
  ip[8] = 64;
  ip[9] = 17;
  ip[12] = 10, ip[13] = net, ip[15] = 7;
  ip[16] = 10, ip[17] = dnet, ip[19] = 1;
  store_be16(ip.data() + 10, inet_checksum(ByteView(ip.data(), 20)));
  store_be16(ip.data() + 20, sport);
  store_be16(ip.data() + 22, 53);
  store_be16(ip.data() + 24, static_cast<std::uint16_t>(8 + payload));
  for (std::size_t i = 0; i < payload; ++i) ip[28 + i] = static_cast<std::uint8_t>(seed + i);
  return ip;
}

// The peer protects a datagram: the ESP frame for the card's protected port.
Bytes protect(DataPlane& peer, const Bytes& datagram) {
  Packet p(ByteView(datagram.data(), datagram.size()));
  EXPECT_EQ(peer.output(p).verdict, Verdict::kForward);
  return ethernet(p.bytes());
}

// Packets the card counted on the entries of SPI spi.
std::uint64_t card_packets(card::CardOffload& off, std::uint32_t spi) {
  std::uint64_t n = 0;
  for (const card::CardSaCounters& c : off.read_sa_counters())
    if (c.spi == spi) n += c.packets;
  return n;
}

// The card opened the frame itself and sent out exactly the datagram the peer protected.
void expect_opened_by_card(cosim::CosimDataPath& card, const Bytes& datagram, DataPlane& peer) {
  const cosim::Outcome o = card.process(Direction::kIn, protect(peer, datagram));
  ASSERT_TRUE(o.by_card) << "card reason " << int(o.card_reason) << ", host " << reason_name(o.reason);
  ASSERT_EQ(o.verdict, Verdict::kForward) << int(o.card_reason);
  ASSERT_GE(o.frame.size(), 14u);
  EXPECT_EQ(Bytes(o.frame.begin() + 14, o.frame.end()), datagram);
}

TEST(CosimSync, SaAddedAfterProgramOpensOnTheCard) {
  DataPlane dp, peer;
  configure(dp, kInPolicy);
  configure(peer, inbound_sa(kKey1) + kPeerPolicy);
  cosim::CosimDataPath card(dp);
  card.program();

  // Before the SA exists the card does not know the SPI.
  const cosim::Outcome miss = card.process(Direction::kIn, protect(peer, udp(2, 1, 5000, 40)));
  EXPECT_FALSE(miss.by_card);
  EXPECT_EQ(miss.card_reason, code(CardReason::kUnknownSpi));

  configure(dp, inbound_sa(kKey1));  // process() syncs before the next frame
  const std::uint64_t answered = card.offload().stats().host_answered;
  expect_opened_by_card(card, udp(2, 1, 5000, 41, 1), peer);
  expect_opened_by_card(card, udp(2, 1, 5001, 42, 2), peer);
  EXPECT_EQ(card_packets(card.offload(), 0x1001), 2u);
  EXPECT_EQ(card.offload().stats().host_answered, answered);
  EXPECT_EQ(card.offload().stats().sa_inbound, 1u);
}

TEST(CosimSync, OutboundSaAddedAfterProgramProtectsOnTheCard) {
  const std::string sa = std::string("add 192.0.2.1 192.0.2.2 esp 0x2002 -m tunnel -r 8 -E aes-gcm-16 ") + kKey2 +
                         ";\n";
  DataPlane dp, peer;
  configure(dp, "spdadd 10.1.0.0/16 10.2.0.0/16 any -P out ipsec esp/tunnel/192.0.2.1-192.0.2.2/require;\n");
  configure(peer, sa + "spdadd 10.1.0.0/16 10.2.0.0/16 any -P in ipsec esp/tunnel/192.0.2.1-192.0.2.2/require;\n");
  cosim::CosimDataPath card(dp);
  card.program();
  // No SA yet: the host cannot protect, and nothing is cached.
  const cosim::Outcome none = card.process(Direction::kOut, ethernet(udp(1, 2, 6000, 30)));
  EXPECT_FALSE(none.by_card);
  EXPECT_EQ(none.verdict, Verdict::kDrop);

  configure(dp, sa);
  const cosim::Outcome first = card.process(Direction::kOut, ethernet(udp(1, 2, 6000, 31)));
  EXPECT_FALSE(first.by_card);  // the flow miss the host answers installs the flow
  EXPECT_EQ(first.verdict, Verdict::kForward);
  const Bytes datagram = udp(1, 2, 6000, 32, 11);
  const cosim::Outcome second = card.process(Direction::kOut, ethernet(datagram));
  ASSERT_TRUE(second.by_card) << int(second.card_reason);
  ASSERT_EQ(second.verdict, Verdict::kForward);
  Packet esp(ByteView(second.frame.data() + 14, second.frame.size() - 14));
  ASSERT_EQ(peer.input(esp).verdict, Verdict::kForward);
  EXPECT_EQ(Bytes(esp.bytes().begin(), esp.bytes().end()), datagram);
  EXPECT_EQ(card_packets(card.offload(), 0x2002), 1u);
}

TEST(CosimSync, UpdatedSaIsPlacedAgainWithTheNewKey) {
  DataPlane dp, peer_old, peer_new;
  configure(dp, inbound_sa(kKey1) + kInPolicy);
  configure(peer_old, inbound_sa(kKey1) + kPeerPolicy);
  configure(peer_new, inbound_sa(kKey2) + kPeerPolicy);
  cosim::CosimDataPath card(dp);
  card.program();
  expect_opened_by_card(card, udp(2, 1, 5000, 40, 3), peer_old);

  // PF_KEY UPDATE: the same (dst, proto, spi), a new key.
  SaConfig cfg = dp.sad().get(SaKey{*IpAddr::parse("192.0.2.1"), IpsecProto::kEsp, 0x1001})->config();
  const SaRef fresh = peer_new.sad().get(SaKey{*IpAddr::parse("192.0.2.1"), IpsecProto::kEsp, 0x1001});
  ASSERT_TRUE(fresh);
  cfg.enc_key = fresh->config().enc_key;
  dp.sad().update(cfg);

  const std::uint64_t before = card_packets(card.offload(), 0x1001);
  expect_opened_by_card(card, udp(2, 1, 5000, 41, 4), peer_new);
  expect_opened_by_card(card, udp(2, 1, 5002, 60, 5), peer_new);
  EXPECT_EQ(card_packets(card.offload(), 0x1001), before + 2);
  EXPECT_EQ(card.offload().stats().sa_cleared, 1u);
  EXPECT_EQ(card.offload().stats().sa_inbound, 2u);

  // The old key no longer opens anything on the card (a sequence number the
  // new SA has not seen, so the ICV is what fails).
  protect(peer_old, udp(2, 1, 5000, 10));
  protect(peer_old, udp(2, 1, 5000, 10));
  const cosim::Outcome old = card.process(Direction::kIn, protect(peer_old, udp(2, 1, 5000, 42, 6)));
  EXPECT_NE(old.verdict, Verdict::kForward);
  EXPECT_EQ(old.card_reason, code(CardReason::kIcvFail));
}

TEST(CosimSync, PolicyChangeReachesACachedOutboundFlow) {
  DataPlane dp;
  configure(dp, "spdadd 10.1.0.0/16 10.3.0.0/16 any -P out none;\n");
  cosim::CosimDataPath card(dp);
  card.program();
  const Bytes f1 = ethernet(udp(1, 3, 7000, 30));
  const cosim::Outcome first = card.process(Direction::kOut, f1);
  EXPECT_FALSE(first.by_card);
  EXPECT_EQ(first.card_reason, code(CardReason::kFlowMiss));
  const cosim::Outcome cached = card.process(Direction::kOut, f1);
  ASSERT_TRUE(cached.by_card);
  EXPECT_EQ(cached.verdict, Verdict::kForward);
  EXPECT_EQ(cached.frame, f1);

  configure(dp, "spdupdate 10.1.0.0/16 10.3.0.0/16 any -P out discard;\n");
  const cosim::Outcome after = card.process(Direction::kOut, f1);
  EXPECT_FALSE(after.by_card);
  EXPECT_EQ(after.card_reason, code(CardReason::kFlowMiss));
  EXPECT_EQ(after.verdict, Verdict::kDrop);
  EXPECT_EQ(after.reason, Reason::kPolicyDiscard);
  const cosim::Outcome dropped = card.process(Direction::kOut, f1);
  EXPECT_TRUE(dropped.by_card);
  EXPECT_EQ(dropped.verdict, Verdict::kDrop);
  EXPECT_EQ(dropped.card_reason, code(CardReason::kPolicyDiscard));
  EXPECT_EQ(card.offload().stats().flows_flushed, 1u);
}

TEST(CosimSync, PolicyChangeReachesACachedInboundFlow) {
  DataPlane dp;
  configure(dp, "spdadd 10.3.0.0/16 10.1.0.0/16 any -P in none;\n");
  cosim::CosimDataPath card(dp);
  card.program();
  const Bytes f1 = ethernet(udp(3, 1, 7000, 30));
  EXPECT_EQ(card.process(Direction::kIn, f1).card_reason, code(CardReason::kFlowMiss));
  const cosim::Outcome cached = card.process(Direction::kIn, f1);
  ASSERT_TRUE(cached.by_card);
  EXPECT_EQ(cached.frame, f1);

  configure(dp, "spdupdate 10.3.0.0/16 10.1.0.0/16 any -P in discard;\n");
  const cosim::Outcome after = card.process(Direction::kIn, f1);
  EXPECT_FALSE(after.by_card);
  EXPECT_EQ(after.verdict, Verdict::kDrop);
  EXPECT_EQ(after.reason, Reason::kPolicyDiscard);
  const cosim::Outcome dropped = card.process(Direction::kIn, f1);
  EXPECT_TRUE(dropped.by_card);
  EXPECT_EQ(dropped.card_reason, code(CardReason::kPolicyDiscard));
  EXPECT_EQ(card.offload().stats().flows_flushed, 1u);
}

// The card's bus, counting accesses.
using aipsec::testsupport::CountingBus;

TEST(CosimSync, SyncWithNothingToFollowStaysOffTheBus) {
  DataPlane dp;
  configure(dp, inbound_sa(kKey1) + kInPolicy);
  auto card = cosim::make_cosim_card();
  CountingBus bus(*card);
  card::CardOffload off(bus, dp);
  off.program();
  const std::uint64_t before = bus.accesses;
  for (int i = 0; i < 10; ++i) off.sync();
  EXPECT_EQ(bus.accesses, before);
  // A change is followed (the SA leaves the card), then quiet again.
  ASSERT_TRUE(dp.sad().remove(SaKey{*IpAddr::parse("192.0.2.1"), IpsecProto::kEsp, 0x1001}));
  off.sync();
  EXPECT_GT(bus.accesses, before);
  EXPECT_EQ(off.stats().sa_cleared, 1u);
  const std::uint64_t after = bus.accesses;
  off.sync();
  EXPECT_EQ(bus.accesses, after);
}

TEST(CosimSync, DeadSaIsReportedExpiredNotUnknown) {
  DataPlane dp, peer;
  configure(peer, inbound_sa(kKey1) + kPeerPolicy);
  configure(dp, kInPolicy);
  // The host's SA with a hard lifetime of two packets.
  SaConfig cfg = peer.sad().get(SaKey{*IpAddr::parse("192.0.2.1"), IpsecProto::kEsp, 0x1001})->config();
  cfg.hard.packets = 2;
  const SaRef sa = dp.sad().add(cfg);
  cosim::CosimDataPath card(dp);
  card.program();

  expect_opened_by_card(card, udp(2, 1, 5000, 40, 7), peer);
  card.process(Direction::kIn, protect(peer, udp(2, 1, 5000, 41, 8)));  // reaches the hard limit
  EXPECT_EQ(sa->state(), SaState::kDead);  // the card's event, answered by the host

  const cosim::Outcome late = card.process(Direction::kIn, protect(peer, udp(2, 1, 5000, 42, 9)));
  EXPECT_TRUE(late.by_card);
  EXPECT_EQ(late.verdict, Verdict::kDrop);
  EXPECT_EQ(late.card_reason, code(CardReason::kLifetimeExpired));
  EXPECT_EQ(late.reason, Reason::kLifetimeExpired);

  // Deleted from the SAD (the expiry's PF_KEY delete): the SPI is now unknown.
  ASSERT_TRUE(dp.sad().remove(SaKey{*IpAddr::parse("192.0.2.1"), IpsecProto::kEsp, 0x1001}));
  const cosim::Outcome gone = card.process(Direction::kIn, protect(peer, udp(2, 1, 5000, 43, 10)));
  EXPECT_FALSE(gone.by_card);
  EXPECT_EQ(gone.card_reason, code(CardReason::kUnknownSpi));
}

// Inbound entries written after the SA accepted packets: an SA that received
// packets through the host before the card placed it, and an entry rewritten
// for a selector change, start the card's window a whole window (64 packets
// here) above the host's highest accepted number (docs/hw/datapath.md, live
// state and replay memory). Replays of packets accepted before the write are
// dropped on the card; new packets open on the card and the host's replay
// state follows them. Expected sequence numbers count the peer's packets.
constexpr std::uint64_t kWindow = 64;  // -r 8: octets

SaRef the_sa(DataPlane& dp) { return dp.sad().get(SaKey{*IpAddr::parse("192.0.2.1"), IpsecProto::kEsp, 0x1001}); }

// The datagram with its destination moved from 10.1.0.1 to 10.1.1.1.
Bytes outside_24(Bytes ip) {
  ip[18] = 1;
  store_be16(ip.data() + 10, 0);
  store_be16(ip.data() + 10, inet_checksum(ByteView(ip.data(), 20)));
  return ip;
}

// One datagram the peer protected, as the frame that reaches the protected port.
struct Sent {
  Bytes datagram, frame;
};

Sent sent_by(DataPlane& peer, Bytes datagram) {
  Packet p(ByteView(datagram.data(), datagram.size()));
  EXPECT_EQ(peer.output(p).verdict, Verdict::kForward);
  return Sent{std::move(datagram), ethernet(p.bytes())};
}

// The host's software data plane opens the packet itself (the card never sees it).
void open_on_host(DataPlane& dp, const Sent& s) {
  Packet p(ByteView(s.frame.data() + 14, s.frame.size() - 14));
  ASSERT_EQ(dp.input(p).verdict, Verdict::kForward);
  EXPECT_EQ(Bytes(p.bytes().begin(), p.bytes().end()), s.datagram);
}

void expect_card_opens(cosim::CosimDataPath& card, const Sent& s) {
  const cosim::Outcome o = card.process(Direction::kIn, s.frame);
  ASSERT_TRUE(o.by_card) << "card reason " << int(o.card_reason) << ", host " << reason_name(o.reason);
  ASSERT_EQ(o.verdict, Verdict::kForward) << int(o.card_reason);
  ASSERT_GE(o.frame.size(), 14u);
  EXPECT_EQ(Bytes(o.frame.begin() + 14, o.frame.end()), s.datagram);
}

// The card drops the frame itself for reason, counts it, and sends nothing to the plain side.
void expect_dropped_by_card(cosim::CosimDataPath& card, const Sent& s, CardReason reason) {
  const std::uint64_t counted = card.offload().read_drop_counters().at(code(reason));
  const cosim::Outcome o = card.process(Direction::kIn, s.frame);
  EXPECT_TRUE(o.by_card);
  EXPECT_EQ(o.verdict, Verdict::kDrop);
  EXPECT_EQ(o.card_reason, code(reason)) << reason_name(o.reason);
  EXPECT_TRUE(o.frame.empty());
  EXPECT_EQ(card.offload().read_drop_counters().at(code(reason)), counted + 1);
}

TEST(CosimReplayStart, PacketsTheHostAcceptedAreNotReplayedThroughTheCard) {
  DataPlane dp, peer;
  configure(dp, kInPolicy);
  configure(peer, inbound_sa(kKey1) + kPeerPolicy);
  cosim::CosimDataPath card(dp);
  card.program();

  // The SA arrives after program(); before the card follows the SAD the host
  // opens the peer's packets 1, 2 and 4 itself (3 is late).
  configure(dp, inbound_sa(kKey1));
  std::vector<Sent> early;
  for (std::uint8_t i = 0; i < 4; ++i) early.push_back(sent_by(peer, udp(2, 1, 5000, 40, i)));
  for (int i : {0, 1, 3}) open_on_host(dp, early[i]);

  // The next frame's sync places the SA: its window starts at 4 + 64.
  expect_dropped_by_card(card, early[0], CardReason::kReplayOld);
  EXPECT_EQ(card.offload().stats().sa_inbound, 1u);
  expect_dropped_by_card(card, early[3], CardReason::kReplayOld);
  expect_dropped_by_card(card, early[1], CardReason::kReplayOld);
  // The cost: a packet below the host's highest that the host had not seen.
  expect_dropped_by_card(card, early[2], CardReason::kReplayOld);
  EXPECT_EQ(card.card_drops()[code(CardReason::kReplayOld)], 4u);

  // Newer packets open on the card, and the host follows them.
  const Sent p5 = sent_by(peer, udp(2, 1, 5001, 40, 5)), p6 = sent_by(peer, udp(2, 1, 5001, 40, 6));
  expect_card_opens(card, p5);
  expect_card_opens(card, p6);
  const ReplayWindow& host = the_sa(dp)->runtime().replay;
  EXPECT_EQ(host.top(), 6u);
  EXPECT_EQ(host.check(5), Reason::kReplay);
  EXPECT_EQ(host.check(7), Reason::kNone);
  expect_dropped_by_card(card, p5, CardReason::kReplay);

  // The entry's start, 4 + 64, counts as received on the card; the next opens.
  for (std::uint64_t n = 7; n < 4 + kWindow; ++n) protect(peer, udp(2, 1, 5002, 40));
  const Sent start = sent_by(peer, udp(2, 1, 5003, 40, 68));
  const Sent after = sent_by(peer, udp(2, 1, 5003, 40, 69));
  expect_dropped_by_card(card, start, CardReason::kReplay);
  expect_card_opens(card, after);
  EXPECT_EQ(host.top(), 4 + kWindow + 1);
  EXPECT_EQ(host.check(4 + kWindow), Reason::kNone);  // the host never took it
}

TEST(CosimReplayStart, SelectorRewriteDoesNotReopenWhatTheCardAccepted) {
  DataPlane dp, peer;
  configure(dp, inbound_sa(kKey1) + kInPolicy);
  configure(peer, inbound_sa(kKey1) + kPeerPolicy);
  cosim::CosimDataPath card(dp);
  card.program();
  std::vector<Sent> before;
  for (std::uint8_t i = 0; i < 3; ++i) {
    before.push_back(sent_by(peer, udp(2, 1, 6000, 40, i)));
    expect_card_opens(card, before.back());
  }
  ASSERT_EQ(the_sa(dp)->runtime().replay.top(), 3u);

  // The inbound policy narrows: the entry's selector changes and it is rewritten.
  configure(dp, "spddelete 10.2.0.0/16 10.1.0.0/16 any -P in;\n"
                "spdadd 10.2.0.0/16 10.1.0.0/24 any -P in ipsec esp/tunnel/192.0.2.2-192.0.2.1/require;\n");
  expect_dropped_by_card(card, before[1], CardReason::kReplayOld);
  expect_dropped_by_card(card, before[2], CardReason::kReplayOld);
  expect_dropped_by_card(card, before[0], CardReason::kReplayOld);
  expect_card_opens(card, sent_by(peer, udp(2, 1, 6001, 40, 4)));
  EXPECT_EQ(the_sa(dp)->runtime().replay.top(), 4u);
  // The new selector is the one the card checks.
  expect_dropped_by_card(card, sent_by(peer, outside_24(udp(2, 1, 6001, 40, 5))), CardReason::kSelectorMismatch);
}

// With ESN the host infers the high half of the card's packets from the
// card's window (at the entry's start), not from its own lower top.
TEST(CosimReplayStart, EsnHostFollowsTheCardsWindow) {
  DataPlane dp, peer;
  configure(dp, kInPolicy);
  configure(peer, inbound_sa(kKey1, "-f esn") + kPeerPolicy);
  cosim::CosimDataPath card(dp);
  card.program();
  configure(dp, inbound_sa(kKey1, "-f esn"));
  std::vector<Sent> early;
  for (std::uint8_t i = 0; i < 3; ++i) {
    early.push_back(sent_by(peer, udp(2, 1, 7000, 40, i)));
    open_on_host(dp, early.back());
  }
  // The sync places the SA at 3 + 64: the window is 4..67, and 2 on the wire
  // is read as 2^32 + 2 (RFC 4303 A.2.2), whose ICV does not verify.
  expect_dropped_by_card(card, early[1], CardReason::kIcvFail);

  // The peer jumps to the next 2^32 block: 2^32 + 2 carries 2 on the wire,
  // above the card's window (its high half is 1 there, 0 from the host's top of 3).
  the_sa(peer)->runtime().seq_out.store((std::uint64_t{1} << 32) + 1);
  const Sent jump = sent_by(peer, udp(2, 1, 7001, 40, 9));
  expect_card_opens(card, jump);
  const ReplayWindow& host = the_sa(dp)->runtime().replay;
  EXPECT_EQ(host.top(), (std::uint64_t{1} << 32) + 2);
  expect_dropped_by_card(card, jump, CardReason::kReplay);
  expect_card_opens(card, sent_by(peer, udp(2, 1, 7001, 40, 10)));
  EXPECT_EQ(host.top(), (std::uint64_t{1} << 32) + 3);
}

}  // namespace
