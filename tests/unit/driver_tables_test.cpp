// Table programming and counters through the register model, and the packed
// layouts against the bit positions documented in docs/hw.
#include <gtest/gtest.h>

#include "aipsec/card_register_model.hpp"
#include "aipsec/card_tables.hpp"

namespace aipsec::card {
namespace {

SaContext sample_sa() {
  SaContext sa;
  sa.valid = 1;
  sa.direction = SaContext::Direction::kInbound;
  sa.mode = SaContext::Mode::kTunnel;
  sa.esn = 1;
  sa.enc_alg = SaContext::EncAlg::kAesGcm;
  sa.enc_key_256 = 1;
  sa.icv_len = 16;
  sa.spi = 0x12345678;
  sa.salt = 0xcafebabe;
  sa.seq = 0x0000000100000005ull;
  sa.replay_window = 4096;
  sa.hard_bytes = 0x123456789abcull;
  sa.sel_dport = 4500;
  for (unsigned i = 0; i < 8; ++i) sa.enc_key[i] = 0x01010101u * (i + 1);
  return sa;
}

TEST(DriverTables, SaContextBitsSitWhereTheDocsSay) {
  const auto w = sample_sa().pack();
  // registers.md, SA context: valid bit 0, direction bit 1, mode bit 3, esn bit 5,
  // enc_alg bits 10:8, enc_key_256 bit 11, icv_len bits 18:14; spi is word 1,
  // salt word 2, seq words 3..4, replay_window bits 175:160.
  EXPECT_EQ(w[0], 1u | (1u << 1) | (1u << 3) | (1u << 5) | (1u << 8) | (1u << 11) | (16u << 14));
  EXPECT_EQ(w[1], 0x12345678u);
  EXPECT_EQ(w[2], 0xcafebabeu);
  EXPECT_EQ(w[3], 5u);
  EXPECT_EQ(w[4], 1u);
  EXPECT_EQ(w[5] & 0xffffu, 4096u);
  // sel_dport bits 1535:1520: the top half of the last of 48 words.
  EXPECT_EQ(w[47], 4500u << 16);
  EXPECT_EQ(SaContext::kWords, 48u);
}

TEST(DriverTables, PackUnpackRoundTrip) {
  const SaContext sa = sample_sa();
  const SaContext back = SaContext::unpack(sa.pack());
  EXPECT_EQ(back.pack(), sa.pack());
  EXPECT_EQ(back.seq, sa.seq);
  EXPECT_EQ(back.enc_key, sa.enc_key);
  EXPECT_EQ(back.mode, SaContext::Mode::kTunnel);
}

TEST(DriverTables, WriteSaContextCommitsTheWholeEntry) {
  CardRegisterModel model({0, 0, 64, 256, 512});
  const CardInfo card = discover(model);
  write_sa_context(model, card, 7, sample_sa());
  ASSERT_EQ(model.committed_sa().count(7), 1u);
  EXPECT_EQ(model.committed_sa().at(7), sample_sa().pack());
  EXPECT_THROW(write_sa_context(model, card, 64, sample_sa()), Error);
}

TEST(DriverTables, WriteFlowEntryCommitsTheWholeEntry) {
  CardRegisterModel model({0, 0, 64, 256, 512});
  const CardInfo card = discover(model);
  FlowEntry f;
  f.valid = 1;
  f.action = FlowEntry::Action::kProtect;
  f.bundle_len = 1;
  f.protocol = 17;
  f.src_port = 500;
  f.dst_port = 4500;
  f.src_addr[0] = 0xc0a80001;
  f.sa_index0 = 7;
  write_flow_entry(model, card, 255, f);
  ASSERT_EQ(model.committed_flow().count(255), 1u);
  const auto& w = model.committed_flow().at(255);
  // registers.md, flow entry: action bits 3:2, bundle_len 5:4, protocol 15:8;
  // ports word 1; src_addr words 2..5; sa_index0 bits 335:320.
  EXPECT_EQ(w[0], 1u | (2u << 2) | (1u << 4) | (17u << 8));
  EXPECT_EQ(w[1], 500u | (4500u << 16));
  EXPECT_EQ(w[2], 0xc0a80001u);
  EXPECT_EQ(w[10] & 0xffffu, 7u);
  EXPECT_THROW(write_flow_entry(model, card, 256, f), Error);
}

TEST(DriverTables, InboundFlowEntryHasItsBitSix) {
  CardRegisterModel model({0, 0, 64, 256, 512});
  const CardInfo card = discover(model);
  FlowEntry f;
  f.valid = 1;
  f.inbound = 1;
  f.action = FlowEntry::Action::kDiscard;
  f.protocol = 6;
  write_flow_entry(model, card, 3, f);
  // registers.md, flow entry: inbound bit 6 (the table the entry goes to), reserved0 bit 7.
  EXPECT_EQ(model.committed_flow().at(3)[0], 1u | (1u << 2) | (1u << 6) | (6u << 8));
}

TEST(DriverTables, CountersReadBack) {
  CardRegisterModel model({0, 0, 64, 256, 512});
  const CardInfo card = discover(model);
  model.count_sa_packet(3, 1500);
  model.count_sa_packet(3, 64);
  const SaCounters c = read_sa_counters(model, card, 3);
  EXPECT_EQ(c.packets, 2u);
  EXPECT_EQ(c.bytes, 1564u);
  EXPECT_EQ(read_sa_counters(model, card, 4).packets, 0u);
  model.count_drop(12, 0x100000002ull);
  EXPECT_EQ(read_drop_counter(model, card, 12), 0x100000002ull);
  EXPECT_EQ(read_drop_counter(model, card, 11), 0u);
  EXPECT_THROW(read_drop_counter(model, card, static_cast<std::uint8_t>(kCardReasonCount)), Error);
}

TEST(DriverTables, PacketMetaBitsSitWhereTheDocsSay) {
  PacketMeta m;
  m.direction = PacketMeta::Direction::kInbound;
  m.port = PacketMeta::Port::kHost;
  m.exception = 1;
  m.reason = 4;
  m.index = 0xbeef;
  m.pkt_len = 9000;
  m.l3_offset = 18;
  const auto w = m.pack();
  // metadata.md: direction bit 0, port 2:1, exception bit 4, reason 15:8,
  // index 31:16, pkt_len 47:32, l3_offset 55:48.
  EXPECT_EQ(w[0], 1u | (2u << 1) | (1u << 4) | (4u << 8) | (0xbeefu << 16));
  EXPECT_EQ(w[1], 9000u | (18u << 16));
}

}  // namespace
}  // namespace aipsec::card
