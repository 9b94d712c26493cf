// SA installs over one PF_KEY socket to ipsecd itself: an aipsec::daemon::Daemon
// (the program ipsecd runs, with its control thread, poll loop, lifetime timer
// and PfkeyServer) on a temporary socket, and one client that keeps a window of
// SADB_ADD messages in flight and reads every reply. The run fails unless every
// reply is a success (the engine answers only after the SA is in the SAD, keyed).
// With two CPUs or more the daemon and the client run on one each (CpuSplit).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>

#include "aipsec/daemon.hpp"
#include "pfkey_bench_client.hpp"

namespace {

using namespace pfkey_bench;

void BM_SaInstallToIpsecd(benchmark::State& state) {
  const auto count = std::uint32_t(state.range(0));
  std::vector<Bytes> msgs;
  msgs.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) msgs.push_back(add_message(i));
  double cpu = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string dir = "/tmp/aipsec-bench-ipsecd-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    aipsec::daemon::Options o;
    o.pfkey_socket = dir + "/pfkey";
    CpuSplit split;
    split.daemon_side();
    auto d = std::make_unique<aipsec::daemon::Daemon>(o);
    d->start();
    split.client_side();
    int fd = connect_to(o.pfkey_socket);
    const double cpu0 = process_cpu_seconds();
    state.ResumeTiming();
    const bool ok = fd >= 0 && install_all(fd, msgs);
    state.PauseTiming();
    cpu += process_cpu_seconds() - cpu0;
    if (!ok) state.SkipWithError("an SADB_ADD failed");
    ::close(fd);
    d.reset();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(std::int64_t(state.iterations()) * count);
  state.counters["SA/s"] = benchmark::Counter(double(state.iterations()) * count, benchmark::Counter::kIsRate);
  state.counters["SA/cpu_s"] = double(state.iterations()) * count / cpu;
  state.SetLabel(CpuSplit().active() ? "daemon and client on a CPU each" : "one CPU");
}
BENCHMARK(BM_SaInstallToIpsecd)->Arg(100000)->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
