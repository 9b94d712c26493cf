// Control plane over PF_KEY v2, through a real Unix SOCK_SEQPACKET socket to a
// pfkey::Engine on its own thread (the transport ipsecd uses):
//  - SA installs: SADB_ADD encoded, sent, decoded by the engine, Sad::add
//    (keying the SA's crypto contexts), the reply sent back and read. The
//    client keeps a window of requests in flight on its one socket, as a key
//    daemon installing a batch does.
//  - DUMP of 1,000,000 SAs: the time until the reader has every message.
//  - SPD lookups with 10 policies (1,000 and 100,000 are in policy_bench).
#include <benchmark/benchmark.h>
#include <linux/pfkeyv2.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <random>

#include "../unit/tools_pfkey_server.hpp"
#include "aipsec/pfkey.hpp"
#include "pfkey_bench_client.hpp"

using namespace aipsec;

namespace {

using namespace pfkey_bench;


void BM_SaInstallOverSocket(benchmark::State& state) {
  const auto count = std::uint32_t(state.range(0));
  std::vector<Bytes> msgs;
  msgs.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) msgs.push_back(add_message(i));
  double cpu = 0;
  for (auto _ : state) {
    state.PauseTiming();
    CpuSplit split;  // the server's thread on one CPU, the client on another
    split.daemon_side();
    auto server = std::make_unique<testsupport::PfkeyTestServer>(socket_path("install"));
    server->keep_received(false);
    split.client_side();
    int fd = connect_to(server->path());
    const double cpu0 = process_cpu_seconds();
    state.ResumeTiming();
    const bool ok = fd >= 0 && install_all(fd, msgs);
    state.PauseTiming();
    cpu += process_cpu_seconds() - cpu0;
    if (!ok || server->sad.size() != count) state.SkipWithError("an SADB_ADD failed");
    ::close(fd);
    server.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(std::int64_t(state.iterations()) * count);
  state.counters["SA/s"] = benchmark::Counter(double(state.iterations()) * count, benchmark::Counter::kIsRate);
  state.counters["SA/cpu_s"] = double(state.iterations()) * count / cpu;
}
BENCHMARK(BM_SaInstallOverSocket)->Arg(100000)->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();

// Baselines for the figure above: the same SAs installed with Sad::add
// directly, and through Engine::handle without a socket.
void BM_SadAddDirect(benchmark::State& state) {
  const auto count = std::uint32_t(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    auto sad = std::make_unique<Sad>();
    std::vector<SaConfig> cfgs;
    for (std::uint32_t i = 0; i < count; ++i) cfgs.push_back(gcm_sa(i));
    state.ResumeTiming();
    for (auto& c : cfgs) sad->add(std::move(c));
    state.PauseTiming();
    sad.reset();
    state.ResumeTiming();
  }
  state.counters["SA/s"] = benchmark::Counter(double(state.iterations()) * count, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SadAddDirect)->Arg(100000)->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_EngineAddNoSocket(benchmark::State& state) {
  const auto count = std::uint32_t(state.range(0));
  std::vector<Bytes> msgs;
  for (std::uint32_t i = 0; i < count; ++i) msgs.push_back(add_message(i));
  std::size_t failures = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto sad = std::make_unique<Sad>();
    auto spd = std::make_unique<Spd>();
    auto engine = std::make_unique<pfkey::Engine>(*sad, *spd, [](pfkey::ClientId, ByteView) {});
    engine->open(1);
    state.ResumeTiming();
    for (const auto& m : msgs) failures += engine->handle(1, m) != 0;
    state.PauseTiming();
    engine.reset();
    sad.reset();
    state.ResumeTiming();
  }
  if (failures) state.SkipWithError("an SADB_ADD failed");
  state.counters["SA/s"] = benchmark::Counter(double(state.iterations()) * count, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EngineAddNoSocket)->Arg(100000)->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_DumpOverSocket(benchmark::State& state) {
  const auto count = std::uint32_t(state.range(0));
  testsupport::PfkeyTestServer server(socket_path("dump"));
  server.keep_received(false);
  for (std::uint32_t i = 0; i < count; ++i) server.sad.add(gcm_sa(i));
  int fd = connect_to(server.path());
  std::vector<std::uint8_t> buf(pfkey::kMaxMessageBytes);
  sadb_msg req{};
  req.sadb_msg_version = PF_KEY_V2;
  req.sadb_msg_type = SADB_DUMP;
  req.sadb_msg_satype = SADB_SATYPE_UNSPEC;
  req.sadb_msg_len = sizeof req / 8;
  std::uint64_t received = 0;
  const double cpu0 = process_cpu_seconds();
  for (auto _ : state) {
    received = 0;
    ::send(fd, &req, sizeof req, MSG_NOSIGNAL);
    for (;;) {
      ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
      if (n < ssize_t(sizeof(sadb_msg))) break;
      sadb_msg h;
      std::memcpy(&h, buf.data(), sizeof h);
      if (h.sadb_msg_type != SADB_DUMP || h.sadb_msg_errno) break;
      ++received;
      if (h.sadb_msg_seq == 0) break;
    }
    if (received != count) state.SkipWithError("the dump lost messages");
  }
  const double cpu = process_cpu_seconds() - cpu0;
  ::close(fd);
  state.SetItemsProcessed(std::int64_t(state.iterations()) * count);
  state.counters["messages"] = double(received);
  state.counters["cpu_s_per_dump"] = cpu / double(state.iterations());
}
BENCHMARK(BM_DumpOverSocket)->Arg(1000000)->Iterations(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SpdLookup(benchmark::State& state) {
  const auto n = std::size_t(state.range(0));
  Spd spd;
  std::vector<FlowKey> flows;
  for (std::uint32_t i = 0; i < n; ++i) {
    Policy p;
    p.sel.src = IpPrefix{IpAddr::v4(0x0a000000u + (i << 8)), 24};
    p.sel.dst = IpPrefix{IpAddr::v4(0xac100000u + (i << 8)), 24};
    p.dir = Direction::kOut;
    p.action = PolicyAction::kBypass;
    spd.add(p);
    FlowKey k;
    k.src = IpAddr::v4(0x0a000000u + (i << 8) + 7);
    k.dst = IpAddr::v4(0xac100000u + (i << 8) + 9);
    k.ulproto = 6;
    k.sport = 40000;
    k.dport = 443;
    flows.push_back(k);
  }
  std::size_t i = 0;
  std::int64_t hits = 0;
  for (auto _ : state) {
    hits += spd.lookup(Direction::kOut, flows[i]) != nullptr;
    if (++i == n) i = 0;
  }
  if (hits != state.iterations()) state.SkipWithError("a lookup missed");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SpdLookup)->Arg(10);

}  // namespace
