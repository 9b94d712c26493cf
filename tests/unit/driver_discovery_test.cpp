// Discovery over the register model: the block walk, and the ways a broken
// or different card is recognised.
#include <gtest/gtest.h>

#include "aipsec/card_discovery.hpp"
#include "aipsec/card_register_model.hpp"

namespace aipsec::card {
namespace {

CardRegisterModel make_model() { return CardRegisterModel({0x5f000000, 0x1234abcd, 64, 256, 512}); }

TEST(DriverDiscovery, FindsEveryBlockOfTheSpecInOrder) {
  auto model = make_model();
  const CardInfo info = discover(model);
  ASSERT_EQ(info.blocks.size(), kBlocks.size());
  for (std::size_t i = 0; i < kBlocks.size(); ++i) {
    EXPECT_EQ(info.blocks[i].base, kBlocks[i].base) << kBlocks[i].name;
    EXPECT_EQ(info.blocks[i].type, kBlocks[i].type) << kBlocks[i].name;
    EXPECT_EQ(info.blocks[i].version, kBlocks[i].version) << kBlocks[i].name;
  }
  EXPECT_EQ(info.blocks.front().base, 0u);
  EXPECT_EQ(info.blocks.front().type, 0x41490001u);  // "AI" 0001: the ID block (registers.md)
}

TEST(DriverDiscovery, NextPointerBackwardsIsABrokenCard) {
  auto model = make_model();
  model.override_read(ctrl::kBase + header::kNext, ctrl::kBase);  // points at itself
  EXPECT_THROW(discover(model), Error);
}

TEST(DriverDiscovery, MisalignedOrOutOfApertureNextIsABrokenCard) {
  auto model = make_model();
  model.override_read(id::kBase + header::kNext, 0x102);
  EXPECT_THROW(discover(model), Error);
  auto model2 = make_model();
  model2.override_read(id::kBase + header::kNext, kApertureBytes);
  EXPECT_THROW(discover(model2), Error);
}

TEST(DriverDiscovery, FirstBlockMustBeTheIdBlock) {
  auto model = make_model();
  model.override_read(header::kType, 0xdeadbeef);
  EXPECT_THROW(discover(model), Error);
}

TEST(DriverDiscovery, UnknownBlockIsListedButNotUsed) {
  auto model = make_model();
  model.override_read(queues::kBase + header::kType, 0x12345678);
  const CardInfo info = discover(model);
  EXPECT_EQ(info.blocks.size(), kBlocks.size());
  EXPECT_FALSE(info.base_of(queues::kType, queues::kVersion).has_value());
  EXPECT_THROW(info.require(queues::kType, queues::kVersion, "queues"), Error);
}

TEST(DriverDiscovery, MajorVersionMustMatchMinorMayGrow) {
  auto model = make_model();
  model.override_read(sa_window::kBase + header::kVersion, sa_window::kVersion + 0x00010000);
  model.override_read(flow_window::kBase + header::kVersion, flow_window::kVersion + 1);
  const CardInfo info = discover(model);
  EXPECT_FALSE(info.base_of(sa_window::kType, sa_window::kVersion).has_value());
  EXPECT_EQ(info.base_of(flow_window::kType, flow_window::kVersion), flow_window::kBase);
}

TEST(DriverDiscovery, BusErrorOnUnmappedAccess) {
  auto model = make_model();
  EXPECT_THROW(model.read32(0x3ffc), BusError);
  EXPECT_THROW(model.write32(id::kBuildDate, 1), BusError);  // read-only
  EXPECT_THROW(model.read32(0x2), BusError);                 // misaligned
}

}  // namespace
}  // namespace aipsec::card
