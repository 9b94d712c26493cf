// The host's inbound policy for packets that arrive without ESP, enforced
// through the card's inbound flow table (co-simulated card, CardOffload, the
// software data plane behind it). The expected outcomes come from the policy
// each flow was given (KAME semantics: require drops clear packets, none and
// use let them through, discard drops them; def_policy for flows without a
// policy), not from the code under test.
#include <gtest/gtest.h>

#include <set>

#include "aipsec/card_discovery.hpp"
#include "aipsec/card_hash.hpp"
#include "aipsec/card_regs.hpp"
#include "aipsec/card_tables.hpp"
#include "aipsec/cosim_datapath.hpp"
#include "aipsec/packet.hpp"
#include "aipsec/setkey.hpp"

namespace {

using namespace aipsec;
using aipsec::cosim::Port;

constexpr std::uint8_t kFlowMiss = 1, kFlowToHost = 2, kPolicyDiscard = 3, kInboundClear = 28;

// An Ethernet frame with an IPv4 UDP datagram a.b.c.d -> 10.1.0.1.
Bytes udp_frame(std::uint8_t net, std::uint8_t host, std::uint16_t sport, std::uint16_t dport,
                std::size_t payload) {
  Bytes f(14 + 20 + 8 + payload, 0);
  for (std::size_t i = 0; i < 12; ++i) f[i] = static_cast<std::uint8_t>(0x02 + i);
  store_be16(f.data() + 12, 0x0800);
  std::uint8_t* ip = f.data() + 14;
  ip[0] = 0x45;
  store_be16(ip + 2, static_cast<std::uint16_t>(20 + 8 + payload));
  ip[8] = 64;
  ip[9] = 17;
  const std::uint8_t src[4] = {10, net, 0, host}, dst[4] = {10, 1, 0, 1};
  std::copy(src, src + 4, ip + 12);
  std::copy(dst, dst + 4, ip + 16);
  store_be16(ip + 10, inet_checksum(ByteView(ip, 20)));
  store_be16(ip + 20, sport);
  store_be16(ip + 22, dport);
  store_be16(ip + 24, static_cast<std::uint16_t>(8 + payload));
  for (std::size_t i = 0; i < payload; ++i) ip[28 + i] = static_cast<std::uint8_t>(i * 3);
  return f;
}

ByteView datagram(const Bytes& frame) { return ByteView(frame.data() + 14, frame.size() - 14); }

class InboundPolicy : public ::testing::Test {
 protected:
  void SetUp() override {
    setkey::apply_all(dp_, setkey::parse(
        // 10.2/16: the policy requires ESP; 10.5/16: no IPsec (none); 10.6/16: discard.
        "add 192.0.2.2 192.0.2.1 esp 0x1001 -m tunnel -r 8 -E aes-gcm-16 "
        "0x101112131415161718191a1b1c1d1e1fcafebabe;\n"
        "spdadd 10.2.0.0/16 10.1.0.0/16 any -P in ipsec esp/tunnel/192.0.2.2-192.0.2.1/require;\n"
        "spdadd 10.5.0.0/16 10.1.0.0/16 any -P in none;\n"
        "spdadd 10.6.0.0/16 10.1.0.0/16 any -P in discard;\n"
        // 10.7/16: ESP if there is an SA, clear packets accepted too (use).
        "spdadd 10.7.0.0/16 10.1.0.0/16 any -P in ipsec esp/tunnel/192.0.2.2-192.0.2.1/use;\n"));
    path_ = std::make_unique<cosim::CosimDataPath>(dp_);
    path_->program();
  }
  std::uint64_t card_counter(std::uint8_t reason) { return path_->offload().read_drop_counters().at(reason); }

