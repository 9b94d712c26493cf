// Logging to stderr (a service manager collects it), one line per call.
#pragma once

#include <string_view>

namespace aipsec::daemon {

void log_line(std::string_view what);

}  // namespace aipsec::daemon
