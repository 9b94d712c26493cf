// IPComp (RFC 3173) with DEFLATE (RFC 2394).
//
// Layout: NextHdr Flags(0) CPI(2) | compressed payload. Payloads below the RFC
// 2394 threshold, and payloads that do not shrink, are sent as they are (no
// IPComp header), as RFC 3173 section 2.2 requires.
#include <array>
#include <cstring>
#include <memory>

#include "xform_internal.hpp"

namespace aipsec::xform {
namespace {

constexpr std::size_t kMinCompress = 90;   // RFC 2394 section 2
constexpr std::uint16_t kDeflateCpi = 2;   // RFC 2394: the well-known CPI of DEFLATE
constexpr std::size_t kScratch = 65536;

// One scratch buffer per thread, allocated on first use (not per packet).
std::uint8_t* scratch() {
  thread_local std::unique_ptr<std::array<std::uint8_t, kScratch>> buf;
  if (!buf) buf = std::make_unique<std::array<std::uint8_t, kScratch>>();
  return buf->data();
}

}  // namespace

Reason ipcomp_output(Sa& sa, Packet& p, const Site& site) {
  const SaConfig& c = sa.config();
  const std::size_t n = p.size() - site.off;
  if (n < kMinCompress) return Reason::kNone;
  std::uint8_t* out = scratch();
  const std::size_t csize = sa.runtime().deflate->compress(ByteView(p.data() + site.off, n), MutByteView(out, n));
  if (csize == 0 || csize + 4 >= n) return Reason::kNone;
  std::memcpy(p.data() + site.off, out, csize);
  p.trim_back(n - csize);
  std::uint8_t* h = p.insert(site.off, 4);  // fits: the payload shrank by more
  h[0] = site.nh;
  h[1] = 0;
  store_be16(h + 2, c.ipcomp_raw_cpi ? std::uint16_t(c.spi) : kDeflateCpi);
  p.data()[site.nh_field_off] = ipproto::kIpComp;
  return Reason::kNone;
}

Reason ipcomp_input(Sa& sa, Packet& p, const Site& site, Cut& cut) {
  if (p.size() - site.off < 4) return Reason::kTruncated;
  const std::size_t in_len = p.size() - site.off - 4;
  const std::size_t room = 0xffff - site.off;  // the restored datagram must fit its length field
  std::uint8_t* out = scratch();
  const auto d = sa.runtime().deflate->decompress(ByteView(p.data() + site.off + 4, in_len), MutByteView(out, room));
  if (!d) return Reason::kDecompressFail;
  if (*d > in_len) {
    if (!p.push_back(*d - in_len)) return Reason::kNoRoom;
  } else {
    p.trim_back(in_len - *d);
  }
  std::memcpy(p.data() + site.off + 4, out, *d);
  cut.nh = p.data()[site.off];
  cut.hdr_len = 4;
  cut.trailer_len = 0;
  return Reason::kNone;
}

}  // namespace aipsec::xform
