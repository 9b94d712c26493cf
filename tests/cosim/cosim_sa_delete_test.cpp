// An SA the host deletes from its SAD leaves the co-simulated card: its entry
// is committed invalid with every key word zero (seen on the register bus),
// its inbound packets reach the host as unknown_spi, and the outbound flow
// entries that protected with it are gone (their packets are flow misses).
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "aipsec/card_discovery.hpp"
#include "aipsec/card_offload.hpp"
#include "aipsec/card_regs.hpp"
#include "aipsec/cosim_card.hpp"
#include "aipsec/packet.hpp"
#include "aipsec/setkey.hpp"

namespace {

using namespace aipsec;
using aipsec::cosim::Port;

constexpr std::uint8_t kFlowMiss = 1, kUnknownSpi = 4;
constexpr char kKey[] = "0x101112131415161718191a1b1c1d1e1fcafebabe";

// The card's bus, with every write recorded in order.
class RecordingBus : public card::RegisterTransport {
 public:
  explicit RecordingBus(card::RegisterTransport& bus) : bus_(bus) {}
  std::uint32_t read32(std::uint32_t a) override { return bus_.read32(a); }
  void write32(std::uint32_t a, std::uint32_t v) override {
    writes.emplace_back(a, v);
    bus_.write32(a, v);
  }
  // The SA entries committed since clear(): index -> the words of the shadow.
  std::map<std::uint32_t, std::vector<std::uint32_t>> sa_commits() const {
    std::map<std::uint32_t, std::vector<std::uint32_t>> out;
    std::map<std::uint32_t, std::uint32_t> shadow;
    std::uint32_t index = 0;
    for (const auto& [a, v] : writes) {
      if (a >= card::sa_window::kData && a < card::sa_window::kData + 4 * card::sa_window::kDataWords)
        shadow[(a - card::sa_window::kData) / 4] = v;
      else if (a == card::sa_window::kIndex) index = v;
      else if (a == card::sa_window::kCommit) {
        std::vector<std::uint32_t> w(card::SaContext::kWords, 0xdeadbeefu);  // unwritten
        for (const auto& [i, x] : shadow)
          if (i < w.size()) w[i] = x;
        out[index] = w;
        shadow.clear();
      }
    }
    return out;
  }
  std::vector<std::pair<std::uint32_t, std::uint32_t>> writes;

