// Internals of the PF_KEY engine shared by its message handlers.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <tuple>

#include "aipsec/pfkey_engine.hpp"

namespace aipsec::pfkey {

// A request the engine refuses: the errno the sender gets back.
struct Reject {
  int error;
  std::string why;
};
[[noreturn]] inline void reject(int e, std::string why) { throw Reject{e, std::move(why)}; }

// Who receives a message (RFC 2367 section 3.1).
enum class Audience { kSender, kAll, kRegistered };

using LarvalKey = std::tuple<IpAddr, IpsecProto, std::uint32_t>;  // dst, proto, spi

struct Engine::Impl {
  struct Client {
    std::uint32_t registered = 0;  // bit per satype
    bool promisc = false;
  };
  struct Larval {
    IpAddr src;
    std::uint32_t seq = 0;
    std::chrono::steady_clock::time_point created;
  };

  Impl(Sad& s, Spd& p, Deliver d) : sad(s), spd(p), deliver(std::move(d)) {}

  Sad& sad;
  Spd& spd;
  Deliver deliver;
  std::map<ClientId, Client> clients;
  std::map<LarvalKey, Larval> larval;
  std::uint32_t acquire_seq = 0;
  std::string last_error;
  std::mt19937 rng{std::random_device{}()};  // SPIs are not predictable from one run to the next

  // Delivers m to its audience, and to promiscuous sockets when it is a
  // broadcast. Returns the number of sockets reached.
  std::size_t send(Audience to, ClientId sender, std::uint8_t satype, const Message& m);
  std::size_t send_bytes(Audience to, ClientId sender, std::uint8_t satype, ByteView wire);
  void copy_to_promisc(ByteView wire);

  // Message handlers (engine_sa.cpp, engine_spd.cpp).
  void getspi(ClientId from, const Message& m);
  // Both strip the keys from m (the reply is the request without them).
  void update(ClientId from, Message& m);
  void add(ClientId from, Message& m);
  void remove(ClientId from, const Message& m);
  void get(ClientId from, const Message& m);
  void flush(ClientId from, const Message& m);
  void dump(ClientId from, const Message& m);
  void do_register(ClientId from, const Message& m);
  void promisc(ClientId from, const Message& m);
  void spd_add(ClientId from, const Message& m, bool update);
  void spd_delete(ClientId from, const Message& m);
  void spd_delete2(ClientId from, const Message& m);
  void spd_get(ClientId from, const Message& m);
  void spd_dump(ClientId from, const Message& m);
  void spd_flush(ClientId from, const Message& m);
};

// Sends a dump one message at a time, one behind, so that the last one sent
// carries sequence 0 and the ones before count down to it.
class DumpStream {
 public:
  DumpStream(Engine::Impl& e, ClientId to, std::uint32_t pid, std::uint64_t expected)
      : e_(e), to_(to), pid_(pid), remaining_(expected) {}
  void push(Message m) {
    if (pending_) emit(remaining_ > 1 ? std::uint32_t(--remaining_) : 1);
    pending_ = std::move(m);
  }
  void finish() {
    if (pending_) emit(0);
  }

 private:
  void emit(std::uint32_t seq) {
    pending_->seq = seq;
    pending_->pid = pid_;
    e_.send(Audience::kSender, to_, pending_->satype, *pending_);
    pending_.reset();
  }
  Engine::Impl& e_;
  ClientId to_;
  std::uint32_t pid_;
  std::uint64_t remaining_;
  std::optional<Message> pending_;
};

// Conversions (convert_sa.cpp, convert_policy.cpp); they throw Reject.
IpsecProto require_proto(std::uint8_t satype);
SaConfig sa_config_from(const Message& m);
// The message describing an installed SA; keys only when with_keys.
Message sa_message(const Sa& sa, std::uint8_t type, bool with_keys);
Policy policy_from(const Message& m);
Message policy_message(const Policy& p, std::uint8_t type);
AddressExt host_address(const IpAddr& a);
ProposalExt proposal_for(IpsecProto p);
SupportedExt supported_auth();
SupportedExt supported_encrypt(bool comp);

}  // namespace aipsec::pfkey
