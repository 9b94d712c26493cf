// setkey statements over PF_KEY: request/answer matching, dumps, deleteall.
#include "setkey_session.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

#include "setkey_messages.hpp"
#include "setkey_print.hpp"

namespace aipsec::setkeytool {
namespace {

// Sequence numbers are unique in the process, so that two sessions of one
// process (same pid) never take each other's answers.
std::atomic<std::uint32_t> g_seq{0};

const char* statement_name(const setkey::Command& cmd) {
  static const char* const names[] = {"add",    "get",    "delete",    "deleteall", "flush",
                                      "dump",   "spdadd", "spddelete", "spdflush",  "spddump"};
  if (const auto* a = std::get_if<setkey::SaAddCommand>(&cmd); a && a->update) return "update";
  if (const auto* s = std::get_if<setkey::SpdAddCommand>(&cmd); s && s->update) return "spdupdate";
  return names[cmd.index()];
}

bool is_dump(const setkey::Command& cmd) {
  return std::holds_alternative<setkey::SaDumpCommand>(cmd) || std::holds_alternative<setkey::SpdDumpCommand>(cmd);
}

}  // namespace

Session::Session(PfkeyClient& c, std::ostream& out, std::ostream& err, bool verbose)
    : c_(c), out_(out), err_(err), verbose_(verbose), pid_(std::uint32_t(::getpid())),
      now_([] { return std::time(nullptr); }) {}

void Session::trace(const char* dir, const pfkey::Message& m, std::size_t len) {
  if (verbose_) out_ << dir << "\n" << format_debug(m, len);
}

std::uint32_t Session::send_numbered(pfkey::Message& m) {
  m.seq = ++g_seq;
  m.pid = pid_;
  if (verbose_) {
    Bytes wire = pfkey::serialize(m);  // for its length; it holds the keys: wiped
    trace("send:", m, wire.size());
    secure_wipe(wire.data(), wire.size());
  }
  c_.send(m);
  return m.seq;
}

Received Session::next_answer() {
  auto r = c_.receive(kReplyTimeoutMs);
  if (!r) throw Error("no answer from the daemon within " + std::to_string(kReplyTimeoutMs / 1000) + " s");
  if (r->parsed.msg) trace("recv:", *r->parsed.msg, r->wire_len);
  return std::move(*r);
}

int Session::request(pfkey::Message m, pfkey::Message* answer) {
  const std::uint8_t type = m.type;
  const std::uint32_t seq = send_numbered(m);
  for (;;) {
    Received r = next_answer();
    if (!r.parsed.msg) throw Error("unreadable message from the daemon: " + r.parsed.detail);
    const pfkey::Message& a = *r.parsed.msg;
    if (a.type != type || a.pid != pid_ || a.seq != seq) continue;  // a broadcast for someone else
    if (answer) *answer = a;
    return a.error;
  }
}

int Session::dump(pfkey::Message m, const std::function<void(const pfkey::Message&)>& fn) {
  const std::uint8_t type = m.type;
  send_numbered(m);
  for (;;) {
    Received r = next_answer();
    if (!r.parsed.msg) throw Error("unreadable message from the daemon: " + r.parsed.detail);
    const pfkey::Message& a = *r.parsed.msg;
    if (a.type != type || a.pid != pid_) continue;
    if (a.error) return a.error;
    fn(a);
    if (a.seq == 0) return 0;
  }
}

int Session::delete_all(const setkey::SaDeleteAllCommand& c) {
  std::vector<pfkey::Message> doomed;
  int e = dump(sa_all_message(SADB_DUMP, c.proto), [&](const pfkey::Message& m) {
    if (m.src && m.dst && m.sa && m.src->sa.addr == c.src && m.dst->sa.addr == c.dst)
      doomed.push_back(sa_id_message(SADB_DELETE, c.src, c.dst, c.proto, m.sa->spi));
  });
  if (e == ENOENT) return 0;  // nothing to delete is not an error
  if (e) return e;
  for (auto& m : doomed)
    if (int d = request(std::move(m)); d && d != ESRCH) return d;
  return 0;
}

bool Session::run(const setkey::Command& cmd, std::string_view file) {
  int e = 0;
  if (const auto* d = std::get_if<setkey::SaDeleteAllCommand>(&cmd)) {
    e = delete_all(*d);
  } else if (is_dump(cmd)) {
    bool sad = std::holds_alternative<setkey::SaDumpCommand>(cmd);
    e = dump(first_message(cmd), [&](const pfkey::Message& m) {
      out_ << (sad ? format_sa_message(m, now_()) : format_policy_message(m));
    });
    if (e == ENOENT) {
      out_ << (sad ? "No SAD entries.\n" : "No SPD entries.\n");
      e = 0;
    }
  } else {
    pfkey::Message answer;
    e = request(first_message(cmd), &answer);
    if (!e && std::holds_alternative<setkey::SaGetCommand>(cmd)) out_ << format_sa_message(answer, now_());
  }
  if (e) {
    err_ << file << ":" << setkey::command_line(cmd) << ": " << statement_name(cmd) << ": " << std::strerror(e)
         << "\n";
  }
  return e == 0;
}

void Session::promisc(const std::function<bool()>& stop) {
  if (int e = request(bare_message(SADB_X_PROMISC, 1)))
    throw Error(std::string("X_PROMISC refused: ") + std::strerror(e));
  while (!stop()) {
    auto r = c_.receive(200);
    if (!r) continue;
    std::time_t t = now_();
    char when[32];
    std::tm tm{};
    localtime_r(&t, &tm);
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    if (!r->parsed.msg) {
      out_ << when << " unreadable message (" << r->wire_len << " bytes): " << r->parsed.detail << "\n\n";
      continue;
    }
    const pfkey::Message* m = &*r->parsed.msg;
    out_ << when << "\n" << format_debug(*m, r->wire_len) << "\n";
    out_.flush();
  }
}

}  // namespace aipsec::setkeytool
