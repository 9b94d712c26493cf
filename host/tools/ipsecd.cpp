// ipsecd: the gateway daemon. Runs in the foreground, logs to stderr, stops
// cleanly (SAD flushed, sockets removed) on SIGTERM or SIGINT.
#include <csignal>
#include <cstdio>
#include <exception>

#include "aipsec/daemon.hpp"
#ifdef AIPSEC_HAVE_COSIM
#include "aipsec/cosim_backend.hpp"
#endif

int main(int argc, char** argv) {
  using namespace aipsec::daemon;
  // Blocked before any thread starts, so only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  try {
#ifdef AIPSEC_HAVE_COSIM
    aipsec::cosim::register_daemon_backend();  // --backend cosim
#endif
    Options opts = parse_options(argc, argv);
    Daemon d(opts);
    d.start();
    int sig = 0;
    sigwait(&stop_signals, &sig);
    std::fprintf(stderr, "ipsecd: signal %d, stopping\n", sig);
    d.stop();
    return 0;
  } catch (const UsageRequested&) {
    std::fputs(usage().c_str(), stdout);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ipsecd: %s\n", e.what());
    return 1;
  }
}
