// The MAC implementations behind Mac::create(); constructors throw Error on a bad key.
#pragma once

#include <memory>

#include "aipsec/crypto.hpp"

namespace aipsec::crypto::detail {

std::unique_ptr<Mac> make_hmac(MacKind kind, ByteView key);
std::unique_ptr<Mac> make_aes_xcbc(ByteView key);

}  // namespace aipsec::crypto::detail
