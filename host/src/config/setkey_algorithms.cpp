// Algorithm names (FreeBSD setkey spellings, plus the Linux ones where they
// exist), their key sizes, and the algorithms this runtime refuses.
#include <array>

#include "config/setkey_internal.hpp"

namespace aipsec::setkey {

namespace {
struct EncEntry {
  std::string_view name;
  EncAlg alg;
};
// The first name of each algorithm is the one dumps print.
constexpr std::array<EncEntry, 11> kEnc{{{"null", EncAlg::kNull},
                                         {"aes-cbc", EncAlg::kAesCbc},
                                         {"rijndael-cbc", EncAlg::kAesCbc},
                                         {"aes-ctr", EncAlg::kAesCtr},
                                         {"aes-gcm-16", EncAlg::kAesGcm16},
                                         {"aes-gcm-12", EncAlg::kAesGcm12},
                                         {"aes-gcm-8", EncAlg::kAesGcm8},
                                         {"chacha20-poly1305", EncAlg::kChaCha20Poly1305},
                                         {"aes-gmac", EncAlg::kAesGmac},
                                         {"null_aes_gmac", EncAlg::kAesGmac},
                                         {"aes-gcm", EncAlg::kAesGcm16}}};

struct AuthEntry {
  std::string_view name;
  AuthAlg alg;
  std::size_t fixed_key;  // 0: key sizes of the GMAC family
};
constexpr std::array<AuthEntry, 9> kAuth{{{"hmac-sha1", AuthAlg::kHmacSha1_96, 20},
                                          {"hmac-sha2-256", AuthAlg::kHmacSha256_128, 32},
                                          {"hmac-sha2-384", AuthAlg::kHmacSha384_192, 48},
                                          {"hmac-sha2-512", AuthAlg::kHmacSha512_256, 64},
                                          {"aes-xcbc-mac", AuthAlg::kAesXcbc96, 16},
                                          {"aes-gmac", AuthAlg::kAesGmac, 0},
                                          {"aes-128-gmac", AuthAlg::kAesGmac, 20},
                                          {"aes-192-gmac", AuthAlg::kAesGmac, 28},
                                          {"aes-256-gmac", AuthAlg::kAesGmac, 36}}};

struct Refused {
  std::string_view name;
  std::string_view why;
};
constexpr std::array<Refused, 16> kRefused{{
    {"des-cbc", "DES is broken (RFC 8221: MUST NOT)"},
    {"3des-cbc", "3DES is deprecated (RFC 8221: SHOULD NOT) and not implemented"},
    {"des-deriv", "DES is broken (RFC 8221: MUST NOT)"},
    {"des-32iv", "DES is broken (RFC 8221: MUST NOT)"},
    {"blowfish-cbc", "Blowfish is not implemented"},
    {"cast128-cbc", "CAST-128 is not implemented"},
    {"twofish-cbc", "Twofish is not implemented"},
    {"camellia-cbc", "Camellia is not implemented"},
    {"aes-ccm", "AES-CCM is not implemented"},
    {"simple", "the 'simple' cipher is not implemented"},
    {"hmac-md5", "HMAC-MD5 is deprecated (RFC 8221: MUST NOT) and not implemented"},
    {"keyed-md5", "keyed MD5 (RFC 1828) is not implemented"},
    {"keyed-sha1", "keyed SHA1 is not implemented"},
    {"hmac-ripemd160", "HMAC-RIPEMD-160 is not implemented"},
    {"tcp-md5", "TCP-MD5 is not implemented"},
    {"lzs", "LZS compression is not implemented (deflate is)"},
}};

[[noreturn]] void refuse_or_unknown(detail::Cursor& c, const detail::Token& t, std::string_view kind) {
  for (const auto& r : kRefused)
    if (r.name == t.text) c.fail(t, "algorithm not supported: " + std::string(r.why));
  c.fail(t, "unknown " + std::string(kind) + " algorithm");
}
}  // namespace

std::string_view enc_alg_name(EncAlg a) {
  for (const auto& e : kEnc)
    if (e.alg == a) return e.name;
  return "none";
}

std::string_view auth_alg_name(AuthAlg a) {
  if (a == AuthAlg::kNone) return "null";
  for (const auto& e : kAuth)
    if (e.alg == a) return e.name;
  return "none";
}

std::vector<std::size_t> enc_key_sizes(EncAlg a) {
  switch (a) {
    case EncAlg::kNone:
    case EncAlg::kNull: return {0};
    case EncAlg::kAesCbc: return {16, 24, 32};
    case EncAlg::kAesCtr:
    case EncAlg::kAesGcm8:
    case EncAlg::kAesGcm12:
    case EncAlg::kAesGcm16:
    case EncAlg::kAesGmac: return {20, 28, 36};  // AES key + 4-byte salt / nonce
    case EncAlg::kChaCha20Poly1305: return {36};   // 32-byte key + 4-byte salt (RFC 7634)
  }
  return {};
}

std::vector<std::size_t> auth_key_sizes(AuthAlg a, IpsecProto) {
  for (const auto& e : kAuth)
    if (e.alg == a && e.fixed_key) return a == AuthAlg::kAesGmac ? std::vector<std::size_t>{20, 28, 36}
                                                                 : std::vector<std::size_t>{e.fixed_key};
  return {0};
}

}  // namespace aipsec::setkey

