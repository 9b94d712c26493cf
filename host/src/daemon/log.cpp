#include "daemon/log.hpp"

#include <ctime>
#include <cstdio>
#include <mutex>

namespace aipsec::daemon {

void log_line(std::string_view what) {
  static std::mutex mu;
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  gmtime_r(&ts.tv_sec, &t);
  std::lock_guard lock(mu);
  std::fprintf(stderr, "%02d:%02d:%02d.%03ld ipsecd: %.*s\n", t.tm_hour, t.tm_min, t.tm_sec,
               ts.tv_nsec / 1000000, int(what.size()), what.data());
}

}  // namespace aipsec::daemon
