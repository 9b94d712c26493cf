// kdebug_sadb-style listing of a PF_KEY message (setkey -x and -v).
#include <cstdio>

#include "setkey_print.hpp"

namespace aipsec::setkeytool {
namespace {

std::string fmt(const char* f, auto... args) {
  char buf[320];
  std::snprintf(buf, sizeof buf, f, args...);
  return buf;
}

std::string address(const char* name, const pfkey::AddressExt& a) {
  return fmt("sadb_address{ %s proto=%u prefixlen=%u addr=%s port=%u }\n", name, unsigned(a.proto),
             unsigned(a.prefixlen), a.sa.addr.to_string().c_str(), unsigned(a.sa.port));
}

std::string lifetime(const char* name, const pfkey::LifetimeExt& l) {
  return fmt("sadb_lifetime{ %s alloc=%u bytes=%llu addtime=%llu usetime=%llu }\n", name, l.allocations,
             (unsigned long long)l.bytes, (unsigned long long)l.addtime, (unsigned long long)l.usetime);
}

std::string algs(const char* name, const pfkey::SupportedExt& s) {
  std::string out = fmt("sadb_supported{ %s\n", name);
  for (const auto& a : s.algs)
    out += fmt("  sadb_alg{ id=%u ivlen=%u min=%u max=%u }\n", unsigned(a.id), unsigned(a.ivlen),
               unsigned(a.minbits), unsigned(a.maxbits));
  return out + "}\n";
}

std::string policy(const pfkey::PolicyExt& x) {
  std::string out = fmt("sadb_x_policy{ type=%u dir=%u id=%u priority=0x%08x\n", unsigned(x.type), unsigned(x.dir),
                        x.id, x.priority);
  for (const auto& r : x.requests) {
    out += fmt("  sadb_x_ipsecrequest{ proto=%u mode=%u level=%u reqid=%u", unsigned(r.proto), unsigned(r.mode),
               unsigned(r.level), r.reqid);
    if (r.src && r.dst) out += " " + r.src->addr.to_string() + "-" + r.dst->addr.to_string();
    out += " }\n";
  }
  return out + "}\n";
}

std::string sa_part(const pfkey::Message& m) {
  std::string out;
  if (m.sa)
    out += fmt("sadb_sa{ spi=%u(0x%08x) replay=%u state=%u auth=%u enc=%u flags=0x%08x }\n", m.sa->spi, m.sa->spi,
               unsigned(m.sa->replay), unsigned(m.sa->state), unsigned(m.sa->auth), unsigned(m.sa->encrypt),
               m.sa->flags);
  if (m.sa2)
    out += fmt("sadb_x_sa2{ mode=%u reqid=%u sequence=%u }\n", unsigned(m.sa2->mode), m.sa2->reqid,
               m.sa2->sequence);
  if (m.lifetime_current) out += lifetime("current", *m.lifetime_current);
  if (m.lifetime_hard) out += lifetime("hard", *m.lifetime_hard);
  if (m.lifetime_soft) out += lifetime("soft", *m.lifetime_soft);
  if (m.key_auth) out += fmt("sadb_key{ auth bits=%u } (key not shown)\n", unsigned(m.key_auth->bits));
  if (m.key_encrypt) out += fmt("sadb_key{ encrypt bits=%u } (key not shown)\n", unsigned(m.key_encrypt->bits));
  if (m.sa_replay) out += fmt("sadb_x_sa_replay{ replay=%u }\n", *m.sa_replay);
  if (m.natt_type)
    out += fmt("sadb_x_nat_t{ type=%u sport=%u dport=%u }\n", unsigned(*m.natt_type), unsigned(m.natt_sport.value_or(0)),
               unsigned(m.natt_dport.value_or(0)));
  return out;
}

}  // namespace

std::string format_debug(const pfkey::Message& m, std::size_t wire_len) {
  std::string out = fmt("sadb_msg{ version=2 type=%u(%s) errno=%u satype=%u len=%zu seq=%u pid=%u }\n",
                        unsigned(m.type), pfkey::message_name(m.type), unsigned(m.error), unsigned(m.satype),
                        wire_len / 8, m.seq, m.pid);
  out += sa_part(m);
  if (m.src) out += address("src", *m.src);
  if (m.dst) out += address("dst", *m.dst);
  if (m.proxy) out += address("proxy", *m.proxy);
  if (m.natt_oa) out += address("nat_t_oa", *m.natt_oa);
  if (m.spirange) out += fmt("sadb_spirange{ min=%u max=%u }\n", m.spirange->min, m.spirange->max);
  if (m.supported_auth) out += algs("auth", *m.supported_auth);
  if (m.supported_encrypt) out += algs("encrypt", *m.supported_encrypt);
  if (m.proposal) out += fmt("sadb_prop{ replay=%u combs=%zu }\n", unsigned(m.proposal->replay), m.proposal->combs.size());
  if (m.policy) out += policy(*m.policy);
  for (const auto& o : m.opaque) out += fmt("sadb_ext{ type=%u len=%zu }\n", unsigned(o.type), o.payload.size() + 4);
  return out;
}

}  // namespace aipsec::setkeytool
