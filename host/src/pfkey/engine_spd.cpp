// SPD messages: X_SPDADD / X_SPDUPDATE / X_SPDDELETE / X_SPDDELETE2 / X_SPDGET /
// X_SPDFLUSH and the streaming X_SPDDUMP.
#include <cerrno>

#include "pfkey/engine_impl.hpp"

namespace aipsec::pfkey {
namespace {

Message header_reply(const Message& m) {
  Message r;
  r.type = m.type;
  r.satype = m.satype;
  r.seq = m.seq;
  r.pid = m.pid;
  return r;
}

std::uint32_t policy_id_of(const Message& m) {
  if (!m.policy) reject(EINVAL, "policy extension required");
  return m.policy->id;
}

}  // namespace

void Engine::Impl::spd_add(ClientId from, const Message& m, bool replace) {
  Policy p = policy_from(m);
  if (!replace && spd.get(p.sel, p.dir)) reject(EEXIST, "a policy with this selector and direction exists");
  std::uint32_t id = replace ? spd.update(p) : spd.add(p);
  auto stored = spd.get(id);
  Message reply = policy_message(stored ? *stored : p, m.type);
  reply.satype = m.satype;
  reply.seq = m.seq;
  reply.pid = m.pid;
  reply.policy->id = id;
  send(Audience::kAll, from, 0, reply);
}

void Engine::Impl::spd_delete(ClientId from, const Message& m) {
  Policy p = policy_from(m);
  auto stored = spd.get(p.sel, p.dir);
  if (!stored || !spd.remove(p.sel, p.dir)) reject(ESRCH, "no policy with this selector and direction");
  Message reply = policy_message(*stored, m.type);
  reply.seq = m.seq;
  reply.pid = m.pid;
  send(Audience::kAll, from, 0, reply);
}

void Engine::Impl::spd_delete2(ClientId from, const Message& m) {
  std::uint32_t id = policy_id_of(m);
  auto stored = spd.get(id);
  if (!stored || !spd.remove(id)) reject(ESRCH, "no policy with id " + std::to_string(id));
  Message reply = policy_message(*stored, m.type);
  reply.seq = m.seq;
  reply.pid = m.pid;
  send(Audience::kAll, from, 0, reply);
}

void Engine::Impl::spd_get(ClientId from, const Message& m) {
  std::uint32_t id = policy_id_of(m);
  auto stored = spd.get(id);
  if (!stored) reject(ESRCH, "no policy with id " + std::to_string(id));
  Message reply = policy_message(*stored, m.type);
  reply.seq = m.seq;
  reply.pid = m.pid;
  send(Audience::kSender, from, 0, reply);
}

void Engine::Impl::spd_flush(ClientId from, const Message& m) {
  spd.flush();
  send(Audience::kAll, from, 0, header_reply(m));
}

// Streams like DUMP: one message per policy, sequence counting down to 0.
void Engine::Impl::spd_dump(ClientId from, const Message& m) {
  std::uint64_t count = spd.size();
  if (count == 0) reject(ENOENT, "no policy to dump");
  DumpStream out(*this, from, m.pid, count);
  spd.for_each([&](const Policy& p) { out.push(policy_message(p, SADB_X_SPDDUMP)); });
  out.finish();
}

std::size_t Engine::spd_acquire(std::uint32_t policy_id) {
  Impl& I = *impl_;
  const auto p = I.spd.get(policy_id);
  if (!p || p->action != PolicyAction::kIpsec || !p->requests.empty()) return 0;
  Message m = policy_message(*p, SADB_X_SPDACQUIRE);
  return I.send(Audience::kRegistered, 0, SADB_SATYPE_UNSPEC, m);
}

std::size_t Engine::expire_policies(std::uint64_t now) {
  Impl& I = *impl_;
  std::size_t n = 0;
  for (const Policy& p : I.spd.expired(now)) {
    const auto t = I.spd.times(p.id);
    if (!t || !I.spd.remove(p.id)) continue;  // removed meanwhile
    Message m = policy_message(p, SADB_X_SPDEXPIRE);
    m.lifetime_current = LifetimeExt{0, 0, t->created, t->last_used};
    if (!m.lifetime_hard) m.lifetime_hard = LifetimeExt{};
    I.send(Audience::kRegistered, 0, SADB_SATYPE_UNSPEC, m);
    ++n;
  }
  return n;
}

}  // namespace aipsec::pfkey
