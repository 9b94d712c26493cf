// Verilator bench of aipsec_outbound: every output frame is compared byte for
// byte with the software data plane (aipsec_xform) given the same SA, sequence
// number and packet, wrapped in the same Ethernet header.
//
//   outbound_test run N SEED [PCAP_DIR]   protect mix, exceptions, lifetimes, random scale
//   outbound_test bench                   beats per clock and latency (not a test)
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "ob_dut.hpp"
#include "ob_model.hpp"
#include "ob_scenarios.hpp"

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  const std::string mode = argc > 1 ? argv[1] : "run";
  if (mode == "bench") return obtest::run_bench();
  const unsigned n = argc > 2 ? unsigned(std::stoul(argv[2])) : 200;
  const std::uint64_t seed = argc > 3 ? std::stoull(argv[3]) : 1;
  const std::string pcap_dir = argc > 4 ? argv[4] : "";
  return obtest::run_all(n, seed, pcap_dir);
}
