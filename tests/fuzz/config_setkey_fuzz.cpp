// Fuzz target: the setkey parser, the policy-string parser and the dump reader.
// Whatever the input, they return commands or throw ParseError / Error; what
// parses is applied to a data plane, dumped, and the dump must read back to the
// same number of SAs and policies.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aipsec/dataplane.hpp"
#include "aipsec/setkey.hpp"

namespace {

void check_dump_round_trip(const std::vector<aipsec::setkey::Command>& cmds) {
  aipsec::DataPlane dp;
  for (const auto& c : cmds) {
    try {
      aipsec::setkey::apply(dp, c);
    } catch (const aipsec::Error&) {
      // Refused by the data plane (duplicate SA, unknown policy...): fine.
    }
  }
  std::string dump = aipsec::setkey::format_sad(dp.sad()) + aipsec::setkey::format_spd(dp.spd());
  auto back = aipsec::setkey::parse_dump(dump);  // must not throw: we wrote it
  if (back.size() != dp.sad().size() + dp.spd().size()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    check_dump_round_trip(aipsec::setkey::parse(text, "fuzz"));
  } catch (const aipsec::Error&) {
  }
  try {
    aipsec::setkey::parse_policy_string(text);
  } catch (const aipsec::Error&) {
  }
  try {
    aipsec::setkey::parse_dump(text);
  } catch (const aipsec::Error&) {
  }
  return 0;
}
