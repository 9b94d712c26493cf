// random_bytes and equal_ct.
#include <gtest/gtest.h>

#include <set>

#include "aipsec/crypto.hpp"

namespace {

using aipsec::Bytes;
using aipsec::crypto::equal_ct;
using aipsec::crypto::random_bytes;

TEST(CryptoUtil, RandomBytesFillsAndDiffers) {
  std::set<Bytes> seen;
  for (int i = 0; i < 16; ++i) {
    Bytes b(32, 0);
    random_bytes(b);
    seen.insert(b);
  }
  EXPECT_EQ(seen.size(), 16u);  // 16 draws of 256 bits: a repeat means a broken generator
  Bytes big(100000, 0);
  random_bytes(big);
  std::size_t zeros = 0;
  for (auto x : big) zeros += x == 0;
  EXPECT_LT(zeros, 1000u);  // about 390 expected
  random_bytes({});  // empty is fine
}

TEST(CryptoUtil, EqualCt) {
  const Bytes a = {1, 2, 3}, b = {1, 2, 3}, c = {1, 2, 4}, d = {1, 2};
  EXPECT_TRUE(equal_ct(a, b));
  EXPECT_FALSE(equal_ct(a, c));
  EXPECT_FALSE(equal_ct(a, d));
  EXPECT_TRUE(equal_ct({}, {}));
}

}  // namespace
