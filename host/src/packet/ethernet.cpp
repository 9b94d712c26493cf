// Ethernet II framing with up to two VLAN tags (802.1Q 0x8100, 802.1ad 0x88a8).
#include "aipsec/packet.hpp"

namespace aipsec {

std::optional<EthInfo> parse_ethernet(ByteView frame) {
  constexpr std::size_t kMaxTags = 2;
  std::size_t type_off = 12;
  for (std::size_t tags = 0;; ++tags) {
    if (frame.size() < type_off + 2) return std::nullopt;
    const std::uint16_t type = load_be16(frame.data() + type_off);
    if (type == 0x0800 || type == 0x86dd) return EthInfo{type_off + 2, type, type_off};
    if ((type != 0x8100 && type != 0x88a8) || tags == kMaxTags) return std::nullopt;
    type_off += 4;
  }
}

}  // namespace aipsec
