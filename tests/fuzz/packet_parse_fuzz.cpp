// Fuzz target: parse_ip and parse_ethernet on arbitrary bytes, then the checksum
// helpers on whatever parsed. Besides memory errors (ASan/UBSan), it traps when
// a parsed result breaks an invariant the rest of the runtime relies on.
#include <cstdint>
#include <cstring>

#include "aipsec/packet.hpp"

namespace aipsec {
namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

void check_info(ByteView v, const IpInfo& i) {
  require(i.version == 4 || i.version == 6);
  require(i.total_len <= v.size());
  require(i.ip_hdr_len <= i.transport_insert_off);
  require(i.transport_insert_off <= i.l4_off && i.l4_off <= i.total_len);
  require(i.next_header_field_off < i.transport_insert_off);
  require(v[i.next_header_field_off] == i.next_header_at_insert);
}

// The checksum helpers must leave a parseable packet with the same layout, and
// recomputing twice must change nothing.
void check_checksums(ByteView v, const IpInfo& i) {
  static std::uint8_t buf[65536];
  std::memcpy(buf, v.data(), i.total_len);
  const MutByteView pkt(buf, i.total_len);
  if (i.version == 4) {
    ipv4_update_checksum(buf);
    require(parse_ip(pkt, true).error == Reason::kNone);
  }
  if (!l4_update_checksum(pkt)) return;
  const ParseResult again = parse_ip(pkt, i.version == 4);
  require(again.info && again.info->ulproto == i.ulproto && again.info->l4_off == i.l4_off);
  static std::uint8_t copy[65536];
  std::memcpy(copy, buf, i.total_len);
  require(l4_update_checksum(pkt));
  require(std::memcmp(copy, buf, i.total_len) == 0);
}

void check_ip(ByteView v) {
  for (bool verify : {false, true}) {
    const ParseResult r = parse_ip(v, verify);
    require(r.info.has_value() == (r.error == Reason::kNone));
    if (!r.info) continue;
    check_info(v, *r.info);
    if (!verify) check_checksums(v, *r.info);
  }
}

}  // namespace
}  // namespace aipsec

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace aipsec;
  const ByteView in(data, size);
  check_ip(in);
  if (const auto eth = parse_ethernet(in)) {
    require(eth->ethertype == 0x0800 || eth->ethertype == 0x86dd);
    require(eth->ethertype_off + 2 == eth->l3_off && eth->l3_off <= size);
    check_ip(in.subspan(eth->l3_off));
  }
  return 0;
}
