#include "aipsec/reason.hpp"

namespace aipsec {

namespace {
struct ReasonText {
  std::string_view name, description;
};
constexpr ReasonText kReasonText[] = {
#define AIPSEC_REASON_TEXT(e, n, d) {n, d},
    AIPSEC_REASONS(AIPSEC_REASON_TEXT)
#undef AIPSEC_REASON_TEXT
};
static_assert(sizeof(kReasonText) / sizeof(kReasonText[0]) == kReasonCount);
}  // namespace

std::string_view reason_name(Reason r) {
  auto i = static_cast<std::size_t>(r);
  return i < kReasonCount ? kReasonText[i].name : "invalid";
}

std::string_view reason_description(Reason r) {
  auto i = static_cast<std::size_t>(r);
  return i < kReasonCount ? kReasonText[i].description : "invalid reason code";
}

}  // namespace aipsec
