// Fuzz target: the PF_KEY codec and engine on arbitrary bytes. The input is cut
// into messages by their own sadb_msg_len and fed to the engine from three
// clients. It traps when
//  - a message that parses does not survive serialize -> parse unchanged;
//  - the engine sends a successful message that does not parse;
//  - the SAD or SPD stop agreeing with themselves (size vs. visit, lookups).
#include <cstdint>
#include <cstring>

#include "aipsec/pfkey_engine.hpp"

namespace aipsec::pfkey {
namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

void check_codec(ByteView in) {
  ParseResult r = parse(in);
  if (!r.msg) {
    require(r.error != 0);
    return;
  }
  Bytes wire = serialize(*r.msg);
  ParseResult again = parse(wire);
  require(again.msg.has_value());
  require(*again.msg == *r.msg);
  require(serialize(*again.msg) == wire);
}

void check_databases(const Sad& sad, const Spd& spd) {
  std::size_t n = 0;
  sad.for_each([&](const SaRef& sa) {
    ++n;
    const SaConfig& c = sa->config();
    require(sad.get(SaKey{c.dst, c.proto, c.spi}) == sa);
  });
  require(n == sad.size());
  n = 0;
  spd.for_each([&](const Policy& p) {
    ++n;
    require(spd.get(p.id).has_value());
  });
  require(n == spd.size());
}

void run_engine(ByteView in) {
  Sad sad;
  Spd spd;
  Engine engine(sad, spd, [](ClientId, ByteView m) {
    require(m.size() >= sizeof(sadb_msg));
    sadb_msg h;
    std::memcpy(&h, m.data(), sizeof h);
    if (h.sadb_msg_errno == 0) require(parse(m).error == 0);
  });
  std::size_t off = 0;
  for (int i = 0; off < in.size() && i < 64; ++i) {
    ByteView rest = in.subspan(off);
    std::size_t len = rest.size();
    if (rest.size() >= sizeof(sadb_msg)) {
      std::uint16_t units;
      std::memcpy(&units, rest.data() + offsetof(sadb_msg, sadb_msg_len), 2);
      if (units != 0 && std::size_t(units) * 8 <= rest.size()) len = std::size_t(units) * 8;
    }
    ByteView msg = rest.first(len);
    std::size_t sa_before = sad.size(), sp_before = spd.size();
    int err = engine.handle(ClientId(i % 3), msg);
    if (err != 0) require(sad.size() == sa_before && spd.size() == sp_before);
    off += len;
  }
  check_databases(sad, spd);
  // The data-plane entry points on whatever the input installed.
  sad.for_each([&](const SaRef& sa) {
    AcquireRequest req;
    req.request.proto = sa->config().proto;
    req.src = sa->config().src;
    req.dst = sa->config().dst;
    engine.acquire(req);
    engine.expire(SaKey{sa->config().dst, sa->config().proto, sa->config().spi}, true);
  });
  require(sad.size() == 0);
  check_databases(sad, spd);
}

}  // namespace
}  // namespace aipsec::pfkey

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  aipsec::ByteView in(data, size);
  aipsec::pfkey::check_codec(in);
  aipsec::pfkey::run_engine(in);
  return 0;
}
