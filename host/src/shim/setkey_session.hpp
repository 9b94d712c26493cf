// Runs setkey statements over a PF_KEY connection and prints what setkey(8)
// prints: dumps in its layout, errors from the daemon (sadb_msg_errno) as
// "FILE:LINE: <statement>: <strerror>".
#pragma once

#include <ctime>
#include <functional>
#include <ostream>
#include <string_view>

#include "aipsec/setkey.hpp"
#include "pfkey_client.hpp"

namespace aipsec::setkeytool {

class Session {
 public:
  static constexpr int kReplyTimeoutMs = 10000;

  // out gets dumps, err gets errors; verbose also lists (on out) every message
  // sent and received.
  Session(PfkeyClient& c, std::ostream& out, std::ostream& err, bool verbose);

  // One statement. Returns false (after printing why) when the daemon refused it.
  bool run(const setkey::Command& cmd, std::string_view file);

  // One request and its answer (the message of the same type, pid and seq):
  // returns the answer's errno, 0 on success. Throws Error on timeout.
  int request(pfkey::Message m, pfkey::Message* answer = nullptr);
  // A DUMP or SPDDUMP: fn for each message until the one with seq 0. Returns
  // the errno (ENOENT for an empty database, as the daemon answers).
  int dump(pfkey::Message m, const std::function<void(const pfkey::Message&)>& fn);
  // setkey -x: X_PROMISC on, then every message the daemon sends, as
  // kdebug_sadb prints them, until the connection closes or stop() says so.
  void promisc(const std::function<bool()>& stop);

  // Print time for lifetimes (tests fix it).
  void set_clock(std::function<std::time_t()> now) { now_ = std::move(now); }

 private:
  std::uint32_t send_numbered(pfkey::Message& m);
  Received next_answer();
  void trace(const char* dir, const pfkey::Message& m, std::size_t len);
  int delete_all(const setkey::SaDeleteAllCommand& c);

  PfkeyClient& c_;
  std::ostream& out_;
  std::ostream& err_;
  bool verbose_;
  std::uint32_t pid_;
  std::function<std::time_t()> now_;
};

}  // namespace aipsec::setkeytool
