// The ipsec(4) sysctl variables, with their types, defaults and meanings.
// IPv4 (net.inet.*) and IPv6 (net.inet6.ipsec6.*) trees are separate, as in KAME.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aipsec {

struct SysctlFamily {
  int esp_trans_deflev = 1;  // 1 = use, 2 = require (IPSEC_LEVEL_*)
  int esp_net_deflev = 1;
  int ah_trans_deflev = 1;
  int ah_net_deflev = 1;
  int def_policy = 1;        // 0 = discard, 1 = none (accept without IPsec)
  int ecn = 0;               // non-zero: RFC 6040 normal mode on tunnel encap/decap
  int debug = 0;
  bool operator==(const SysctlFamily&) const = default;
};

struct Sysctl {
  SysctlFamily inet;   // net.inet.ipsec.*
  SysctlFamily inet6;  // net.inet6.ipsec6.*
  int ah_cleartos = 1;    // net.inet.ipsec.ah_cleartos: zero the TOS in the AH ICV
  int ah_offsetmask = 0;  // net.inet.ipsec.ah_offsetmask: AND with flags|frag offset in the AH ICV
  int dfbit = 0;          // net.inet.ipsec.dfbit: 0 clear, 1 set, 2 copy from inner
  int esp_enable = 1;     // net.inet.esp.esp_enable
  int ah_enable = 1;      // net.inet.ah.ah_enable
  int ipcomp_enable = 0;  // net.inet.ipcomp.ipcomp_enable

  const SysctlFamily& family(int ip_version) const { return ip_version == 6 ? inet6 : inet; }

  // Access by full name ("net.inet.ipsec.dfbit"); nullopt / false for an unknown
  // name or an out-of-range value (e.g. dfbit 3, a level other than 1 or 2).
  std::optional<int> get(std::string_view name) const;
  bool set(std::string_view name, int value, std::string* error = nullptr);
  static std::vector<std::string> names();
  bool operator==(const Sysctl&) const = default;
};

}  // namespace aipsec
