// Validation and canonical form of selectors and policies, shared by the SPD
// and its callers: a selector's addresses are stored with the bits beyond the
// prefix cleared, so equal selectors compare equal whatever host bits were given.
#pragma once

#include <cstdint>
#include <string>

#include "aipsec/policy.hpp"

namespace aipsec {

// 4 or 6, or 0 for a selector whose both prefixes are "any address of any family".
std::uint8_t selector_family(const Selector& s);

// Checks and canonicalises s; false (with the reason in error) if it is invalid.
bool normalize_selector(Selector& s, std::string* error);

// Checks the whole policy (selector, direction, action, requests) and
// canonicalises the selector; throws Error with the reason.
void validate_policy(Policy& p);

}  // namespace aipsec