 private:
  card::RegisterTransport& bus_;
};

Bytes ethernet(ByteView ip) {
  Bytes f(14 + ip.size(), 0);
  for (std::size_t i = 0; i < 12; ++i) f[i] = static_cast<std::uint8_t>(0x02 + i);
  store_be16(f.data() + 12, 0x0800);
  std::copy(ip.begin(), ip.end(), f.begin() + 14);
  return f;
}

// IPv4 UDP 10.<net>.0.7 -> 10.<dnet>.0.1.
Packet udp(std::uint8_t net, std::uint8_t dnet, std::uint16_t sport, std::size_t payload) {
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
  return Packet(ByteView(ip.data(), ip.size()));
}

std::optional<cosim::Frame> through(cosim::CosimCard& card, Port in, const Bytes& f, Port out) {
  card::PacketMeta meta{};
  meta.direction = in == Port::kPlain ? card::PacketMeta::Direction::kOutbound
                                      : card::PacketMeta::Direction::kInbound;
  meta.port = in == Port::kPlain ? card::PacketMeta::Port::kPlain : card::PacketMeta::Port::kProtected;
  meta.pkt_len = static_cast<std::uint16_t>(f.size());
  meta.l3_offset = 14;
  card.push(in, f, meta);
  for (int i = 0; i < 200; ++i) {
    card.run(20);
    if (auto got = card.pop(out)) return got;
  }
  return std::nullopt;
}

TEST(CosimSaDelete, DeletedSaLeavesTheCardWithItsKeyAndFlows) {
  DataPlane dp, peer;
  const std::string in_sa = std::string("add 192.0.2.2 192.0.2.1 esp 0x1001 -m tunnel -r 8 -E aes-gcm-16 ") + kKey +
                            ";\n";
  const std::string out_sa = std::string("add 192.0.2.1 192.0.2.2 esp 0x2002 -m tunnel -r 8 -E aes-gcm-16 ") +
                             kKey + ";\n";
  setkey::apply_all(dp, setkey::parse(
      in_sa + out_sa +
      "spdadd 10.2.0.0/16 10.1.0.0/16 any -P in ipsec esp/tunnel/192.0.2.2-192.0.2.1/require;\n"
      "spdadd 10.1.0.0/16 10.2.0.0/16 any -P out ipsec esp/tunnel/192.0.2.1-192.0.2.2/require;\n"));
  setkey::apply_all(peer, setkey::parse(
      in_sa + "spdadd 10.2.0.0/16 10.1.0.0/16 any -P out ipsec esp/tunnel/192.0.2.2-192.0.2.1/require;\n"));

  auto card = cosim::make_cosim_card();
  RecordingBus bus(*card);
  card::CardOffload off(bus, dp);
  off.program();

  // Inbound: the peer's ESP, opened by the card.
  auto esp_frame = [&](std::size_t n) {
    Packet p = udp(2, 1, 5000, n);
    EXPECT_EQ(peer.output(p).verdict, Verdict::kForward);
    return ethernet(p.bytes());
  };
  ASSERT_TRUE(through(*card, Port::kProtected, esp_frame(40), Port::kPlain));

  // Outbound: the first packet of a flow installs it (host), the second is protected by the card.
  Packet scratch;
  auto first = through(*card, Port::kPlain, ethernet(udp(1, 2, 6000, 30).bytes()), Port::kHost);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->meta.reason, kFlowMiss);
  off.answer(first->meta, first->data, scratch);
  ASSERT_TRUE(through(*card, Port::kPlain, ethernet(udp(1, 2, 6000, 31).bytes()), Port::kProtected));

  // The entries of the two SAs (program() places every SA in the inbound
  // table; the outbound one also has its outbound entry).
  std::vector<std::uint32_t> entries;
  std::set<std::uint32_t> spis;
  for (const card::CardSaCounters& c : off.read_sa_counters()) {
    entries.push_back(c.index);
    spis.insert(c.spi);
  }
  ASSERT_EQ(spis, (std::set<std::uint32_t>{0x1001, 0x2002}));

  ASSERT_TRUE(dp.sad().remove(SaKey{*IpAddr::parse("192.0.2.1"), IpsecProto::kEsp, 0x1001}));
  ASSERT_TRUE(dp.sad().remove(SaKey{*IpAddr::parse("192.0.2.2"), IpsecProto::kEsp, 0x2002}));
  bus.writes.clear();
  off.sync();
  const auto commits = bus.sa_commits();
  EXPECT_EQ(commits.size(), entries.size());
  for (std::uint32_t i : entries) {
    ASSERT_TRUE(commits.count(i)) << i;
    for (std::uint32_t w : commits.at(i)) EXPECT_EQ(w, 0u) << i;  // valid 0, key zero: every word
  }
  EXPECT_EQ(off.stats().sa_cleared, entries.size());
  EXPECT_EQ(off.stats().flows_removed, 1u);
  EXPECT_TRUE(off.read_sa_counters().empty());

  auto in = through(*card, Port::kProtected, esp_frame(41), Port::kHost);
  ASSERT_TRUE(in);
  EXPECT_EQ(in->meta.reason, kUnknownSpi);
  EXPECT_FALSE(card->pop(Port::kPlain));
  auto out = through(*card, Port::kPlain, ethernet(udp(1, 2, 6000, 32).bytes()), Port::kHost);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->meta.reason, kFlowMiss);
  EXPECT_FALSE(card->pop(Port::kProtected));
}

}  // namespace
