// LD_PRELOAD library: socket(PF_KEY, SOCK_RAW, PF_KEY_V2) in an unmodified
// PF_KEY client becomes a Unix SOCK_SEQPACKET connection to ipsecd, whose
// socket carries one PF_KEY message per datagram just as a kernel PF_KEY socket
// does, so send/recv/read/write/select/poll (and recv with MSG_PEEK, which
// libipsec uses to read a header first) work on it unchanged. Every other
// socket() call goes to libc.
//
// The daemon's socket: $AIPSEC_PFKEY_SOCKET, else /run/aipsec/pfkey.sock.
// Uses libc only: it is loaded into programs that know nothing of the runtime.
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/pfkeyv2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

constexpr const char* kDefaultSocket = "/run/aipsec/pfkey.sock";
constexpr int kTypeFlags = SOCK_NONBLOCK | SOCK_CLOEXEC;

using SocketFn = int (*)(int, int, int);

// Resolved once; a race only resolves it twice to the same value. A plain
// pointer with atomic builtins keeps the library free of the C++ runtime
// (a function-local static would need libstdc++'s guard functions).
SocketFn g_next_socket = nullptr;

SocketFn next_socket() {
  SocketFn fn = __atomic_load_n(&g_next_socket, __ATOMIC_ACQUIRE);
  if (!fn) {
    fn = reinterpret_cast<SocketFn>(dlsym(RTLD_NEXT, "socket"));
    __atomic_store_n(&g_next_socket, fn, __ATOMIC_RELEASE);
  }
  return fn;
}

bool is_pfkey(int domain, int type, int protocol) {
  return domain == PF_KEY && (type & ~kTypeFlags) == SOCK_RAW && protocol == PF_KEY_V2;
}

// Fills addr with the daemon's socket path; false (errno set) if it cannot fit.
bool daemon_address(sockaddr_un& addr) {
  const char* path = getenv("AIPSEC_PFKEY_SOCKET");
  if (!path || !*path) path = kDefaultSocket;
  size_t n = strlen(path);
  if (n >= sizeof addr.sun_path) {
    errno = ENAMETOOLONG;
    return false;
  }
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, path, n + 1);
  return true;
}

// The connection is made blocking (a non-blocking connect to a busy listener
// would fail with EAGAIN, which no PF_KEY client expects from socket()), then
// given the flags the caller asked for.
int connect_daemon(SocketFn sys_socket, int type) {
  sockaddr_un addr;
  if (!daemon_address(addr)) return -1;
  int fd = sys_socket(AF_UNIX, SOCK_SEQPACKET | (type & SOCK_CLOEXEC), 0);
  if (fd < 0) return -1;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  if ((type & SOCK_NONBLOCK) && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int socket(int domain, int type, int protocol) {
  SocketFn sys_socket = next_socket();
  if (!sys_socket) {
    errno = ENOSYS;
    return -1;
  }
  if (!is_pfkey(domain, type, protocol)) return sys_socket(domain, type, protocol);
  return connect_daemon(sys_socket, type);
}
