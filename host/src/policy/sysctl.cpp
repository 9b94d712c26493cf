// The ipsec(4) sysctl tree: one table gives every variable its full FreeBSD
// name, where it lives in Sysctl and which values it accepts, so get, set and
// names() cannot disagree.
#include "aipsec/sysctl.hpp"

#include <array>

namespace aipsec {
namespace {

enum class Kind { kLevel, kDefPolicy, kBool, kDfbit, kMask16 };

struct Variable {
  std::string_view name;
  int& (*field)(Sysctl&);
  Kind kind;
};

// Every family variable exists under net.inet.ipsec and net.inet6.ipsec6.
#define AIPSEC_FAMILY_VARS(prefix, fam)                                                      \
  Variable{prefix "esp_trans_deflev", [](Sysctl& s) -> int& { return s.fam.esp_trans_deflev; }, \
           Kind::kLevel},                                                                    \
      Variable{prefix "esp_net_deflev", [](Sysctl& s) -> int& { return s.fam.esp_net_deflev; }, \
               Kind::kLevel},                                                                \
      Variable{prefix "ah_trans_deflev", [](Sysctl& s) -> int& { return s.fam.ah_trans_deflev; }, \
               Kind::kLevel},                                                                \
      Variable{prefix "ah_net_deflev", [](Sysctl& s) -> int& { return s.fam.ah_net_deflev; },  \
               Kind::kLevel},                                                                \
      Variable{prefix "def_policy", [](Sysctl& s) -> int& { return s.fam.def_policy; },        \
               Kind::kDefPolicy},                                                            \
      Variable{prefix "ecn", [](Sysctl& s) -> int& { return s.fam.ecn; }, Kind::kBool},         \
      Variable{prefix "debug", [](Sysctl& s) -> int& { return s.fam.debug; }, Kind::kBool}

const std::array kVariables = {
    AIPSEC_FAMILY_VARS("net.inet.ipsec.", inet),
    Variable{"net.inet.ipsec.ah_cleartos", [](Sysctl& s) -> int& { return s.ah_cleartos; }, Kind::kBool},
    Variable{"net.inet.ipsec.ah_offsetmask", [](Sysctl& s) -> int& { return s.ah_offsetmask; },
             Kind::kMask16},
    Variable{"net.inet.ipsec.dfbit", [](Sysctl& s) -> int& { return s.dfbit; }, Kind::kDfbit},
    AIPSEC_FAMILY_VARS("net.inet6.ipsec6.", inet6),
    Variable{"net.inet.esp.esp_enable", [](Sysctl& s) -> int& { return s.esp_enable; }, Kind::kBool},
    Variable{"net.inet.ah.ah_enable", [](Sysctl& s) -> int& { return s.ah_enable; }, Kind::kBool},
    Variable{"net.inet.ipcomp.ipcomp_enable", [](Sysctl& s) -> int& { return s.ipcomp_enable; },
             Kind::kBool},
};
#undef AIPSEC_FAMILY_VARS

const Variable* find_variable(std::string_view name) {
  for (const auto& v : kVariables)
    if (v.name == name) return &v;
  return nullptr;
}

// nullptr if the value is acceptable, else what is acceptable.
const char* range_error(Kind kind, int value) {
  switch (kind) {
    case Kind::kLevel:
      return value == 1 || value == 2 ? nullptr : "must be 1 (use) or 2 (require)";
    case Kind::kDefPolicy:
      return value == 0 || value == 1 ? nullptr : "must be 0 (discard) or 1 (none)";
    case Kind::kBool:
      return value == 0 || value == 1 ? nullptr : "must be 0 (off) or 1 (on)";
    case Kind::kDfbit:
      return value >= 0 && value <= 2 ? nullptr : "must be 0 (clear), 1 (set) or 2 (copy from inner)";
    case Kind::kMask16:
      return value >= 0 && value <= 0xffff ? nullptr : "must be within 0..0xffff";
  }
  return "has an unknown kind";
}

}  // namespace

std::optional<int> Sysctl::get(std::string_view name) const {
  const Variable* v = find_variable(name);
  if (!v) return std::nullopt;
  // The accessors are shared with set(); reading through them does not modify.
  return v->field(const_cast<Sysctl&>(*this));
}

bool Sysctl::set(std::string_view name, int value, std::string* error) {
  const Variable* v = find_variable(name);
  if (!v) {
    if (error) *error = "unknown sysctl variable '" + std::string(name) + "'";
    return false;
  }
  if (const char* why = range_error(v->kind, value)) {
    if (error)
      *error = std::string(name) + ": value " + std::to_string(value) + " out of range: " + why;
    return false;
  }
  v->field(*this) = value;
  return true;
}

std::vector<std::string> Sysctl::names() {
  std::vector<std::string> out;
  out.reserve(kVariables.size());
  for (const auto& v : kVariables) out.emplace_back(v.name);
  return out;
}

}  // namespace aipsec
