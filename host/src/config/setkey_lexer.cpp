// Tokens of the setkey language and the cursor the parsers walk them with.
#include <charconv>

#include "config/setkey_internal.hpp"

namespace aipsec::setkey {

namespace {
// Error messages quote tokens; a fuzzed 1 MB token must not make a 1 MB message.
std::string shorten(std::string_view t) {
  constexpr std::size_t kMax = 64;
  if (t.size() <= kMax) return std::string(t);
  return std::string(t.substr(0, kMax)) + "...";
}
}  // namespace

ParseError::ParseError(std::string file, int line, std::string token, const std::string& problem)
    : Error(file + ":" + std::to_string(line) + ": near '" + shorten(token) + "': " + problem),
      file_(std::move(file)),
      line_(line),
      token_(std::move(token)),
      problem_(problem) {}

}  // namespace aipsec::setkey

namespace aipsec::setkey::detail {

namespace {
bool is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v'; }
}  // namespace

std::vector<Token> tokenize(std::string_view text, std::string_view file) {
  std::vector<Token> out;
  int line = 1;
  std::size_t i = 0;
  while (i < text.size()) {
    char ch = text[i];
    if (ch == '\n') { ++line; ++i; continue; }
    if (is_space(ch)) { ++i; continue; }
    if (ch == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (ch == ';') {
      out.push_back({";", line, false});
      ++i;
      continue;
    }
    if (ch == '"') {
      std::size_t end = text.find('"', i + 1);
      if (end == std::string_view::npos)
        throw ParseError(std::string(file), line, "\"", "unterminated string");  // may be a key: not echoed
      Token t{std::string(text.substr(i + 1, end - i - 1)), line, true};
      for (char c : t.text) line += c == '\n';
      out.push_back(std::move(t));
      i = end + 1;
      continue;
    }
    std::size_t start = i;
    while (i < text.size() && !is_space(text[i]) && text[i] != ';' && text[i] != '#' && text[i] != '"') ++i;
    out.push_back({std::string(text.substr(start, i - start)), line, false});
  }
  return out;
}

const Token& Cursor::peek() const {
  if (pos_ < toks_.size()) return toks_[pos_];
  return end_;
}

const Token& Cursor::next() {
  if (at_end()) fail_here("unexpected end of input (missing ';'?)");
  return toks_[pos_++];
}

bool Cursor::accept(std::string_view text) {
  if (!peek_is(text)) return false;
  ++pos_;
  return true;
}

void Cursor::expect(std::string_view text, std::string_view what) {
  if (!accept(text)) fail_here("expected " + std::string(what));
}

void Cursor::fail(const Token& at, const std::string& problem) const {
  // A quoted string is only ever a key where it belongs: never echo one.
  throw ParseError(file_, at.line, at.quoted ? std::string("\"...\"") : at.text, problem);
}

std::optional<std::uint64_t> parse_number(std::string_view s, std::uint64_t max) {
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

std::string join_sizes(const std::vector<std::size_t>& sizes) {
  std::string s;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (i) s += i + 1 == sizes.size() ? " or " : ", ";
    s += std::to_string(sizes[i]);
  }
  return s;
}

}  // namespace aipsec::setkey::detail
