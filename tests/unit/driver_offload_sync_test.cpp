// CardOffload following the host's SAD and SPD over the register model: what
// sync() commits when the SAD changed, that it stays off the bus when nothing
// did, replay memory per inbound SA, and a card too old for inbound flow entries.
#include <gtest/gtest.h>

#include <set>

#include "aipsec/card_offload.hpp"
#include "aipsec/card_register_model.hpp"

namespace aipsec::card {
namespace {

// The model's bus, counting every access.
class CountingBus : public RegisterTransport {
 public:
  explicit CountingBus(RegisterTransport& bus) : bus_(bus) {}
  std::uint32_t read32(std::uint32_t a) override {
    ++accesses;
    return bus_.read32(a);
  }
  void write32(std::uint32_t a, std::uint32_t v) override {
    ++accesses;
    bus_.write32(a, v);
  }
  std::uint64_t accesses = 0;

 private:
  RegisterTransport& bus_;
};

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

TEST_F(DriverOffloadSync, DeadSaLeavesAfterStatesChanged) {
  SaRef sa = dp.sad().add(esp_sa(0x5005, 0x66));
  off.program();
  ASSERT_EQ(valid_entries(model).size(), 1u);
  sa->set_state(SaState::kDead);
  off.sync();  // not a SAD change and nothing told it: the entry is still there
  EXPECT_EQ(valid_entries(model).size(), 1u);
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