namespace aipsec::setkey::detail {

EncAlg parse_enc_alg(Cursor& c) {
  const Token& t = c.next();
  for (const auto& e : kEnc)
    if (!t.quoted && e.name == t.text) return e.alg;
  refuse_or_unknown(c, t, "encryption");
}

AuthAlg parse_auth_alg(Cursor& c, IpsecProto proto) {
  const Token& t = c.next();
  if (t.text == "null" || t.text == "none") {
    if (proto == IpsecProto::kAh) c.fail(t, "AH needs an integrity algorithm ('null' is not one)");
    return AuthAlg::kNone;
  }
  for (const auto& e : kAuth) {
    if (t.quoted || e.name != t.text) continue;
    if (e.alg == AuthAlg::kAesGmac && proto != IpsecProto::kAh)
      c.fail(t, "GMAC with ESP is the encryption algorithm -E aes-gmac (RFC 4543)");
    return e.alg;
  }
  refuse_or_unknown(c, t, "authentication");
}

std::vector<std::size_t> auth_key_sizes_named(std::string_view name, AuthAlg a) {
  for (const auto& e : kAuth)
    if (e.name == name && e.fixed_key) return {e.fixed_key};
  return auth_key_sizes(a, IpsecProto::kAh);
}

CompAlg parse_comp_alg(Cursor& c) {
  const Token& t = c.next();
  if (t.text == "deflate") return CompAlg::kDeflate;
  refuse_or_unknown(c, t, "compression");
}

SecureBytes parse_key(Cursor& c, const std::vector<std::size_t>& sizes, std::string_view alg) {
  const Token& t = c.next();
  // Messages name the algorithm, never the token: the token is (or may be) the key.
  const Token shown{std::string(alg) + " key", t.line, false};
  SecureBytes key;
  if (t.quoted) {
    key = SecureBytes(ByteView(reinterpret_cast<const std::uint8_t*>(t.text.data()), t.text.size()));
  } else if (t.text.size() >= 2 && t.text[0] == '0' && (t.text[1] == 'x' || t.text[1] == 'X')) {
    // Checked here so that no message (from_hex quotes its input) carries the key.
    std::string_view digits = std::string_view(t.text).substr(2);
    if (digits.size() % 2 != 0) c.fail(shown, "bad hex key: odd number of digits");
    if (digits.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos)
      c.fail(shown, "bad hex key: a character is not a hex digit");
    Bytes raw = from_hex(digits);
    key = SecureBytes(raw);
    secure_wipe(raw.data(), raw.size());
  } else {
    c.fail(shown, "a key is 0x followed by hex digits or a \"double-quoted string\"");
  }
  for (std::size_t s : sizes)
    if (key.size() == s) return key;
  c.fail(shown, "key for " + std::string(alg) + " is " + std::to_string(key.size()) +
                    " bytes; expected " + join_sizes(sizes) + " bytes");
}

}  // namespace aipsec::setkey::detail
