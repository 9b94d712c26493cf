// Raw DEFLATE: round trips on random and compressible data, interoperability with
// zlib used directly (raw streams, windowBits -15), and rejection of corrupt input.
#include <gtest/gtest.h>
#include <zlib.h>

#include <random>

#include "aipsec/crypto.hpp"

namespace {

using aipsec::Bytes;
using aipsec::ByteView;
using aipsec::crypto::Deflate;

Bytes compressible(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>("GET /index.html HTTP/1.1\r\n"[i % 26]);
  return b;
}

Bytes random_data(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  Bytes b(n);
  for (auto& x : b) x = static_cast<std::uint8_t>(rng());
  return b;
}

// Independent raw inflate with zlib, to check our output is plain RFC 1951.
Bytes zlib_raw_inflate(ByteView in, std::size_t max) {
  z_stream s{};
  EXPECT_EQ(inflateInit2(&s, -15), Z_OK);
  Bytes out(max);
  s.next_in = const_cast<Bytef*>(in.data());
  s.avail_in = uInt(in.size());
  s.next_out = out.data();
  s.avail_out = uInt(out.size());
  EXPECT_EQ(inflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  inflateEnd(&s);
  return out;
}

TEST(Deflate, RoundTripsRandomAndCompressibleData) {
  Deflate d;
  for (std::size_t n : {1u, 100u, 1400u, 9000u, 65000u}) {
    for (const Bytes& in : {compressible(n), random_data(n, unsigned(n))}) {
      Bytes z(in.size() + in.size() / 100 + 64), back(in.size());
      const std::size_t zn = d.compress(in, z);
      ASSERT_GT(zn, 0u);
      z.resize(zn);
      EXPECT_EQ(zlib_raw_inflate(z, in.size()), in);
      const auto bn = d.decompress(z, back);
      ASSERT_TRUE(bn.has_value());
      EXPECT_EQ(*bn, in.size());
      EXPECT_EQ(back, in);
    }
  }
  // Compressible data must actually shrink.
  Bytes z(2000);
  EXPECT_LT(d.compress(compressible(1400), z), 200u);
}

TEST(Deflate, ReportsOutputTooSmall) {
  Deflate d;
  const Bytes in = random_data(1400, 1);
  Bytes small(100);
  EXPECT_EQ(d.compress(in, small), 0u);
  Bytes z(2000);
  const std::size_t zn = d.compress(compressible(1400), z);
  ASSERT_GT(zn, 0u);
  Bytes out(1399);
  EXPECT_FALSE(d.decompress(ByteView(z).first(zn), out).has_value());
  Bytes fits(1400);
  EXPECT_TRUE(d.decompress(ByteView(z).first(zn), fits).has_value());  // the stream was reset
}

TEST(Deflate, RejectsCorruptInput) {
  Deflate d;
  Bytes z(2000), out(4000);
  const std::size_t zn = d.compress(compressible(1400), z);
  ASSERT_GT(zn, 4u);
  EXPECT_FALSE(d.decompress(ByteView(z).first(zn - 3), out).has_value());  // truncated
  Bytes trailing(z.begin(), z.begin() + long(zn));
  trailing.push_back(0);
  EXPECT_FALSE(d.decompress(trailing, out).has_value());  // bytes after the stream
  const Bytes bad_block_type = {0x07, 0x00, 0x00};       // BTYPE 11 is reserved
  EXPECT_FALSE(d.decompress(bad_block_type, out).has_value());
  EXPECT_FALSE(d.decompress({}, out).has_value());
  for (unsigned seed = 0; seed < 50; ++seed) (void)d.decompress(random_data(200, seed), out);  // no crash
  const auto ok = d.decompress(ByteView(z).first(zn), out);  // still usable afterwards
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, 1400u);
}

TEST(Deflate, RejectsBadLevel) {
  EXPECT_THROW(Deflate(10), aipsec::Error);
  EXPECT_THROW(Deflate(-2), aipsec::Error);
  EXPECT_NO_THROW(Deflate(0));
  EXPECT_NO_THROW(Deflate(9));
}

}  // namespace
