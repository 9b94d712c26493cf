// The PF_KEY engine: clients, delivery to the right audience, the dispatch of
// one client message, and the messages the data plane asks for (ACQUIRE, EXPIRE).
#include <cerrno>
#include <cstring>

#include "pfkey/engine_impl.hpp"

namespace aipsec::pfkey {
namespace {

std::uint32_t satype_bit(std::uint8_t satype) { return satype < 32 ? 1u << satype : 0; }

// The header of a message we could not parse, for the error reply.
Message header_of(ByteView wire) {
  Message h;
  if (wire.size() >= sizeof(sadb_msg)) {
    sadb_msg raw;
    std::memcpy(&raw, wire.data(), sizeof raw);
    h.type = raw.sadb_msg_type;
    h.satype = raw.sadb_msg_satype;
    h.seq = raw.sadb_msg_seq;
    h.pid = raw.sadb_msg_pid;
  }
  return h;
}

// Extensions the codec carries but the engine does not act on: refusing them is
// better than installing an SA without its security label or dumping everything
// when a filter was asked for. KMPRIVATE is private to the key daemon by design.
void reject_uninterpreted(const Message& m) {
  for (std::uint16_t t : {SADB_X_EXT_SEC_CTX, SADB_X_EXT_KMADDRESS, SADB_X_EXT_FILTER})
    if (m.has(t)) reject(EOPNOTSUPP, "extension " + std::to_string(t) + " is not supported");
}

}  // namespace

std::size_t Engine::Impl::send_bytes(Audience to, ClientId sender, std::uint8_t satype, ByteView wire) {
  if (to == Audience::kSender) {
    deliver(sender, wire);
    return 1;
  }
  std::size_t n = 0;
  for (const auto& [id, c] : clients) {
    bool target = to == Audience::kAll ||
                  (satype == SADB_SATYPE_UNSPEC ? c.registered != 0 : (c.registered & satype_bit(satype)) != 0);
    if (target || c.promisc) {
      deliver(id, wire);
      ++n;
    }
  }
  return n;
}

std::size_t Engine::Impl::send(Audience to, ClientId sender, std::uint8_t satype, const Message& m) {
  Bytes wire = serialize(m);
  std::size_t n = send_bytes(to, sender, satype, wire);
  secure_wipe(wire.data(), wire.size());  // it may hold keys
  return n;
}

void Engine::Impl::copy_to_promisc(ByteView wire) {
  for (const auto& [id, c] : clients)
    if (c.promisc) deliver(id, wire);
}

void Engine::Impl::do_register(ClientId from, const Message& m) {
  IpsecProto p = require_proto(m.satype);
  clients[from].registered |= satype_bit(m.satype);
  Message r;
  r.type = SADB_REGISTER;
  r.satype = m.satype;
  r.seq = m.seq;
  r.pid = m.pid;
  if (p != IpsecProto::kIpComp) r.supported_auth = supported_auth();
  r.supported_encrypt = supported_encrypt(p == IpsecProto::kIpComp);
  send(Audience::kRegistered, from, m.satype, r);
}

void Engine::Impl::promisc(ClientId from, const Message& m) {
  if (m.satype > 1) reject(EINVAL, "X_PROMISC takes 0 (off) or 1 (on)");
  clients[from].promisc = m.satype == 1;
  Message r;
  r.type = m.type;
  r.satype = m.satype;
  r.seq = m.seq;
  r.pid = m.pid;
  send(Audience::kSender, from, 0, r);
}

Engine::Engine(Sad& sad, Spd& spd, Deliver deliver)
    : impl_(std::make_unique<Impl>(sad, spd, std::move(deliver))) {}
Engine::~Engine() = default;

void Engine::open(ClientId c) { impl_->clients.try_emplace(c); }
void Engine::close(ClientId c) { impl_->clients.erase(c); }

bool Engine::is_registered(ClientId c, std::uint8_t satype) const {
  auto it = impl_->clients.find(c);
  return it != impl_->clients.end() && (it->second.registered & satype_bit(satype)) != 0;
}

const std::string& Engine::last_error() const { return impl_->last_error; }

std::size_t Engine::larval_count() const { return impl_->larval.size(); }

std::size_t Engine::expire_larval(std::chrono::steady_clock::time_point now, std::chrono::seconds max_age) {
  return std::erase_if(impl_->larval, [&](const auto& e) { return now - e.second.created > max_age; });
}

int Engine::handle(ClientId from, ByteView wire) {
  Impl& I = *impl_;
  open(from);
  I.last_error.clear();
  ParseResult r = parse(wire);
  if (!r.msg) {
    I.last_error = r.detail;
    I.send_bytes(Audience::kSender, from, 0, serialize_header(header_of(wire), std::uint8_t(r.error)));
    return r.error;
  }
  Message& m = *r.msg;
  I.copy_to_promisc(wire);
  int err = 0;
  try {
    reject_uninterpreted(m);
    switch (m.type) {
      case SADB_GETSPI: I.getspi(from, m); break;
      case SADB_UPDATE: I.update(from, m); break;
      case SADB_ADD: I.add(from, m); break;
      case SADB_DELETE: I.remove(from, m); break;
      case SADB_GET: I.get(from, m); break;
      case SADB_ACQUIRE: break;  // a key daemon reporting a failed negotiation: nothing to answer
      case SADB_REGISTER: I.do_register(from, m); break;
      case SADB_FLUSH: I.flush(from, m); break;
      case SADB_DUMP: I.dump(from, m); break;
      case SADB_X_PROMISC: I.promisc(from, m); break;
      case SADB_X_SPDADD: I.spd_add(from, m, false); break;
      case SADB_X_SPDUPDATE: I.spd_add(from, m, true); break;
      case SADB_X_SPDDELETE: I.spd_delete(from, m); break;
      case SADB_X_SPDDELETE2: I.spd_delete2(from, m); break;
      case SADB_X_SPDGET: I.spd_get(from, m); break;
      case SADB_X_SPDDUMP: I.spd_dump(from, m); break;
      case SADB_X_SPDFLUSH: I.spd_flush(from, m); break;
      default:
        reject(EOPNOTSUPP, std::string(message_name(m.type)) + " is not accepted from a client");
    }
  } catch (const Reject& e) {
    err = e.error;
    I.last_error = e.why;
  } catch (const Error& e) {
    err = EINVAL;
    I.last_error = e.what();
  } catch (const std::bad_alloc&) {
    err = ENOBUFS;
    I.last_error = "out of memory";
  }
  if (err != 0) I.send_bytes(Audience::kSender, from, 0, serialize_header(m, std::uint8_t(err)));
  return err;
}

std::size_t Engine::acquire(const AcquireRequest& req) {
  Impl& I = *impl_;
  // Called from the data plane: a request without usable endpoints is dropped
  // here rather than thrown back at the packet path.
  bool endpoints_ok = (req.src.family == 4 || req.src.family == 6) && req.src.family == req.dst.family;
  if (!endpoints_ok) return 0;
  Message m;
  m.type = SADB_ACQUIRE;
  m.satype = satype_of(req.request.proto);
  m.seq = ++I.acquire_seq;
  m.src = host_address(req.src);
  m.dst = host_address(req.dst);
  PolicyExt x;
  x.type = IPSEC_POLICY_IPSEC;
  x.dir = IPSEC_DIR_OUTBOUND;
  x.id = req.policy_id;
  m.policy = x;
  m.sa2 = Sa2Ext{std::uint8_t(req.request.mode), 0, req.request.reqid};
  m.proposal = proposal_for(req.request.proto);
  return I.send(Audience::kRegistered, 0, m.satype, m);
}

std::size_t Engine::expire(const SaKey& key, bool hard) {
  Impl& I = *impl_;
  SaRef sa = I.sad.get(key);
  if (!sa) return 0;
  Message m = sa_message(*sa, SADB_EXPIRE, false);
  if (hard) {
    m.lifetime_soft.reset();
    if (!m.lifetime_hard) m.lifetime_hard = LifetimeExt{};
  } else {
    m.lifetime_hard.reset();
    if (!m.lifetime_soft) m.lifetime_soft = LifetimeExt{};
  }
  if (hard) I.sad.remove(key);
  return I.send(Audience::kRegistered, 0, m.satype, m);
}

}  // namespace aipsec::pfkey
