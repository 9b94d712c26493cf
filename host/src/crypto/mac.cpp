// Mac::create and the verification shared by every MAC.
#include <openssl/crypto.h>

#include <array>

#include "crypto/ct_equal.hpp"
#include "crypto/mac_impl.hpp"

namespace aipsec::crypto {

std::unique_ptr<Mac> Mac::create(MacKind kind, ByteView key) {
  if (kind == MacKind::AesXcbc) return detail::make_aes_xcbc(key);
  return detail::make_hmac(kind, key);
}

bool Mac::finish_verify(ByteView expected) {
  std::array<std::uint8_t, 64> mac{};
  finish(MutByteView(mac.data(), full_size()));
  const bool ok = !expected.empty() && expected.size() <= full_size() &&
                  detail::tag_equal(mac.data(), expected.data(), expected.size());
  OPENSSL_cleanse(mac.data(), mac.size());
  return ok;
}

}  // namespace aipsec::crypto
