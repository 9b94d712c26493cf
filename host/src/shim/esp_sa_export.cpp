// Wireshark esp_sa UAT records from PF_KEY SA messages.
#include "esp_sa_export.hpp"

#include <cstdio>

namespace aipsec::setkeytool {
namespace {

std::optional<const char*> wireshark_enc(EncAlg e) {
  switch (e) {
    case EncAlg::kNull: return "NULL";
    case EncAlg::kAesCbc: return "AES-CBC [RFC3602]";
    case EncAlg::kAesCtr: return "AES-CTR [RFC3686]";
    case EncAlg::kAesGcm8: return "AES-GCM with 8 octet ICV [RFC4106]";
    case EncAlg::kAesGcm12: return "AES-GCM with 12 octet ICV [RFC4106]";
    case EncAlg::kAesGcm16: return "AES-GCM with 16 octet ICV [RFC4106]";
    default: return std::nullopt;  // ChaCha20-Poly1305, ENCR_NULL_AUTH_AES_GMAC: not in Wireshark 4.0
  }
}

// AES-XCBC has no checker in Wireshark 4.0: its ICV length lets it decrypt
// without verifying.
std::optional<const char*> wireshark_auth(AuthAlg a) {
  switch (a) {
    case AuthAlg::kNone: return "NULL";
    case AuthAlg::kHmacSha1_96: return "HMAC-SHA-1-96 [RFC2404]";
    case AuthAlg::kHmacSha256_128: return "HMAC-SHA-256-128 [RFC4868]";
    case AuthAlg::kHmacSha384_192: return "HMAC-SHA-384-192 [RFC4868]";
    case AuthAlg::kHmacSha512_256: return "HMAC-SHA-512-256 [RFC4868]";
    case AuthAlg::kAesXcbc96: return "ANY 96 bit authentication [no checking]";
    default: return std::nullopt;
  }
}

std::string key_field(const std::optional<pfkey::KeyExt>& k) {
  if (!k || k->key.empty()) return "";
  return "0x" + to_hex(k->key.view());
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

EspSaRecord esp_sa_record(const pfkey::Message& m) {
  if (m.satype != SADB_SATYPE_ESP || !m.sa || !m.src || !m.dst) return {std::nullopt, "not an ESP SA"};
  auto enc = pfkey::enc_from_sadb(m.sa->encrypt);
  auto auth = pfkey::auth_from_sadb(m.sa->auth);
  if (!enc || !auth) return {std::nullopt, "unknown algorithm number"};
  auto wenc = wireshark_enc(*enc);
  auto wauth = wireshark_auth(*auth);
  if (!wenc || !wauth) return {std::nullopt, "algorithm not decryptable by Wireshark 4.0"};
  if (*enc != EncAlg::kNull && !m.key_encrypt) return {std::nullopt, "no encryption key in the dump"};
  char spi[16];
  std::snprintf(spi, sizeof spi, "0x%08x", m.sa->spi);
  std::string line = quoted(m.src->sa.addr.family == 6 ? "IPv6" : "IPv4") + "," +
                     quoted(m.src->sa.addr.to_string()) + "," + quoted(m.dst->sa.addr.to_string()) + "," +
                     quoted(spi) + "," + quoted(*wenc) + "," + quoted(key_field(m.key_encrypt)) + "," +
                     quoted(*wauth) + "," + quoted(*auth == AuthAlg::kNone ? "" : key_field(m.key_auth));
  return {line, ""};
}

std::string esp_sa_table(const std::vector<pfkey::Message>& sas) {
  std::string s =
      "# Wireshark esp_sa table (ESP SAs of ipsecd). Contains keys: keep it private.\n"
      "# \"Protocol\",\"Src IP\",\"Dest IP\",\"SPI\",\"Encryption\",\"Encryption Key\","
      "\"Authentication\",\"Authentication Key\"\n";
  for (const auto& m : sas) {
    EspSaRecord r = esp_sa_record(m);
    if (r.line) {
      s += *r.line + "\n";
      if (m.sa->flags & pfkey::kSaFlagEsn)
        s += "# the SA above uses ESN, which Wireshark 4.0 lacks: it decrypts but reports the ICV as bad\n";
    } else if (m.satype == SADB_SATYPE_ESP && m.sa) {
      char spi[16];
      std::snprintf(spi, sizeof spi, "0x%08x", m.sa->spi);
      s += std::string("# SPI ") + spi + " left out: " + r.skipped + "\n";
    }
  }
  return s;
}

}  // namespace aipsec::setkeytool
