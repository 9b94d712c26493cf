// Random bytes, constant-time comparison and provider names.
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>

#include "aipsec/crypto.hpp"

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

bool equal_ct(ByteView a, ByteView b) noexcept {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view provider_name(Provider p) {
  switch (p) {
    case Provider::OpenSsl: return "openssl";
    case Provider::IpsecMb: return "intel-ipsec-mb";
  }
  return "unknown";
}

}  // namespace aipsec::crypto
