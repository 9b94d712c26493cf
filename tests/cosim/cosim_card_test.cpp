// The co-simulated card top (aipsec_card) through the CosimCard transport:
// register access and discovery over AXI4-Lite, SA commits taken by both
// paths, and with the data path disabled every frame of both network ports
// reaching the host port whole and unchanged, under random back-pressure.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "aipsec/card_discovery.hpp"
#include "aipsec/card_regs.hpp"
#include "aipsec/card_tables.hpp"
#include "aipsec/cosim_card.hpp"

namespace {

using namespace aipsec;
using aipsec::cosim::Port;

TEST(CosimCard, DiscoveryReadsTheBuiltParameters) {
  auto card = cosim::make_cosim_card();
  const card::CardInfo info = card::discover(*card);
  EXPECT_EQ(info.caps.data_width, card->data_width());
  EXPECT_EQ(info.caps.sa_count, card->sa_count());
  EXPECT_EQ(info.caps.flow_count, card->flow_count());
  EXPECT_TRUE(info.caps.aes_gcm_128);
  EXPECT_FALSE(info.caps.hmac_sha384_192 || info.caps.hmac_sha512_256);  // no core for them
  EXPECT_EQ(info.caps.reason_count, card::kCardReasonCount);
}

TEST(CosimCard, RegistersAnswerAndRefuse) {
  auto card = cosim::make_cosim_card();
  card->write32(card::ctrl::kScratch, 0xa5a55a5au);
  EXPECT_EQ(card->read32(card::ctrl::kScratch), 0xa5a55a5au);
  EXPECT_THROW(card->write32(card::id::kDataWidth, 1), card::BusError);  // read-only
  EXPECT_EQ(card->read32(card::id::kDataWidth), card->data_width());
}

TEST(CosimCard, SaCommitIsTakenByBothPaths) {
  auto card = cosim::make_cosim_card();
  const card::CardInfo info = card::discover(*card);
  card::SaContext sa{};
  sa.valid = 1;
  sa.spi = 0x1234;
  for (std::uint32_t i = 0; i < 4; ++i) card::write_sa_context(*card, info, i * 5, sa);
  card->run(200);
  EXPECT_EQ(card::sa_window::kWindowStatusBusy.get(card->read32(card::sa_window::kWindowStatus)), 0u);
  card::FlowEntry flow{};
  card::write_flow_entry(*card, info, 3, flow);
  card->run(200);
  EXPECT_EQ(card::flow_window::kWindowStatusBusy.get(card->read32(card::flow_window::kWindowStatus)), 0u);
}

Bytes random_frame(std::mt19937& rng, std::uint32_t tag) {
  const std::size_t len = std::uniform_int_distribution<std::size_t>(60, 1514)(rng);
  Bytes f(len);
  for (auto& b : f) b = static_cast<std::uint8_t>(rng());
  store_be32(f.data(), tag);  // which frame it is, in the destination MAC
  store_be16(f.data() + 12, 0x0800);
  return f;
}

TEST(CosimCard, DisabledCardSendsEveryFrameToTheHostWhole) {
  cosim::CosimOptions opt;
  opt.out_ready_percent = 60;
  opt.in_valid_percent = 80;
  opt.seed = 7;
  auto card = cosim::make_cosim_card(opt);
  card->write32(card::ctrl::kControl, 0);
  std::mt19937 rng(11);
  std::map<std::uint32_t, Bytes> sent;
  constexpr std::uint32_t kFrames = 40;
  for (std::uint32_t i = 0; i < kFrames; ++i) {
    const Port in = i % 2 ? Port::kProtected : Port::kPlain;
    Bytes f = random_frame(rng, i);
    card::PacketMeta meta{};
    meta.direction = in == Port::kPlain ? card::PacketMeta::Direction::kOutbound
                                        : card::PacketMeta::Direction::kInbound;
    meta.port = in == Port::kPlain ? card::PacketMeta::Port::kPlain : card::PacketMeta::Port::kProtected;
    meta.pkt_len = static_cast<std::uint16_t>(f.size());
    meta.l3_offset = 14;
    card->push(in, f, meta);
    sent[i] = std::move(f);
  }
  std::vector<cosim::Frame> got;
  for (int step = 0; step < 2000 && got.size() < kFrames; ++step) {
    card->run(100);
    while (auto f = card->pop(Port::kHost)) got.push_back(std::move(*f));
  }
  ASSERT_EQ(got.size(), kFrames);
  EXPECT_FALSE(card->pop(Port::kPlain));
  EXPECT_FALSE(card->pop(Port::kProtected));
  std::uint32_t last[2] = {0, 1};
  bool first[2] = {true, true};
  for (const cosim::Frame& f : got) {
    ASSERT_GE(f.data.size(), 4u);
    const std::uint32_t tag = load_be32(f.data.data());
    ASSERT_TRUE(sent.count(tag)) << tag;
    EXPECT_EQ(f.data, sent[tag]) << "frame " << tag;
    EXPECT_EQ(f.meta.exception, 1u);
    EXPECT_EQ(f.meta.reason, 0u);
    const bool inbound = tag % 2 == 1;
    EXPECT_EQ(f.meta.direction == card::PacketMeta::Direction::kInbound, inbound) << tag;
    // each path keeps its own frames in order
    if (!first[inbound]) {
      EXPECT_EQ(tag, last[inbound] + 2);
    }
    first[inbound] = false;
    last[inbound] = tag;
  }
}

}  // namespace
