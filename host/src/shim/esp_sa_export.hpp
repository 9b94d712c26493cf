// The ESP SAs as a Wireshark "esp_sa" UAT table, so that an operator can
// decrypt a capture (Wireshark/tshark 4.0: Preferences > Protocols > ESP, or
// the file <confdir>/esp_sa). One record per ESP SA, 8 quoted fields:
//   "Protocol","Src IP","Dest IP","SPI","Encryption","Encryption Key",
//   "Authentication","Authentication Key"
// with Wireshark 4.0's algorithm strings; a GCM key is AES key || salt, as
// the SA holds it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aipsec/pfkey.hpp"

namespace aipsec::setkeytool {

// The record for one SA of a DUMP answer, or why it has none (not ESP, or an
// algorithm Wireshark 4.0 cannot decrypt).
struct EspSaRecord {
  std::optional<std::string> line;
  std::string skipped;  // reason when !line
};
EspSaRecord esp_sa_record(const pfkey::Message& sa);

// The whole file: a comment header, one line per exportable SA, and a comment
// per SA left out with the reason.
std::string esp_sa_table(const std::vector<pfkey::Message>& sas);

}  // namespace aipsec::setkeytool
