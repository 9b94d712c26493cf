// SA messages: GETSPI (larval reservation), UPDATE, ADD, DELETE, GET, FLUSH and
// the streaming DUMP.
#include <cerrno>

#include "pfkey/engine_impl.hpp"

namespace aipsec::pfkey {
namespace {

// The reply RFC 2367 broadcasts for UPDATE and ADD: the request without keys.
// Made from the request itself once the SA holds its own copy of the keys: a
// copy of the message would copy the keys only to wipe them.
const Message& strip_keys(Message& m) {
  m.key_auth.reset();
  m.key_encrypt.reset();
  m.error = 0;
  m.ext_order.clear();
  return m;
}

SaKey key_of(const Message& m, IpsecProto p) {
  if (!m.sa || !m.src || !m.dst) reject(EINVAL, "SA, source and destination extensions are required");
  return SaKey{m.dst->sa.addr, p, m.sa->spi};
}

LarvalKey larval_key(const SaKey& k) { return {k.dst, k.proto, k.spi}; }

SpiRangeExt spi_range(const Message& m, IpsecProto p) {
  // Linux's default range; SPIs 1..255 are reserved (RFC 4303 2.1), CPIs are 16 bits.
  SpiRangeExt r = m.spirange.value_or(SpiRangeExt{0x100, p == IpsecProto::kIpComp ? 0xffffu : 0x0fffffffu});
  if (r.min > r.max) reject(EINVAL, "SPI range minimum above its maximum");
  if (r.min < 0x100) reject(EINVAL, "SPIs below 256 are reserved");
  if (p == IpsecProto::kIpComp && r.max > 0xffff) reject(EINVAL, "an IPComp CPI has 16 bits");
  return r;
}

}  // namespace

void Engine::Impl::getspi(ClientId from, const Message& m) {
  IpsecProto p = require_proto(m.satype);
  if (!m.src || !m.dst) reject(EINVAL, "GETSPI needs source and destination addresses");
  if (m.src->sa.addr.family != m.dst->sa.addr.family) reject(EINVAL, "source and destination of different families");
  SpiRangeExt r = spi_range(m, p);
  if (larval.size() >= Engine::kMaxLarval) reject(ENOBUFS, "too many larval SAs");
  auto is_free = [&](std::uint32_t spi) {
    return !larval.count({m.dst->sa.addr, p, spi}) && !sad.get(SaKey{m.dst->sa.addr, p, spi});
  };
  // A random start, then a bounded walk: the cost never depends on the range size.
  std::uint64_t span = std::uint64_t(r.max) - r.min + 1;
  std::uint64_t start = std::uniform_int_distribution<std::uint64_t>(0, span - 1)(rng);
  std::optional<std::uint32_t> spi;
  for (std::uint64_t i = 0; i < std::min<std::uint64_t>(span, 4096) && !spi; ++i) {
    auto cand = std::uint32_t(r.min + (start + i) % span);
    if (is_free(cand)) spi = cand;
  }
  if (!spi) reject(EEXIST, "no free SPI found in the range");
  larval[{m.dst->sa.addr, p, *spi}] = Larval{m.src->sa.addr, m.seq, std::chrono::steady_clock::now()};
  Message reply;
  reply.type = SADB_GETSPI;
  reply.satype = m.satype;
  reply.seq = m.seq;
  reply.pid = m.pid;
  reply.sa = SaExt{*spi, 0, SADB_SASTATE_LARVAL, 0, 0, 0};
  reply.src = m.src;
  reply.dst = m.dst;
  if (m.sa2) reply.sa2 = m.sa2;
  send(Audience::kSender, from, m.satype, reply);
}

void Engine::Impl::update(ClientId from, Message& m) {
  SaConfig cfg = sa_config_from(m);
  SaKey k{cfg.dst, cfg.proto, cfg.spi};
  auto lv = larval.find(larval_key(k));
  if (lv != larval.end()) {
    if (lv->second.src != cfg.src) reject(EINVAL, "UPDATE source differs from the GETSPI that reserved the SPI");
    if (sad.get(k)) reject(EEXIST, "the SPI was taken by an ADD");
    sad.add(std::move(cfg));
    larval.erase(lv);
  } else if (sad.get(k)) {
    sad.update(std::move(cfg));
  } else {
    reject(ESRCH, "no SA to update");
  }
  send(Audience::kAll, from, m.satype, strip_keys(m));
}

void Engine::Impl::add(ClientId from, Message& m) {
  SaConfig cfg = sa_config_from(m);
  SaKey k{cfg.dst, cfg.proto, cfg.spi};
  if (larval.count(larval_key(k))) reject(EEXIST, "an SA with this SPI exists");
  if (!sad.try_add(std::move(cfg))) reject(EEXIST, "an SA with this SPI exists");
  send(Audience::kAll, from, m.satype, strip_keys(m));
}

void Engine::Impl::remove(ClientId from, const Message& m) {
  IpsecProto p = require_proto(m.satype);
  Message reply;
  reply.type = SADB_DELETE;
  reply.satype = m.satype;
  reply.seq = m.seq;
  reply.pid = m.pid;
  reply.src = m.src;
  reply.dst = m.dst;
  if (!m.sa && m.src && m.dst) {  // KAME deleteall: every SA between the two hosts
    if (sad.remove_all(m.src->sa.addr, m.dst->sa.addr, p) == 0) reject(ESRCH, "no SA between these hosts");
  } else {
    SaKey k = key_of(m, p);
    if (larval.erase(larval_key(k)) == 0 && !sad.remove(k)) reject(ESRCH, "no such SA");
    reply.sa = m.sa;
  }
  send(Audience::kAll, from, m.satype, reply);
}

void Engine::Impl::get(ClientId from, const Message& m) {
  IpsecProto p = require_proto(m.satype);
  SaRef sa = sad.get(key_of(m, p));
  if (!sa) reject(ESRCH, "no such SA");
  Message reply = sa_message(*sa, SADB_GET, true);
  reply.seq = m.seq;
  reply.pid = m.pid;
  send(Audience::kSender, from, m.satype, reply);
}

void Engine::Impl::flush(ClientId from, const Message& m) {
  std::optional<IpsecProto> p;
  if (m.satype != SADB_SATYPE_UNSPEC) p = require_proto(m.satype);
  sad.flush(p);
  std::erase_if(larval, [&](const auto& e) { return !p || std::get<1>(e.first) == *p; });
  Message reply;
  reply.type = SADB_FLUSH;
  reply.satype = m.satype;
  reply.seq = m.seq;
  reply.pid = m.pid;
  send(Audience::kAll, from, m.satype, reply);
}

// One message per SA, sent as it is built: the dump holds at most two SAs'
// messages, whatever the size of the SAD. Sequence numbers count down and the
// last message carries 0 (KAME), even if the SAD changed since it was counted.
void Engine::Impl::dump(ClientId from, const Message& m) {
  std::optional<IpsecProto> p;
  if (m.satype != SADB_SATYPE_UNSPEC) p = require_proto(m.satype);
  std::uint64_t count = 0;
  if (p)
    sad.for_each([&](const SaRef&) { ++count; }, p);
  else
    count = sad.size();
  if (count == 0) reject(ENOENT, "no SA to dump");
  DumpStream out(*this, from, m.pid, count);
  sad.for_each([&](const SaRef& sa) { out.push(sa_message(*sa, SADB_DUMP, true)); }, p);
  out.finish();
}

}  // namespace aipsec::pfkey
