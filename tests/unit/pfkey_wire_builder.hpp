// Builds PF_KEY messages byte by byte from the <linux/pfkeyv2.h> structs: the
// layout oracle the codec is checked against (it shares no code with it).
#pragma once

#include <arpa/inet.h>
#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <netinet/in.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace pfkey_test {

using Bytes = std::vector<std::uint8_t>;

class RawMsg {
 public:
  RawMsg(std::uint8_t type, std::uint8_t satype, std::uint32_t seq = 7, std::uint32_t pid = 4242) {
    sadb_msg h{};
    h.sadb_msg_version = PF_KEY_V2;
    h.sadb_msg_type = type;
    h.sadb_msg_satype = satype;
    h.sadb_msg_seq = seq;
    h.sadb_msg_pid = pid;
    put(h);
  }

  template <class T>
  std::size_t put(const T& v) {
    std::size_t at = b_.size();
    b_.resize(at + sizeof v);
    std::memcpy(b_.data() + at, &v, sizeof v);
    return at;
  }
  void put_bytes(const Bytes& v) { b_.insert(b_.end(), v.begin(), v.end()); }
  void pad8() {
    while (b_.size() % 8) b_.push_back(0);
  }
  // Sets the 64-bit length of the extension starting at `at` (after padding).
  void close_ext(std::size_t at) {
    pad8();
    auto units = std::uint16_t((b_.size() - at) / 8);
    std::memcpy(b_.data() + at, &units, 2);
  }

  static void put_sockaddr(Bytes& out, const std::string& ip, std::uint16_t port) {
    if (ip.find(':') == std::string::npos) {
      sockaddr_in s{};
      s.sin_family = AF_INET;
      s.sin_port = htons(port);
      inet_pton(AF_INET, ip.c_str(), &s.sin_addr);
      std::size_t at = out.size();
      out.resize(at + sizeof s);
      std::memcpy(out.data() + at, &s, sizeof s);
    } else {
      sockaddr_in6 s{};
      s.sin6_family = AF_INET6;
      s.sin6_port = htons(port);
      inet_pton(AF_INET6, ip.c_str(), &s.sin6_addr);
      std::size_t at = out.size();
      out.resize(at + sizeof s);
      std::memcpy(out.data() + at, &s, sizeof s);
    }
  }

  RawMsg& address(std::uint16_t exttype, const std::string& ip, std::uint8_t prefix, std::uint8_t proto = 255,
                  std::uint16_t port = 0) {
    sadb_address a{};
    a.sadb_address_exttype = exttype;
    a.sadb_address_proto = proto;
    a.sadb_address_prefixlen = prefix;
    std::size_t at = put(a);
    put_sockaddr(b_, ip, port);
    close_ext(at);
    return *this;
  }
  RawMsg& sa(std::uint32_t spi, std::uint8_t auth, std::uint8_t enc, std::uint8_t replay = 4,
             std::uint32_t flags = 0, std::uint8_t state = SADB_SASTATE_MATURE) {
    sadb_sa s{};
    s.sadb_sa_len = sizeof s / 8;
    s.sadb_sa_exttype = SADB_EXT_SA;
    s.sadb_sa_spi = htonl(spi);
    s.sadb_sa_replay = replay;
    s.sadb_sa_state = state;
    s.sadb_sa_auth = auth;
    s.sadb_sa_encrypt = enc;
    s.sadb_sa_flags = flags;
    put(s);
    return *this;
  }
  RawMsg& key(std::uint16_t exttype, const Bytes& k, std::uint16_t bits = 0) {
    sadb_key h{};
    h.sadb_key_exttype = exttype;
    h.sadb_key_bits = bits ? bits : std::uint16_t(k.size() * 8);
    std::size_t at = put(h);
    put_bytes(k);
    close_ext(at);
    return *this;
  }
  RawMsg& lifetime(std::uint16_t exttype, std::uint32_t alloc, std::uint64_t bytes, std::uint64_t add,
                   std::uint64_t use) {
    sadb_lifetime l{};
    l.sadb_lifetime_len = sizeof l / 8;
    l.sadb_lifetime_exttype = exttype;
    l.sadb_lifetime_allocations = alloc;
    l.sadb_lifetime_bytes = bytes;
    l.sadb_lifetime_addtime = add;
    l.sadb_lifetime_usetime = use;
    put(l);
    return *this;
  }
  RawMsg& sa2(std::uint8_t mode, std::uint32_t reqid, std::uint32_t seq = 0) {
    sadb_x_sa2 s{};
    s.sadb_x_sa2_len = sizeof s / 8;
    s.sadb_x_sa2_exttype = SADB_X_EXT_SA2;
    s.sadb_x_sa2_mode = mode;
    s.sadb_x_sa2_sequence = seq;
    s.sadb_x_sa2_reqid = reqid;
    put(s);
    return *this;
  }
  RawMsg& spirange(std::uint32_t lo, std::uint32_t hi) {
    sadb_spirange r{};
    r.sadb_spirange_len = sizeof r / 8;
    r.sadb_spirange_exttype = SADB_EXT_SPIRANGE;
    r.sadb_spirange_min = lo;
    r.sadb_spirange_max = hi;
    put(r);
    return *this;
  }
  // A policy extension; requests as (proto, mode, level, reqid, tunnel src, tunnel dst).
  struct Req {
    std::uint16_t proto;
    std::uint8_t mode, level;
    std::uint32_t reqid;
    std::string tsrc, tdst;
  };
  RawMsg& policy(std::uint16_t type, std::uint8_t dir, std::uint32_t id, std::uint32_t prio,
                 const std::vector<Req>& reqs) {
    sadb_x_policy p{};
    p.sadb_x_policy_exttype = SADB_X_EXT_POLICY;
    p.sadb_x_policy_type = type;
    p.sadb_x_policy_dir = dir;
    p.sadb_x_policy_id = id;
    p.sadb_x_policy_priority = prio;
    std::size_t at = put(p);
    for (const auto& r : reqs) {
      sadb_x_ipsecrequest q{};
      q.sadb_x_ipsecrequest_proto = r.proto;
      q.sadb_x_ipsecrequest_mode = r.mode;
      q.sadb_x_ipsecrequest_level = r.level;
      q.sadb_x_ipsecrequest_reqid = r.reqid;
      std::size_t qat = put(q);
      if (!r.tsrc.empty()) {
        put_sockaddr(b_, r.tsrc, 0);
        put_sockaddr(b_, r.tdst, 0);
      }
      auto ql = std::uint16_t(b_.size() - qat);
      std::memcpy(b_.data() + qat, &ql, 2);
    }
    close_ext(at);
    return *this;
  }

  Bytes done() {
    auto units = std::uint16_t(b_.size() / 8);
    std::memcpy(b_.data() + offsetof(sadb_msg, sadb_msg_len), &units, 2);
    return b_;
  }

 private:
  Bytes b_;
};

inline sadb_msg header_of(const Bytes& b) {
  sadb_msg h{};
  std::memcpy(&h, b.data(), sizeof h);
  return h;
}

inline Bytes pattern(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = std::uint8_t(seed + i * 7);
  return b;
}

}  // namespace pfkey_test