  DataPlane dp_;
  std::unique_ptr<cosim::CosimDataPath> path_;
};

TEST_F(InboundPolicy, ClearPacketsOfARequiredFlowNeverReachThePlainSide) {
  for (int i = 0; i < 4; ++i) {
    const Bytes f = udp_frame(2, 7, 5000, 53, 40 + i);
    const cosim::Outcome o = path_->process(Direction::kIn, f);
    EXPECT_EQ(o.verdict, Verdict::kDrop) << i;
    EXPECT_EQ(o.reason, Reason::kInboundPolicy) << i;
    EXPECT_FALSE(o.by_card) << i;
    EXPECT_TRUE(o.frame.empty()) << i;
    EXPECT_EQ(o.card_reason, kFlowMiss) << i;  // the card asked the host every time
    EXPECT_FALSE(path_->card().pop(Port::kPlain)) << i;
  }
  const auto& st = path_->offload().stats();
  EXPECT_EQ(st.flows_inbound, 0u);  // such a flow is never cached as a pass
  EXPECT_EQ(st.cleartext_checked, 4u);
  EXPECT_EQ(card_counter(kFlowMiss), 4u);
}

TEST_F(InboundPolicy, BypassFlowStaysOnTheCardAfterItsFirstPacket) {
  const Bytes first = udp_frame(5, 9, 6000, 80, 100);
  const cosim::Outcome a = path_->process(Direction::kIn, first);
  EXPECT_EQ(a.verdict, Verdict::kForward);
  EXPECT_FALSE(a.by_card);
  EXPECT_EQ(a.card_reason, kFlowMiss);
  ASSERT_EQ(a.packet.size(), first.size() - 14);
  EXPECT_TRUE(std::equal(a.packet.bytes().begin(), a.packet.bytes().end(), datagram(first).begin()));
  const auto& st = path_->offload().stats();
  EXPECT_EQ(st.flows_inbound, 1u);
  const std::uint64_t answered = st.host_answered;

  for (int i = 0; i < 3; ++i) {
    const Bytes f = udp_frame(5, 9, 6000, 80, 200 + 100 * i);
    const cosim::Outcome o = path_->process(Direction::kIn, f);
    EXPECT_EQ(o.verdict, Verdict::kForward) << i;
    EXPECT_TRUE(o.by_card) << i;
    EXPECT_EQ(o.card_reason, 0u) << i;
    EXPECT_EQ(o.frame, f) << i;  // on the plain side unchanged
  }
  EXPECT_EQ(st.host_answered, answered);  // no exception for the later packets
  EXPECT_EQ(st.exceptions[kFlowMiss], 1u);
  EXPECT_EQ(card_counter(kFlowMiss), 1u);
  // Another flow of the same hosts (other port) is a flow of its own.
  const cosim::Outcome other = path_->process(Direction::kIn, udp_frame(5, 9, 6001, 80, 10));
  EXPECT_EQ(other.card_reason, kFlowMiss);
  EXPECT_EQ(other.verdict, Verdict::kForward);
}

TEST_F(InboundPolicy, DiscardFlowIsDroppedOnTheCard) {
  const cosim::Outcome a = path_->process(Direction::kIn, udp_frame(6, 1, 7000, 25, 30));
  EXPECT_EQ(a.verdict, Verdict::kDrop);
  EXPECT_EQ(a.reason, Reason::kPolicyDiscard);
  EXPECT_EQ(a.card_reason, kFlowMiss);
  const cosim::Outcome b = path_->process(Direction::kIn, udp_frame(6, 1, 7000, 25, 31));
  EXPECT_EQ(b.verdict, Verdict::kDrop);
  EXPECT_EQ(b.reason, Reason::kPolicyDiscard);
  EXPECT_TRUE(b.by_card);
  EXPECT_EQ(b.card_reason, kPolicyDiscard);
  EXPECT_EQ(card_counter(kPolicyDiscard), 1u);
  EXPECT_EQ(path_->offload().stats().host_answered, 1u);
}

// ipsec(4): at level use, a packet without IPsec is accepted. The card keeps
// such a flow after the host's first answer, as it does a bypass flow.
TEST_F(InboundPolicy, UseFlowStaysOnTheCardAfterItsFirstPacket) {
  const cosim::Outcome a = path_->process(Direction::kIn, udp_frame(7, 3, 6500, 443, 64));
  EXPECT_EQ(a.verdict, Verdict::kForward);
  EXPECT_FALSE(a.by_card);
  EXPECT_EQ(a.card_reason, kFlowMiss);
  EXPECT_EQ(path_->offload().stats().flows_inbound, 1u);
  for (int i = 0; i < 3; ++i) {
    const Bytes f = udp_frame(7, 3, 6500, 443, 80 + i);
    const cosim::Outcome o = path_->process(Direction::kIn, f);
    EXPECT_EQ(o.verdict, Verdict::kForward) << i;
    EXPECT_TRUE(o.by_card) << i;
    EXPECT_EQ(o.frame, f) << i;
  }
  EXPECT_EQ(card_counter(kFlowMiss), 1u);
}

// A flow cached under def_policy 1 (no policy: accepted) must not outlive the
// sysctl: with def_policy 0 the host drops such packets, so the card must ask.
TEST_F(InboundPolicy, DefPolicyChangeReachesCachedFlows) {
  const Bytes f = udp_frame(9, 1, 6600, 53, 32);  // 10.9/16: no inbound policy
  EXPECT_EQ(path_->process(Direction::kIn, f).verdict, Verdict::kForward);
  const cosim::Outcome cached = path_->process(Direction::kIn, f);
  EXPECT_EQ(cached.verdict, Verdict::kForward);
  EXPECT_TRUE(cached.by_card);
  dp_.sysctl().inet.def_policy = 0;
  const cosim::Outcome after = path_->process(Direction::kIn, f);
  EXPECT_EQ(after.verdict, Verdict::kDrop);
  EXPECT_FALSE(after.by_card);
  EXPECT_EQ(after.card_reason, kFlowMiss);
  const auto& st = path_->offload().stats();
  EXPECT_EQ(st.sysctl_changes, 1u);
  EXPECT_GE(st.flows_flushed, 1u);
  EXPECT_FALSE(path_->card().pop(Port::kPlain));
}

// With ESP switched off (net.inet.esp.esp_enable 0) the card's data path is
// off: even a cached flow's packets go to the host, which answers them.
TEST_F(InboundPolicy, EspDisabledSendsEveryPacketToTheHost) {
  const Bytes f = udp_frame(5, 4, 6700, 80, 20);  // 10.5/16: none
  path_->process(Direction::kIn, f);
  EXPECT_TRUE(path_->process(Direction::kIn, f).by_card);
  dp_.sysctl().esp_enable = 0;
  const cosim::Outcome o = path_->process(Direction::kIn, f);
  EXPECT_EQ(o.verdict, Verdict::kForward);
  EXPECT_FALSE(o.by_card);
  dp_.sysctl().esp_enable = 1;
  path_->process(Direction::kIn, f);  // the flow is cached again
  EXPECT_TRUE(path_->process(Direction::kIn, f).by_card);
}

// The flow window writes an entry into the inbound or the outbound table by
// its inbound bit; inbound actions to_host and protect give their reasons.
TEST(CosimCardInboundFlows, EntriesGoToTheTableTheirInboundBitNames) {
  auto card = cosim::make_cosim_card();
  const card::CardInfo info = card::discover(*card);
  card->write32(card::ctrl::kControl, card::ctrl::kControlEnable.put(1));
  card::PacketMeta meta{};
  meta.direction = card::PacketMeta::Direction::kInbound;
  meta.port = card::PacketMeta::Port::kProtected;
  meta.l3_offset = 14;

  auto entry = [](std::uint8_t net, std::uint16_t sport, card::FlowEntry::Action a, bool inbound) {
    card::FlowEntry e{};
    e.valid = 1;
    e.inbound = inbound ? 1 : 0;
    e.action = a;
    e.protocol = 17;
    e.src_port = sport;
    e.dst_port = 53;
    e.src_addr = {0x0a000007u | std::uint32_t(net) << 16, 0, 0, 0};
    e.dst_addr = {0x0a010001u, 0, 0, 0};
    return e;
  };
  std::set<std::uint32_t> used;  // either table: the test keeps the entries apart
  auto place = [&](const card::FlowEntry& e) {
    std::uint32_t i = card::flow_bucket(e, info.caps.flow_count) * card::kWays;
    while (used.count(i)) ++i;
    used.insert(i);
    card::write_flow_entry(*card, info, i, e);
    card->run(50);
    return i;
  };
  // An outbound-table entry for the flow: the inbound path does not see it.
  place(entry(3, 1000, card::FlowEntry::Action::kBypass, false));
  const std::uint32_t to_host = place(entry(3, 1001, card::FlowEntry::Action::kToHost, true));
  const std::uint32_t protect = place(entry(3, 1002, card::FlowEntry::Action::kProtect, true));

  struct Case {
    std::uint16_t sport;
    std::uint8_t reason;
    std::uint32_t index;
    bool kind_flow;
  } cases[] = {{1000, kFlowMiss, 0, false}, {1001, kFlowToHost, to_host, true}, {1002, kInboundClear, protect, true}};
  for (const Case& c : cases) {
    const Bytes f = udp_frame(3, 7, c.sport, 53, 20);
    meta.pkt_len = static_cast<std::uint16_t>(f.size());
    card->push(Port::kProtected, f, meta);
    std::optional<cosim::Frame> got;
    for (int i = 0; i < 100 && !got; ++i) {
      card->run(20);
      got = card->pop(Port::kHost);
    }
    ASSERT_TRUE(got) << c.sport;
    EXPECT_EQ(got->data, f);
    EXPECT_EQ(got->meta.exception, 1u);
    EXPECT_EQ(got->meta.reason, c.reason) << c.sport;
    EXPECT_EQ(got->meta.index, c.index) << c.sport;
    EXPECT_EQ(got->meta.index_kind == card::PacketMeta::IndexKind::kFlow, c.kind_flow) << c.sport;
    EXPECT_FALSE(card->pop(Port::kPlain));
  }
}

}  // namespace
