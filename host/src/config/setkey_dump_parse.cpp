// Reading setkey -D / -DP style dumps (as format_sad and format_spd write them)
// back into add and spdadd commands.
#include <sstream>

#include "config/setkey_internal.hpp"

namespace aipsec::setkey {

namespace {
using detail::Cursor;
using detail::Token;

struct Line {
  std::string text;  // without the leading tab
  int number = 0;
  bool indented = false;
};

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> out;
  int n = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    ++n;
    std::string_view l = text.substr(start, end - start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (!l.empty()) {
      bool ind = l[0] == '\t' || l[0] == ' ';
      while (!l.empty() && (l[0] == '\t' || l[0] == ' ')) l.remove_prefix(1);
      if (!l.empty()) out.push_back({std::string(l), n, ind});
    }
    start = end + 1;
  }
  return out;
}

// The tokens of one line, numbered with its line.
std::vector<Token> line_tokens(const Line& l, std::string_view file) {
  auto toks = detail::tokenize(l.text, file);
  for (auto& t : toks) t.line = l.number;
  return toks;
}

// "name=value(...)" -> value as a number.
std::uint64_t field_number(Cursor& c, const Token& t, std::string_view name, std::uint64_t max) {
  std::string_view v = std::string_view(t.text).substr(name.size() + 1);
  if (auto paren = v.find('('); paren != std::string_view::npos) v = v.substr(0, paren);
  auto n = detail::parse_number(v, max);
  if (!n) c.fail(t, "bad value for " + std::string(name));
  return *n;
}

// "hard: 10(s)" pairs on a lifetime line.
void lifetime_pair(const std::vector<Token>& toks, Cursor& c, std::uint64_t& hard, std::uint64_t& soft) {
  for (std::size_t i = 0; i + 1 < toks.size(); ++i) {
    if (toks[i].text != "hard:" && toks[i].text != "soft:") continue;
    std::string_view v = toks[i + 1].text;
    if (auto paren = v.find('('); paren != std::string_view::npos) v = v.substr(0, paren);
    auto n = detail::parse_number(v, UINT64_MAX);
    if (!n) c.fail(toks[i + 1], "bad lifetime value");
    (toks[i].text == "hard:" ? hard : soft) = *n;
  }
}

void sa_header_line(const Line& l, std::string_view file, SaConfig& sa) {
  auto toks = line_tokens(l, file);
  Cursor c(toks, file);
  sa.proto = detail::parse_protocol(c);
  while (!c.at_end()) {
    const Token& t = c.next();
    if (t.text.starts_with("mode=")) {
      std::string_view m = std::string_view(t.text).substr(5);
      sa.mode = m == "tunnel" ? Mode::kTunnel : m == "transport" ? Mode::kTransport : Mode::kAny;
    } else if (t.text.starts_with("spi=")) {
      sa.spi = std::uint32_t(field_number(c, t, "spi", 0xffffffffu));
    } else if (t.text.starts_with("reqid=")) {
      sa.reqid = std::uint32_t(field_number(c, t, "reqid", 0xffffffffu));
    }
  }
}

// "E: aes-gcm-16 01020304 ..." / "A: ..." / "C: deflate"
void sa_algorithm_line(const Line& l, std::string_view file, SaConfig& sa) {
  auto toks = line_tokens(l, file);
  Cursor c(toks, file);
  std::string kind = c.next().text;
  std::string name = c.peek().text;
  if (kind == "C:") {
    sa.comp = detail::parse_comp_alg(c);
    return;
  }
  if (kind == "E:") sa.enc = detail::parse_enc_alg(c);
  else sa.auth = detail::parse_auth_alg(c, sa.proto);
  // The key follows in groups of hex digits: one token for the key parser.
  std::vector<Token> key{{"0x", l.number, false}};
  while (!c.at_end()) key[0].text += c.next().text;
  Cursor kc(key, file);
  if (kind == "E:") sa.enc_key = detail::parse_key(kc, enc_key_sizes(sa.enc), name);
  else sa.auth_key = detail::parse_key(kc, detail::auth_key_sizes_named(name, sa.auth), name);
  secure_wipe(key[0].text.data(), key[0].text.size());
}

void sa_detail_line(const Line& l, std::string_view file, SaConfig& sa) {
  auto toks = line_tokens(l, file);
  Cursor c(toks, file);
  if (toks.empty()) return;
  const std::string& first = toks[0].text;
  if (first.starts_with("seq=")) {
    for (const auto& t : toks) {
      if (t.text.starts_with("replay=")) sa.replay_window = std::uint32_t(field_number(c, t, "replay", 0xffffffffu / 8) * 8);
      if (t.text.starts_with("flags=")) {
        std::uint32_t f = std::uint32_t(field_number(c, t, "flags", 0xffffffffu));
        detail::apply_sa_flags(f, sa);
        sa.flags = f & ~(detail::sa_flags(sa));
      }
    }
  } else if (first == "diff:") {
    lifetime_pair(toks, c, sa.hard.add_seconds, sa.soft.add_seconds);
  } else if (first == "last:") {
    lifetime_pair(toks, c, sa.hard.use_seconds, sa.soft.use_seconds);
  } else if (first == "current:") {
    lifetime_pair(toks, c, sa.hard.bytes, sa.soft.bytes);
  } else if (first == "allocated:") {
    lifetime_pair(toks, c, sa.hard.packets, sa.soft.packets);
  }
}

std::size_t read_sa(const std::vector<Line>& lines, std::size_t i, std::string_view file,
                    std::vector<Command>& out) {
  SaAddCommand cmd;
  cmd.line = lines[i].number;
  {
    auto toks = line_tokens(lines[i], file);
    Cursor c(toks, file);
    cmd.sa.src = detail::parse_address(c);
    cmd.sa.dst = detail::parse_address(c);
  }
  sa_header_line(lines[i + 1], file, cmd.sa);
  std::size_t j = i + 2;
  for (; j < lines.size() && lines[j].indented; ++j) {
    const std::string& t = lines[j].text;
    if (t.starts_with("E:") || t.starts_with("A:") || t.starts_with("C:")) sa_algorithm_line(lines[j], file, cmd.sa);
    else sa_detail_line(lines[j], file, cmd.sa);
  }
  out.push_back(std::move(cmd));
  return j;
}

// "lifetime:N(s) validtime:M(s)"
void policy_lifetime_line(const Line& l, std::string_view file, Lifetime& lifetime) {
  auto toks = line_tokens(l, file);
  Cursor c(toks, file);
  for (const auto& tok : toks) {
    std::string_view v = tok.text;
    auto colon = v.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = v.substr(0, colon);
    Token value{"x=" + std::string(v.substr(colon + 1)), tok.line, false};
    std::uint64_t n = field_number(c, value, "x", UINT64_MAX);
    if (name == "lifetime") lifetime.add_seconds = n;
    if (name == "validtime") lifetime.use_seconds = n;
  }
}

std::size_t read_policy(const std::vector<Line>& lines, std::size_t i, std::string_view file,
                        std::vector<Command>& out) {
  SpdAddCommand cmd;
  cmd.line = lines[i].number;
  // Header, the policy head and its requests are re-tokenized as one statement.
  std::vector<Token> toks = line_tokens(lines[i], file);
  toks.push_back({"-P", lines[i].number, false});
  std::size_t j = i + 1;
  for (; j < lines.size() && lines[j].indented; ++j) {
    const std::string& t = lines[j].text;
    if (t.starts_with("lifetime:")) {
      policy_lifetime_line(lines[j], file, cmd.policy.lifetime);
      continue;
    }
    if (t.starts_with("spid=") || t.starts_with("created:") || t.starts_with("refcnt=")) continue;
    auto more = line_tokens(lines[j], file);
    toks.insert(toks.end(), more.begin(), more.end());
  }
  toks.push_back({";", lines[j - 1].number, false});
  toks.insert(toks.begin(), Token{"spdadd", lines[i].number, false});
  Lifetime lifetime = cmd.policy.lifetime;
  auto cmds = detail::parse_tokens(toks, file);
  if (cmds.size() != 1 || !std::holds_alternative<SpdAddCommand>(cmds.front())) {
    Cursor c(toks, file);
    c.fail(toks[1], "policy entry is not one policy");
  }
  cmd.policy = std::get<SpdAddCommand>(cmds.front()).policy;
  cmd.policy.lifetime = lifetime;
  out.push_back(std::move(cmd));
  return j;
}
}  // namespace

std::vector<Command> parse_dump(std::string_view text, std::string_view file) {
  auto lines = split_lines(text);
  std::vector<Command> out;
  std::size_t i = 0;
  while (i < lines.size()) {
    const Line& l = lines[i];
    if (l.indented || l.text.starts_with("No S")) {
      ++i;
      continue;
    }
    bool is_policy = l.text.find('[') != std::string::npos;
    if (!is_policy && i + 1 >= lines.size()) {
      auto toks = line_tokens(l, file);
      Cursor c(toks, file);
      c.fail(toks.empty() ? Token{"", l.number, false} : toks.front(), "SA entry without its details");
    }
    i = is_policy ? read_policy(lines, i, file, out) : read_sa(lines, i, file, out);
  }
  return out;
}

}  // namespace aipsec::setkey
