// ipsec-setkey: setkey(8) for ipsecd. Statements of the setkey language, and
// the -D/-DP/-F/-FP/-x shortcuts, become PF_KEY v2 messages on the daemon's
// socket; answers print as setkey prints them. See docs/ipsec-setkey.md.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "aipsec/setkey.hpp"
#include "esp_sa_export.hpp"
#include "pfkey_client.hpp"
#include "setkey_messages.hpp"
#include "setkey_session.hpp"

namespace {

using namespace aipsec;
using namespace aipsec::setkeytool;

constexpr int kExitOk = 0, kExitFailed = 1, kExitUsage = 2;

constexpr const char* kHelp =
    "usage: ipsec-setkey [-v] [--socket PATH] -f FILE | -c | -D [-P] | -F [-P] | -x\n"
    "       ipsec-setkey [--socket PATH] --wireshark-esp-sa FILE\n"
    "\n"
    "Configures ipsecd over PF_KEY v2, as setkey(8) configures a kernel.\n"
    "\n"
    "  -f FILE    run the statements of FILE (setkey syntax: add, get, delete,\n"
    "             deleteall, flush, dump, spdadd, spdupdate, spddelete, spdflush,\n"
    "             spddump)\n"
    "  -c         run statements read from standard input\n"
    "  -D         dump the SAD; -DP dumps the SPD\n"
    "  -F         flush the SAD; -FP flushes the SPD\n"
    "  -x         print every PF_KEY message the daemon sends, until interrupted\n"
    "  -v         also print every message sent and received\n"
    "  --socket PATH\n"
    "             the daemon's PF_KEY socket (default: $AIPSEC_PFKEY_SOCKET, else\n"
    "             /run/aipsec/pfkey.sock)\n"
    "  --wireshark-esp-sa FILE\n"
    "             write the ESP SAs as a Wireshark esp_sa table (FILE '-' = stdout)\n"
    "  -h, --help this text\n"
    "\n"
    "exit status: 0 success, 1 a statement failed or the daemon is unreachable,\n"
    "2 usage or syntax error\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Action { kNone, kFile, kStdin, kDump, kFlush, kPromisc, kWireshark };

struct Options {
  Action action = Action::kNone;
  bool policy = false, verbose = false, help = false;
  std::string file, socket, wireshark;
};

void set_action(Options& o, Action a) {
  if (o.action != Action::kNone && o.action != a) throw UsageError("only one of -f, -c, -D, -F, -x, --wireshark-esp-sa");
  o.action = a;
}

// Clustered short flags as setkey takes them ("-DP", "-vf FILE", "-fFILE").
void short_flags(Options& o, const std::string& arg, int& i, int argc, char** argv) {
  for (std::size_t k = 1; k < arg.size(); ++k) {
    switch (arg[k]) {
      case 'c': set_action(o, Action::kStdin); break;
      case 'D': set_action(o, Action::kDump); break;
      case 'F': set_action(o, Action::kFlush); break;
      case 'x': set_action(o, Action::kPromisc); break;
      case 'P': o.policy = true; break;
      case 'v': o.verbose = true; break;
      case 'h': o.help = true; break;
      case 'f':
        set_action(o, Action::kFile);
        if (k + 1 < arg.size()) o.file = arg.substr(k + 1);
        else if (i + 1 < argc) o.file = argv[++i];
        else throw UsageError("-f needs a file");
        return;
      default: throw UsageError(std::string("unknown option -") + arg[k]);
    }
  }
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name) {
      if (i + 1 >= argc) throw UsageError(std::string(name) + " needs a value");
      return std::string(argv[++i]);
    };
    if (a == "--help") o.help = true;
    else if (a == "--socket") o.socket = value("--socket");
    else if (a == "--wireshark-esp-sa") {
      set_action(o, Action::kWireshark);
      o.wireshark = value("--wireshark-esp-sa");
    } else if (a.size() > 1 && a[0] == '-' && a[1] != '-') short_flags(o, a, i, argc, argv);
    else throw UsageError("unexpected argument '" + a + "'");
  }
  if (!o.help && o.action == Action::kNone) throw UsageError("nothing to do");
  if (o.policy && o.action != Action::kDump && o.action != Action::kFlush) throw UsageError("-P goes with -D or -F");
  return o;
}

int run_statements(Session& s, const std::vector<setkey::Command>& cmds, std::string_view file) {
  int status = kExitOk;
  for (const auto& c : cmds)
    if (!s.run(c, file)) status = kExitFailed;
  return status;
}

int write_wireshark(Session& s, const std::string& path) {
  std::vector<pfkey::Message> sas;
  int e = s.dump(sa_all_message(SADB_DUMP, IpsecProto::kEsp), [&](const pfkey::Message& m) { sas.push_back(m); });
  if (e && e != ENOENT) throw Error(std::string("SADB_DUMP: ") + std::strerror(e));
  std::string table = esp_sa_table(sas);
  if (path == "-") {
    std::cout << table;
    return kExitOk;
  }
  std::ofstream f(path, std::ios::trunc);
  if (!(f << table)) throw Error("cannot write " + path);
  std::cerr << "ipsec-setkey: " << sas.size() << " ESP SA(s) written to " << path << "\n";
  return kExitOk;
}

int run(const Options& o) {
  // Parse before connecting: a syntax error needs no daemon.
  std::vector<setkey::Command> cmds;
  std::string name;
  if (o.action == Action::kFile) {
    name = o.file;
    cmds = setkey::parse_file(o.file);
  } else if (o.action == Action::kStdin) {
    name = "<stdin>";
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    cmds = setkey::parse(text, name);
  } else if (o.action == Action::kDump || o.action == Action::kFlush) {
    name = o.policy ? (o.action == Action::kDump ? "-DP" : "-FP") : (o.action == Action::kDump ? "-D" : "-F");
    if (o.action == Action::kDump) cmds.emplace_back(o.policy ? setkey::Command(setkey::SpdDumpCommand{}) : setkey::SaDumpCommand{});
    else cmds.emplace_back(o.policy ? setkey::Command(setkey::SpdFlushCommand{}) : setkey::SaFlushCommand{});
  }
  PfkeyClient client(socket_path(o.socket));
  Session session(client, std::cout, std::cerr, o.verbose);
  if (o.action == Action::kPromisc) {
    session.promisc([] { return false; });
    return kExitOk;
  }
  if (o.action == Action::kWireshark) return write_wireshark(session, o.wireshark);
  return run_statements(session, cmds, name);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o = parse_args(argc, argv);
    if (o.help) {
      std::cout << kHelp;
      return kExitOk;
    }
    return run(o);
  } catch (const UsageError& e) {
    std::cerr << "ipsec-setkey: " << e.what() << "\n" << kHelp;
    return kExitUsage;
  } catch (const setkey::ParseError& e) {
    std::cerr << "ipsec-setkey: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "ipsec-setkey: " << e.what() << "\n";
    return kExitFailed;
  }
}
