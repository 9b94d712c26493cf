#include "crypto/evp_handles.hpp"

#include "aipsec/common.hpp"

namespace aipsec::crypto::detail {

CipherCtxPtr make_keyed_ctx(const EVP_CIPHER* cipher, const unsigned char* key, int enc) {
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex(ctx.get(), cipher, nullptr, key, nullptr, enc) != 1)
    throw Error("OpenSSL refused to set up the cipher context");
  return ctx;
}

}  // namespace aipsec::crypto::detail
