// The card's reason codes map onto the host's Reason list.
#include <gtest/gtest.h>

#include <set>

#include "aipsec/card_reason.hpp"
#include "aipsec/card_regs.hpp"

namespace aipsec::card {
namespace {

std::uint8_t code_of(std::string_view name) {
  for (const auto& r : kReasons) {
    if (r.name == name) return r.code;
  }
  ADD_FAILURE() << "no card reason " << name;
  return 0xff;
}

TEST(DriverReason, EveryCardCodeMapsOntoAHostReasonOfTheSameName) {
  for (const auto& r : kReasons) {
    const auto host = host_reason(r.code);
    ASSERT_TRUE(host.has_value()) << "card reason " << r.name << " names unknown host reason " << r.host_name;
    EXPECT_EQ(reason_name(*host), r.host_name);
  }
}

TEST(DriverReason, CodesAreDenseUniqueAndFitTheMetadataField) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kReasons.size(); ++i) {
    EXPECT_EQ(kReasons[i].code, i);
    EXPECT_TRUE(names.insert(kReasons[i].name).second) << kReasons[i].name;
  }
  // metadata.md: reason is tuser bits 15:8.
  PacketMeta m;
  m.reason = static_cast<std::uint8_t>(kReasons.size() - 1);
  EXPECT_EQ((m.pack()[0] >> 8) & 0xffu, kReasons.size() - 1);
}

TEST(DriverReason, IssueExceptionsAndDropsMapAsSpecified) {
  EXPECT_EQ(host_reason(code_of("unknown_spi")), Reason::kUnknownSpi);
  EXPECT_EQ(host_reason(code_of("replay")), Reason::kReplay);
  EXPECT_EQ(host_reason(code_of("replay_old")), Reason::kReplayOld);
  EXPECT_EQ(host_reason(code_of("icv_fail")), Reason::kIcvFail);
  EXPECT_EQ(host_reason(code_of("fragment")), Reason::kFragment);
  EXPECT_EQ(host_reason(code_of("too_big")), Reason::kTooBig);
  EXPECT_EQ(host_reason(code_of("seq_overflow")), Reason::kSeqOverflow);
  EXPECT_EQ(host_reason(code_of("ext_hdr_limit")), Reason::kExtHdrLimit);
  EXPECT_EQ(host_reason(code_of("unsupported")), Reason::kUnsupported);
  EXPECT_EQ(host_reason(code_of("flow_miss")), Reason::kNone);  // handed over, not dropped
  EXPECT_EQ(host_reason(0), Reason::kNone);
  // Replay and ICV failures are dropped on the card; exceptions go to the host.
  for (auto n : {"replay", "replay_old", "icv_fail"}) {
    EXPECT_EQ(kReasons[code_of(n)].disposition, Disposition::kDrop) << n;
  }
  for (auto n : {"flow_miss", "unknown_spi", "unsupported", "fragment", "too_big", "ext_hdr_limit",
                 "seq_overflow"}) {
    EXPECT_EQ(kReasons[code_of(n)].disposition, Disposition::kHost) << n;
  }
}

TEST(DriverReason, UnknownCodeHasNoHostReason) {
  EXPECT_FALSE(host_reason(static_cast<std::uint8_t>(kReasons.size())).has_value());
  EXPECT_FALSE(host_reason(0xff).has_value());
}

}  // namespace
}  // namespace aipsec::card
