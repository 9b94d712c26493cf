// Random bytes, constant-time comparison and provider names.
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>

#include "aipsec/crypto.hpp"
#include "crypto/ct_equal.hpp"

namespace aipsec::crypto {

void random_bytes(MutByteView out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const std::size_t n = std::min<std::size_t>(out.size() - done, INT_MAX);
    if (RAND_bytes(out.data() + done, static_cast<int>(n)) != 1)
      throw Error("RAND_bytes failed: the random generator is not available");
    done += n;
  }
}

std::uint64_t nonsecret_random64() {
  thread_local std::uint64_t state = [] {
    std::uint64_t seed = 0;
    random_bytes(MutByteView(reinterpret_cast<std::uint8_t*>(&seed), sizeof seed));
    return seed;
  }();
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

bool equal_ct(ByteView a, ByteView b) noexcept {
  if (a.size() != b.size()) return false;
  return detail::tag_equal(a.data(), b.data(), a.size());
}

std::string_view provider_name(Provider p) {
  switch (p) {
    case Provider::OpenSsl: return "openssl";
    case Provider::IpsecMb: return "intel-ipsec-mb";
  }
  return "unknown";
}

}  // namespace aipsec::crypto
