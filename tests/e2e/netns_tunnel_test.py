#!/usr/bin/python3
"""End to end: two ipsecd gateways in two network namespaces joined by a veth pair.

Topology (see docs/ipsecd.md, "End-to-end topology"):

  namespace A                                          namespace B
  10.1.0.1 on tunA  <- ipsecd A -> veth 192.0.2.1 ==== 198.51.100.1 veth <- ipsecd B -> 10.2.0.1 on tunB

Each gateway namespace is also the host behind its TUN: traffic from 10.1.0.1 to
10.2.0.1 is routed into tunA, protected by ipsecd A, crosses the veth, is opened
by ipsecd B and written to tunB, where B's kernel delivers it.

Cases: gcm, cbc, bundle (AH + ESP), natt (ESP in UDP 4500, SAs over PF_KEY),
lifetimes (byte and time lifetimes -> SADB_EXPIRE). Every case creates its own
namespaces and processes and removes them at the end, even on failure.
Exit status 77 (skip) when not root or without `ip netns`.

Oracles: the kernel's ping/UDP/TCP stacks at both ends, a packet capture on the
veth (AF_PACKET) read back with tshark and with Scapy's ESP implementation
(which decrypts what ipsecd sent with the configured keys), and the daemons'
counters compared with the capture and with the traffic sent.
"""
import argparse
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

SKIP = 77
GW_A, GW_B = "192.0.2.1", "198.51.100.1"
HOST_A, HOST_B = "10.1.0.1", "10.2.0.1"
GW6_A, GW6_B = "2001:db8:a::1", "2001:db8:b::1"
MARKER = b"AIPSEC-E2E-PLAINTEXT-MARKER"

KEY_GCM_AB = "0x0102030405060708090a0b0c0d0e0f10a1a2a3a4"
KEY_GCM_BA = "0x1112131415161718191a1b1c1d1e1f20b1b2b3b4"
KEY_CBC_AB = "0x2122232425262728292a2b2c2d2e2f30"
KEY_CBC_BA = "0x3132333435363738393a3b3c3d3e3f40"
KEY_HMAC_AB = "0x" + bytes(range(0x40, 0x60)).hex()
KEY_HMAC_BA = "0x" + bytes(range(0x60, 0x80)).hex()
KEY_AH_AB = "0x" + bytes(range(0x80, 0xa0)).hex()
KEY_AH_BA = "0x" + bytes(range(0xa0, 0xc0)).hex()


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)
    print("  ok:", what, flush=True)


def run(cmd, timeout=20, check_rc=True, **kw):
    r = subprocess.run(cmd, timeout=timeout, capture_output=True, text=True, **kw)
    if check_rc and r.returncode != 0:
        raise Failure("command failed (%d): %s\n%s%s" % (r.returncode, " ".join(cmd), r.stdout, r.stderr))
    return r


# --------------------------------------------------------------------------------------------
# Helpers run inside a namespace (this file re-invoked with "helper ...").

def helper_capture(iface, path):
    """AF_PACKET capture of iface to a pcap (Ethernet) until SIGTERM."""
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)  # SO_RCVBUFFORCE: no loss in bursts
    s.bind((iface, 0))
    s.settimeout(0.1)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        print("ready", flush=True)
        while not stop:
            try:
                data = s.recv(262144)
            except socket.timeout:
                continue
            t = time.time()
            f.write(struct.pack("<IIII", int(t), int((t % 1) * 1e6), len(data), len(data)) + data)


def helper_udp_server(addr, port, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    s.settimeout(15)
    print("ready", flush=True)
    for _ in range(int(count)):
        data, peer = s.recvfrom(65535)
        s.sendto(data, peer)


def helper_udp_client(src, dst, port, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.settimeout(3)
    for i in range(int(count)):
        msg = MARKER + b" udp %d " % i + b"u" * 200
        s.sendto(msg, (dst, int(port)))
        data, _ = s.recvfrom(65535)
        if data != msg:
            sys.exit("udp echo %d differs" % i)


def helper_tcp_server(addr, port):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(1)
    ls.settimeout(15)
    print("ready", flush=True)
    c, _ = ls.accept()
    c.settimeout(15)
    while True:
        data = c.recv(65536)
        if not data:
            break
        c.sendall(data)
    c.close()


def helper_tcp_client(src, dst, port, nbytes):
    payload = (MARKER + b" tcp ") * (int(nbytes) // (len(MARKER) + 5) + 1)
    payload = payload[: int(nbytes)]
    c = socket.create_connection((dst, int(port)), timeout=10, source_address=(src, 0))
    c.sendall(payload)
    c.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        data = c.recv(65536)
        if not data:
            break
        got += data
    if got != payload:
        sys.exit("tcp echo differs: %d of %d bytes" % (len(got), len(payload)))


def helper_udp_send(src, dst, port, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    for i in range(int(count)):
        s.sendto(MARKER + b" held %d" % i, (dst, int(port)))


def helper_udp_sink(addr, port, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    print("ready", flush=True)
    deadline = time.time() + float(seconds)
    got = []
    while time.time() < deadline:
        s.settimeout(max(0.01, deadline - time.time()))
        try:
            data, _ = s.recvfrom(65535)
        except socket.timeout:
            break
        got.append(data.rsplit(b" ", 1)[-1].decode())
    print(" ".join(got), flush=True)


HELPERS = {
    "udp-send": helper_udp_send,
    "udp-sink": helper_udp_sink,
    "capture": helper_capture,
    "udp-server": helper_udp_server,
    "udp-client": helper_udp_client,
    "tcp-server": helper_tcp_server,
    "tcp-client": helper_tcp_client,
}


# --------------------------------------------------------------------------------------------
# PF_KEY v2 over the daemon's SOCK_SEQPACKET socket (RFC 2367, <linux/pfkeyv2.h> layout).

SADB_ADD, SADB_GET, SADB_ACQUIRE, SADB_REGISTER, SADB_EXPIRE, SADB_DUMP = 3, 5, 6, 7, 8, 10
SADB_SATYPE_AH, SADB_SATYPE_ESP = 2, 3
EXT_SA, EXT_LT_CUR, EXT_LT_HARD, EXT_LT_SOFT, EXT_SRC, EXT_DST = 1, 2, 3, 4, 5, 6
EXT_KEY_ENC, EXT_SA2, EXT_NATT_TYPE, EXT_NATT_SPORT, EXT_NATT_DPORT = 9, 19, 20, 21, 22
EALG_AES_GCM16 = 20


def ext(etype, body):
    body += b"\0" * (-(len(body) + 4) % 8)
    return struct.pack("<HH", (len(body) + 4) // 8, etype) + body


def addr_ext(etype, ip, port=0):
    sin = struct.pack("<H", socket.AF_INET) + struct.pack(">H", port) + socket.inet_aton(ip) + b"\0" * 8
    return ext(etype, struct.pack("<BBH", 255, 32, 0) + sin)


def message(mtype, satype, exts=b"", seq=1):
    return struct.pack("<BBBBHHII", 2, mtype, 0, satype, (16 + len(exts)) // 8, 0, seq, os.getpid()) + exts


def parse_message(data):
    version, mtype, errno_, satype, length, _, seq, _ = struct.unpack_from("<BBBBHHII", data)
    exts, off = {}, 16
    while off + 4 <= len(data):
        elen, etype = struct.unpack_from("<HH", data, off)
        if elen == 0:
            break
        exts[etype] = data[off + 4: off + elen * 8]
        off += elen * 8
    return {"type": mtype, "errno": errno_, "satype": satype, "seq": seq, "exts": exts}


class PfkeyClient:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.s.connect(path)
        self.pending = []

    def send(self, msg):
        self.s.send(msg)

    def recv(self, timeout=2.0):
        if self.pending:
            return self.pending.pop(0)
        r, _, _ = select.select([self.s], [], [], timeout)
        if not r:
            return None
        return parse_message(self.s.recv(1 << 19))

    def request(self, msg, timeout=3.0):
        """Sends msg and returns the reply of the same type (others are kept)."""
        mtype = msg[1]
        self.send(msg)
        deadline = time.time() + timeout
        while time.time() < deadline:
            r, _, _ = select.select([self.s], [], [], deadline - time.time())
            if not r:
                break
            m = parse_message(self.s.recv(1 << 19))
            if m["type"] == mtype:
                return m
            self.pending.append(m)
        raise Failure("no PF_KEY reply to type %d" % mtype)

    def register(self, satype):
        m = self.request(message(SADB_REGISTER, satype))
        check(m["errno"] == 0, "PF_KEY REGISTER satype %d accepted" % satype)

    def add_gcm(self, spi, src, dst, key_hex, natt_ports=None):
        """SADB_ADD of an ESP AES-GCM-16 tunnel-mode SA (UDP-encapsulated with natt_ports)."""
        key = bytes.fromhex(key_hex[2:])
        exts = (ext(EXT_SA, struct.pack(">I", spi) + struct.pack("<BBBBI", 32, 1, 0, EALG_AES_GCM16, 0))
                + addr_ext(EXT_SRC, src) + addr_ext(EXT_DST, dst)
                + ext(EXT_KEY_ENC, struct.pack("<HH", len(key) * 8, 0) + key)
                + ext(EXT_SA2, struct.pack("<BBHII", 2, 0, 0, 0, 0)))
        if natt_ports:
            exts += (ext(EXT_NATT_TYPE, struct.pack("<B", 2))
                     + ext(EXT_NATT_SPORT, struct.pack(">H", natt_ports[0]))
                     + ext(EXT_NATT_DPORT, struct.pack(">H", natt_ports[1])))
        m = self.request(message(SADB_ADD, SADB_SATYPE_ESP, exts))
        check(m["errno"] == 0, "PF_KEY ADD of SA 0x%x accepted" % spi)

    def close(self):
        self.s.close()


# --------------------------------------------------------------------------------------------
# The topology.

class Topology:
    def __init__(self, ipsecd, workdir, setkey=None):
        self.setkey = setkey
        tag = "%d" % (os.getpid() % 100000)
        self.ns = {"A": "aipsecA" + tag, "B": "aipsecB" + tag}
        self.veth = {"A": "vea" + tag, "B": "veb" + tag}
        self.tun = {"A": "tna" + tag, "B": "tnb" + tag}
        self.gw = {"A": GW_A, "B": GW_B}
        self.gw6 = None  # {"A": ..., "B": ...}: IPv6 outer addresses too
        self.outer = dict(self.gw)
        self.host = {"A": HOST_A, "B": HOST_B}
        self.ipsecd = ipsecd
        self.dir = workdir
        self.procs = []
        self.daemons = {}

    def ns_cmd(self, side, *cmd):
        return ["ip", "netns", "exec", self.ns[side]] + list(cmd)

    def setup(self):
        for side in "AB":
            run(["ip", "netns", "add", self.ns[side]])
        run(["ip", "link", "add", self.veth["A"], "netns", self.ns["A"], "type", "veth",
             "peer", "name", self.veth["B"], "netns", self.ns["B"]])
        other = {"A": "B", "B": "A"}
        for side in "AB":
            n = ["ip", "-n", self.ns[side]]
            # No IPv6 chatter (router solicitations, MLD) on the links and the TUN.
            run(self.ns_cmd(side, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"))
            run(self.ns_cmd(side, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"))
            run(n + ["link", "set", "lo", "up"])
            run(n + ["addr", "add", self.gw[side] + "/32", "dev", self.veth[side]])
            if self.gw6:
                run(self.ns_cmd(side, "sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=0" % self.veth[side]))
                run(n + ["-6", "addr", "add", self.gw6[side] + "/128", "dev", self.veth[side], "nodad"])
            run(n + ["link", "set", self.veth[side], "up"])
            run(n + ["route", "add", self.gw[other[side]] + "/32", "dev", self.veth[side]])
            if self.gw6:
                run(n + ["-6", "route", "add", self.gw6[other[side]] + "/128", "dev", self.veth[side]])

    def start_daemon(self, side, config=None, extra=()):
        d = {
            "pfkey": os.path.join(self.dir, side + ".pfkey"),
            "control": os.path.join(self.dir, side + ".control"),
            "log": os.path.join(self.dir, side + ".log"),
        }
        cmd = [self.ipsecd, "--pfkey-socket", d["pfkey"], "--control-socket", d["control"],
               "--tun", self.tun[side], "--outer-address", self.outer[side]] + list(extra)
        conf_path = None
        if config is not None:
            conf_path = os.path.join(self.dir, side + ".conf")
            with open(conf_path, "w") as f:
                f.write(config)
            if not self.setkey:
                cmd += ["--config", conf_path]
        logf = open(d["log"], "w")
        p = subprocess.Popen(self.ns_cmd(side, *cmd), stdout=logf, stderr=logf)
        self.procs.append(p)
        d["proc"] = p
        self.daemons[side] = d
        deadline = time.time() + 30  # a large configuration on a loaded machine
        while not os.path.exists(d["control"]):
            if p.poll() is not None or time.time() > deadline:
                raise Failure("ipsecd %s did not start:\n%s" % (side, open(d["log"]).read()))
            time.sleep(0.05)
        if conf_path and self.setkey:
            r = run([self.setkey, "--socket", d["pfkey"], "-f", conf_path], check_rc=False)
            check(r.returncode == 0, "ipsec-setkey -f configured ipsecd %s %s" % (side, r.stderr.strip()))
        other = "B" if side == "A" else "A"
        n = ["ip", "-n", self.ns[side]]
        run(n + ["addr", "add", self.host[side] + "/16", "dev", self.tun[side]])
        # Room for the outer header and ESP/AH overhead on a 1500-byte veth: an
        # outer datagram larger than the link is refused by the raw socket.
        run(n + ["link", "set", self.tun[side], "mtu", "1400", "up"])
        prefix = self.host[other].rsplit(".", 2)[0] + ".0.0/16"
        run(n + ["route", "add", prefix, "dev", self.tun[side], "src", self.host[side]])

    def control(self, side, line):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(self.daemons[side]["control"])
        s.sendall(line.encode() + b"\n")
        buf = b""
        while not (buf.endswith(b"ok\n") or b"error:" in buf):
            data = s.recv(65536)
            if not data:
                break
            buf += data
        s.close()
        return buf.decode()

    def stats(self, side):
        out = {}
        sas = {}
        for line in self.control(side, "stats").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] != "ok":
                out[parts[0]] = int(parts[1])
            elif parts and parts[0] == "sa":
                fields = dict(p.split("=") for p in parts[5:])
                sas[int(parts[2], 16)] = fields
        out["sa"] = sas
        return out

    def background(self, side, *args):
        p = subprocess.Popen(self.ns_cmd(side, sys.executable, os.path.abspath(__file__), "helper", *args),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.procs.append(p)
        line = p.stdout.readline()
        if line.strip() != "ready":
            raise Failure("helper %s did not start: %s %s" % (args[0], line, p.stderr.read()))
        return p

    def helper(self, side, *args, timeout=30):
        return run(self.ns_cmd(side, sys.executable, os.path.abspath(__file__), "helper", *args),
                   timeout=timeout, check_rc=False)

    def stop_daemons(self):
        for side, d in self.daemons.items():
            p = d["proc"]
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()

    def teardown(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        for side in "AB":
            subprocess.run(["ip", "netns", "del", self.ns[side]], capture_output=True, timeout=20)


# --------------------------------------------------------------------------------------------
# Configurations.

def tunnel_conf(side, enc_ab, enc_ba, extra_sa="", esp_opts_ab="", spds=True, a=GW_A, b=GW_B):
    sas = ("add %s %s esp 0x1001 -m tunnel -r 4 %s %s;\n" % (a, b, esp_opts_ab, enc_ab)
           + "add %s %s esp 0x1002 -m tunnel -r 4 %s;\n" % (b, a, enc_ba) + extra_sa)
    return sas + (tunnel_spd(side, a=a, b=b) if spds else "")


def tunnel_spd(side, requests_ab=None, requests_ba=None, a=GW_A, b=GW_B):
    req_ab = requests_ab or "esp/tunnel/%s-%s/require" % (a, b)
    req_ba = requests_ba or "esp/tunnel/%s-%s/require" % (b, a)
    out_dir, in_dir = ("out", "in") if side == "A" else ("in", "out")
    return ("spdadd 10.1.0.0/16 10.2.0.0/16 any -P %s ipsec %s;\n" % (out_dir, req_ab)
            + "spdadd 10.2.0.0/16 10.1.0.0/16 any -P %s ipsec %s;\n" % (in_dir, req_ba))


GCM = ("-E aes-gcm-16 " + KEY_GCM_AB, "-E aes-gcm-16 " + KEY_GCM_BA)
CBC = ("-E aes-cbc %s -A hmac-sha2-256 %s" % (KEY_CBC_AB, KEY_HMAC_AB),
       "-E aes-cbc %s -A hmac-sha2-256 %s" % (KEY_CBC_BA, KEY_HMAC_BA))


def bundle_conf(side):
    a, b = GW_A, GW_B
    sas = tunnel_conf(side, *GCM, spds=False)
    sas += "add %s %s ah 0x2001 -m transport -r 4 -A hmac-sha2-256 %s;\n" % (a, b, KEY_AH_AB)
    sas += "add %s %s ah 0x2002 -m transport -r 4 -A hmac-sha2-256 %s;\n" % (b, a, KEY_AH_BA)
    return sas + tunnel_spd(side, "esp/tunnel/%s-%s/require ah/transport//require" % (a, b),
                            "esp/tunnel/%s-%s/require ah/transport//require" % (b, a))


# --------------------------------------------------------------------------------------------
# Traffic and checks.

PINGS, UDP_DATAGRAMS, TCP_BYTES = 5, 20, 200000


def run_ping(topo, count):
    r = run(topo.ns_cmd("A", "ping", "-n", "-c", str(count), "-i", "0.2", "-W", "2", "-I", HOST_A, HOST_B),
            timeout=30, check_rc=False)
    return r.returncode == 0 and (" %d received" % count) in r.stdout


def pings_and_datagrams(topo, how="", wait=20):
    """Phase 1: PINGS pings and UDP_DATAGRAMS datagrams from A's host to B's, each answered once."""
    check(run_ping(topo, PINGS), "ping %s -> %s%s: %d of %d answered" % (HOST_A, HOST_B, how, PINGS, PINGS))
    srv = topo.background("B", "udp-server", HOST_B, "5001", str(UDP_DATAGRAMS))
    r = topo.helper("A", "udp-client", HOST_A, HOST_B, "5001", str(UDP_DATAGRAMS))
    srv.wait(timeout=wait)
    check(r.returncode == 0 and srv.returncode == 0,
          "UDP%s: %d datagrams echoed intact %s" % (how, UDP_DATAGRAMS, r.stderr.strip()))
    return PINGS + UDP_DATAGRAMS


def traffic(topo):
    """Ping, UDP and TCP from A's host to B's host; returns the packets sent in phase 1."""
    phase1 = pings_and_datagrams(topo)
    before = {s: topo.stats(s) for s in "AB"}
    srv = topo.background("B", "tcp-server", HOST_B, "5002")
    r = topo.helper("A", "tcp-client", HOST_A, HOST_B, "5002", str(TCP_BYTES))
    srv.wait(timeout=20)
    check(r.returncode == 0 and srv.returncode == 0,
          "TCP: %d bytes echoed intact %s" % (TCP_BYTES, r.stderr.strip()))
    return phase1, before


def read_capture(path):
    """(protocols, src, dst, raw frame) per frame, from tshark."""
    r = run(["tshark", "-r", path, "-T", "fields", "-E", "separator=|", "-e", "frame.protocols",
             "-e", "ip.src", "-e", "ip.dst", "-e", "udp.srcport", "-e", "udp.dstport"], timeout=60)
    return [line.split("|") for line in r.stdout.splitlines()]


def check_capture(path, outer):
    frames = read_capture(path)
    ip_frames = [f for f in frames if ":ip:" in f[0] + ":"]
    check(len(ip_frames) > 0, "capture on the veth has %d IP frames" % len(ip_frames))
    bad = [f for f in ip_frames if not f[0].endswith(outer)]
    check(not bad, "every IP frame on the veth is %s (tshark); first other: %s" % (outer, bad[:1]))
    if ":udp" in outer:
        check(all(f[3] == "4500" and f[4] == "4500" for f in ip_frames), "every UDP frame is 4500 -> 4500")
    other = [f for f in frames if ":ip:" not in f[0] + ":" and not f[0].endswith(":arp")]
    check(not other, "no non-IP frame but ARP on the veth: %s" % other[:1])
    raw = open(path, "rb").read()
    check(MARKER not in raw, "the plaintext marker never appears in the capture")
    a_to_b = sum(1 for f in ip_frames if f[1] == GW_A and f[2] == GW_B)
    b_to_a = sum(1 for f in ip_frames if f[1] == GW_B and f[2] == GW_A)
    check(a_to_b + b_to_a == len(ip_frames), "every IP frame is between the two gateways")
    return a_to_b, b_to_a


def check_counters(topo, a_to_b, b_to_a, phase1, before, protected_sas):
    sa_, sb = topo.stats("A"), topo.stats("B")
    for side, s in (("A", sa_), ("B", sb)):
        drops = {k: v for k, v in s.items() if k.startswith("drop.") and v}
        check(not drops, "ipsecd %s dropped nothing: %s" % (side, drops))
        check(s["daemon.send_errors"] == 0, "ipsecd %s had no send error" % side)
    # The capture is the oracle for what crossed the wire.
    check(sa_["dataplane.out_protected"] == a_to_b == sa_["daemon.net_tx"],
          "A protected and sent %d packets = %d frames A->B captured" % (sa_["dataplane.out_protected"], a_to_b))
    check(sb["dataplane.in_opened"] == a_to_b, "B opened %d = frames A->B" % sb["dataplane.in_opened"])
    check(sb["dataplane.out_protected"] == b_to_a == sb["daemon.net_tx"],
          "B protected and sent %d = %d frames B->A captured" % (sb["dataplane.out_protected"], b_to_a))
    check(sa_["dataplane.in_opened"] == b_to_a, "A opened %d = frames B->A" % sa_["dataplane.in_opened"])
    # Phase 1 (pings and UDP datagrams, each answered once) is known exactly.
    check(before["A"]["dataplane.out_protected"] == phase1, "A protected exactly %d packets for %d pings + %d "
          "datagrams" % (before["A"]["dataplane.out_protected"], PINGS, UDP_DATAGRAMS))
    check(before["B"]["dataplane.out_protected"] == phase1,
          "B protected exactly %d replies" % before["B"]["dataplane.out_protected"])
    for spi, side, n in protected_sas:
        s = sa_ if side == "A" else sb
        got = int(s["sa"][spi]["packets"])
        check(got == n, "SA 0x%x on %s counted %d packets = %d captured" % (spi, side, got, n))


def scapy_decrypt(path, spi, crypt, key, auth=None, auth_key=None, natt=False):
    """Decrypts the captured ESP packets of one SA with Scapy; returns the inner packets."""
    code = r'''
import sys
from scapy.all import rdpcap, IP, UDP, raw
from scapy.layers.ipsec import SecurityAssociation, ESP
path, spi, crypt, key, auth, akey, natt = sys.argv[1:]
kw = dict(crypt_algo=crypt, crypt_key=bytes.fromhex(key), tunnel_header=IP(src="%s", dst="%s"))
if auth != "-":
    kw.update(auth_algo=auth, auth_key=bytes.fromhex(akey))
if natt == "1":
    kw["nat_t_header"] = UDP(sport=4500, dport=4500)
sa = SecurityAssociation(ESP, spi=int(spi), **kw)
n = marker = 0
for p in rdpcap(path):
    if IP not in p or p[IP].src != "%s":
        continue
    ip = p[IP]
    if natt == "1":
        esp = ESP(raw(ip[UDP].payload))
        ip = IP(src=ip.src, dst=ip.dst, proto=50) / esp
    else:
        ip = IP(raw(ip))
    if ESP not in ip or ip[ESP].spi != int(spi):
        continue
    inner = sa.decrypt(ip)
    n += 1
    if inner[IP].src == "%s" and inner[IP].dst == "%s" and b"%s" in raw(inner):
        marker += 1
print(n, marker)
''' % (GW_A, GW_B, GW_A, HOST_A, HOST_B, MARKER.decode())
    r = run([sys.executable, "-c", code, path, str(spi), crypt, key[2:], auth or "-",
             (auth_key or "0x")[2:], "1" if natt else "0"], timeout=120)
    n, marker = map(int, r.stdout.split())
    return n, marker


# --------------------------------------------------------------------------------------------
# Cases.

def tunnel_case(topo, conf_a, conf_b, outer, scapy_args, natt_sas=False, debug=False):
    topo.start_daemon("A", conf_a)
    topo.start_daemon("B", conf_b)
    if debug:
        check(topo.control("A", "sysctl set net.inet.ipsec.debug 1") == "net.inet.ipsec.debug=1\nok\n",
              "net.inet.ipsec.debug set to 1 on A at run time")
    if natt_sas:
        for side in "AB":
            c = PfkeyClient(topo.daemons[side]["pfkey"])
            c.add_gcm(0x1001, GW_A, GW_B, KEY_GCM_AB, (4500, 4500))
            c.add_gcm(0x1002, GW_B, GW_A, KEY_GCM_BA, (4500, 4500))
            c.close()
    cap_path = os.path.join(topo.dir, "veth.pcap")
    cap = topo.background("A", "capture", topo.veth["A"], cap_path)
    phase1, before = traffic(topo)
    time.sleep(0.3)
    cap.send_signal(signal.SIGTERM)
    cap.wait(timeout=10)
    a_to_b, b_to_a = check_capture(cap_path, outer)
    check_counters(topo, a_to_b, b_to_a, phase1, before, [(0x1001, "A", a_to_b), (0x1002, "B", b_to_a)])
    if debug:
        log = open(topo.daemons["A"]["log"]).read()
        check("out %s > %s proto 1 len 84: forward" % (HOST_A, HOST_B) in log
              and ": forward as %s > %s proto 1 len 84" % (HOST_B, HOST_A) in log,
              "debug logs a line per packet with its decision")
        keys = [k[2:] for k in (KEY_GCM_AB, KEY_GCM_BA, KEY_CBC_AB, KEY_CBC_BA, KEY_HMAC_AB, KEY_HMAC_BA)]
        check(not any(k in log.lower() or k[:16] in log.lower() for k in keys), "no key material in the log")
    if scapy_args:
        n, marker = scapy_decrypt(cap_path, 0x1001, *scapy_args, natt=natt_sas)
        check(n == a_to_b and marker > 0,
              "Scapy decrypts all %d ESP packets A->B with the configured key (%d carry the marker "
              "from %s to %s)" % (n, marker, HOST_A, HOST_B))


def case_gcm(topo):
    tunnel_case(topo, tunnel_conf("A", *GCM), tunnel_conf("B", *GCM), ":ip:esp",
                ("AES-GCM", KEY_GCM_AB), debug=True)


def case_gcm_cosim(topo):
    """Gateway A runs on the co-simulated card (--backend cosim), B on the software
    data plane: pings and UDP cross, every frame on the wire is ESP, B (software)
    opens exactly what A's card sent, and Scapy decrypts A's ESP with the key."""
    topo.start_daemon("A", tunnel_conf("A", *GCM), extra=["--backend", "cosim"])
    topo.start_daemon("B", tunnel_conf("B", *GCM))
    cap_path = os.path.join(topo.dir, "veth.pcap")
    cap = topo.background("A", "capture", topo.veth["A"], cap_path)
    sent = pings_and_datagrams(topo, " through the card", wait=60)
    time.sleep(0.3)
    cap.send_signal(signal.SIGTERM)
    cap.wait(timeout=10)
    a_to_b, b_to_a = check_capture(cap_path, ":ip:esp")
    sa_, sb = topo.stats("A"), topo.stats("B")
    for side, s in (("A", sa_), ("B", sb)):
        drops = {k: v for k, v in s.items() if k.startswith("drop.") and v}
        check(not drops, "ipsecd %s dropped nothing: %s" % (side, drops))
    check(a_to_b == sent == sa_["daemon.net_tx"],
          "A (card) sent %d ESP frames = %d captured = %d pings + %d datagrams"
          % (sa_["daemon.net_tx"], a_to_b, PINGS, UDP_DATAGRAMS))
    check(sb["dataplane.in_opened"] == a_to_b, "B (software) opened %d = frames A->B" % sb["dataplane.in_opened"])
    check(sa_["daemon.tun_tx"] == b_to_a, "A (card) delivered %d = frames B->A to its TUN" % sa_["daemon.tun_tx"])
    # Each flow's first packet is a flow_miss the host answers; the rest the card does itself.
    done_by_card, answered = sa_["backend.card_forwarded"], sa_["backend.host_answered"]
    check(done_by_card + answered == a_to_b + b_to_a and done_by_card >= a_to_b + b_to_a - 8,
          "the card forwarded %d of the %d packets itself, the host answered %d"
          % (done_by_card, a_to_b + b_to_a, answered))
    check(sa_["backend.sa_inbound"] >= 1 and sa_["backend.flows_installed"] >= 2,
          "the card holds the inbound SA and the flows (%d SAs, %d flow entries)"
          % (sa_["backend.sa_inbound"], sa_["backend.flows_installed"]))
    check(sa_["dataplane.out_protected"] < a_to_b,
          "the software data plane of A protected only %d of the %d" % (sa_["dataplane.out_protected"], a_to_b))
    n, marker = scapy_decrypt(cap_path, 0x1001, "AES-GCM", KEY_GCM_AB)
    check(n == a_to_b and marker > 0, "Scapy decrypts all %d ESP packets the card sent (%d carry the marker)"
          % (n, marker))


def case_cbc(topo):
    tunnel_case(topo, tunnel_conf("A", *CBC), tunnel_conf("B", *CBC), ":ip:esp",
                ("AES-CBC", KEY_CBC_AB, "SHA2-256-128", KEY_HMAC_AB))


def case_bundle(topo):
    tunnel_case(topo, bundle_conf("A"), bundle_conf("B"), ":ip:ah:esp", None)


def case_natt(topo):
    tunnel_case(topo, tunnel_spd("A"), tunnel_spd("B"), ":ip:udp:udpencap:esp", ("AES-GCM", KEY_GCM_AB),
                natt_sas=True)


def case_enc(topo):
    # The enc point on A: capture of inner and (--enc-tunnel) outer packets, and
    # a pcap-filter expression that drops UDP to port 5009 before encryption.
    pcap = os.path.join(topo.dir, "enc.pcap")
    topo.start_daemon("A", tunnel_conf("A", *GCM),
                      ["--enc-pcap", pcap, "--enc-filter", "udp dst port 5009", "--enc-tunnel"])
    topo.start_daemon("B", tunnel_conf("B", *GCM))
    check(run_ping(topo, 3), "ping through A's enc point")
    filtered = topo.background("B", "udp-sink", HOST_B, "5009", "2")
    passed = topo.background("B", "udp-sink", HOST_B, "5010", "2")
    check(topo.helper("A", "udp-send", HOST_A, HOST_B, "5009", "4").returncode == 0, "4 datagrams to port 5009")
    check(topo.helper("A", "udp-send", HOST_A, HOST_B, "5010", "2").returncode == 0, "2 datagrams to port 5010")
    got_filtered = filtered.communicate(timeout=10)[0].split()
    got_passed = passed.communicate(timeout=10)[0].split()
    check(got_filtered == [] and got_passed == ["0", "1"],
          "the filter dropped what it matches (%s) and passed the rest (%s)" % (got_filtered, got_passed))
    s = topo.stats("A")
    check(s["drop.filter"] == 4, "A counted %d drops under filter" % s["drop.filter"])
    topo.stop_daemons()  # the capture is complete once the daemon stopped
    r = run(["tshark", "-r", pcap, "-T", "fields", "-E", "separator=|", "-e", "ip.src", "-e", "ip.dst",
             "-e", "frame.protocols", "-e", "udp.dstport"], timeout=60)
    rows = [l.split("|") for l in r.stdout.splitlines()]
    count = lambda src, dst, proto, port="": sum(
        1 for x in rows if x[0] == src and x[1] == dst and proto in x[2] + ":" and x[3] == port)
    check(count(HOST_A, HOST_B, ":icmp:") == 3 and count(HOST_B, HOST_A, ":icmp:") == 3,
          "enc capture: 3 echo requests before encryption, 3 replies after decapsulation")
    check(count(HOST_A, HOST_B, ":udp:", "5009") == 4 and count(HOST_A, HOST_B, ":udp:", "5010") == 2,
          "enc capture: the 6 datagrams before encryption (the filtered ones too)")
    check(count(GW_A, GW_B, ":esp:") == 5 and count(GW_B, GW_A, ":esp:") == 3,
          "enc capture (--enc-tunnel): 5 outer ESP packets out, 3 in")
    check(len(rows) == 3 + 3 + 6 + 5 + 3, "nothing else in the enc capture (%d frames)" % len(rows))


def case_ipv6(topo):
    # IPv4 hosts over an IPv6 tunnel: the IPv6 raw sockets (header rebuilt from
    # the addresses the kernel reports) and IPv6 outer headers.
    a, b = GW6_A, GW6_B
    topo.outer = {"A": a, "B": b}
    topo.start_daemon("A", tunnel_conf("A", *GCM, a=a, b=b))
    topo.start_daemon("B", tunnel_conf("B", *GCM, a=a, b=b))
    cap_path = os.path.join(topo.dir, "veth.pcap")
    cap = topo.background("A", "capture", topo.veth["A"], cap_path)
    traffic(topo)
    time.sleep(0.3)
    cap.send_signal(signal.SIGTERM)
    cap.wait(timeout=10)
    r = run(["tshark", "-r", cap_path, "-T", "fields", "-E", "separator=|", "-e", "frame.protocols",
             "-e", "ipv6.src", "-e", "ipv6.dst", "-e", "icmpv6.type"], timeout=60)
    rows = [l.split("|") for l in r.stdout.splitlines()]
    esp = [x for x in rows if x[0].endswith(":ipv6:esp")]
    # Link chatter: router/neighbour discovery (133-136) and MLDv2 reports (143).
    nd = [x for x in rows if x[0].endswith(":icmpv6") and x[3] in ("133", "134", "135", "136", "143")]
    check(len(esp) + len(nd) == len(rows) and esp, "the veth carries only IPv6 ESP (%d) and ND/MLD "
          "(%d) frames; others: %s" % (len(esp), len(nd), [x for x in rows if x not in esp + nd][:2]))
    check(MARKER not in open(cap_path, "rb").read(), "the plaintext marker never appears in the capture")
    a_to_b = sum(1 for x in esp if x[1] == a and x[2] == b)
    b_to_a = sum(1 for x in esp if x[1] == b and x[2] == a)
    check(a_to_b + b_to_a == len(esp), "every ESP frame is between the two gateways")
    sa_, sb = topo.stats("A"), topo.stats("B")
    check(sa_["dataplane.out_protected"] == a_to_b == sb["dataplane.in_opened"] and
          sb["dataplane.out_protected"] == b_to_a == sa_["dataplane.in_opened"],
          "counters match the capture: %d A->B, %d B->A" % (a_to_b, b_to_a))
    for side, st in (("A", sa_), ("B", sb)):
        drops = {k: v for k, v in st.items() if k.startswith("drop.") and v}
        check(not drops and st["daemon.send_errors"] == 0, "ipsecd %s dropped nothing: %s" % (side, drops))


def case_bypass(topo):
    # A bypass policy for UDP to port 53 whose route leads back into the TUN:
    # the datagram goes round, one hop less each time, and dies at TTL 1.
    conf_a = tunnel_conf("A", *GCM) + "spdadd 10.1.0.0/16 10.2.0.0/16[53] udp -P out none;\n"
    topo.start_daemon("A", conf_a)
    topo.start_daemon("B", tunnel_conf("B", *GCM))
    ttl = int(run(topo.ns_cmd("A", "sysctl", "-n", "net.ipv4.ip_default_ttl")).stdout)
    check(topo.helper("A", "udp-send", HOST_A, HOST_B, "53", "1").returncode == 0, "1 datagram to port 53")
    time.sleep(0.5)
    s = topo.stats("A")
    check(s["dataplane.out_bypass"] == ttl and s["daemon.bypass_ttl_exceeded"] == 1,
          "bypassed %d times (TTL %d), then dropped: bypass_ttl_exceeded %d"
          % (s["dataplane.out_bypass"], ttl, s["daemon.bypass_ttl_exceeded"]))
    check(s["dataplane.out_protected"] == 0, "nothing of it was protected")
    check(run_ping(topo, 2), "protected traffic is unaffected")


def case_dump(topo):
    # A large SADB_DUMP to a client that stops reading: the daemon waits for the
    # reader (nothing lost, nothing buffered) while the data plane keeps going.
    extra_sas = 50000
    extra = "".join("add %s 203.0.113.1 esp %d -m tunnel -E aes-gcm-16 %s;\n" % (GW_A, 0x100000 + i, KEY_GCM_AB)
                    for i in range(extra_sas))
    topo.start_daemon("A", tunnel_conf("A", *GCM, extra_sa=extra))
    topo.start_daemon("B", tunnel_conf("B", *GCM))
    client = PfkeyClient(topo.daemons["A"]["pfkey"])
    client.send(message(SADB_DUMP, SADB_SATYPE_ESP))
    time.sleep(0.5)
    check(run_ping(topo, 3), "ping crosses while the dump waits for its reader")
    spis, n, last = set(), 0, False
    while not last:
        m = client.recv(10)
        if m is None:
            break
        if m["type"] != SADB_DUMP:
            continue
        n += 1
        spis.add(struct.unpack_from(">I", m["exts"][EXT_SA], 0)[0])
        last = m["seq"] == 0
    client.close()
    check(last and n == extra_sas + 2 and len(spis) == n,
          "the stalled reader then received all %d SAs, each once (%d messages)" % (extra_sas + 2, n))


def case_acquire(topo):
    # A has the policy but no SA towards B: the first packet is held and A asks
    # a registered key daemon (this test) for the SA with SADB_ACQUIRE.
    held_max, sent = 3, 6
    timeout_ms = 2500
    conf_a = ("add %s %s esp 0x1002 -m tunnel -r 4 %s;\n" % (GW_B, GW_A, GCM[1])) + tunnel_spd("A")
    # A peer that never gets an SA: its packets wait, then time out.
    conf_a += "spdadd 10.1.0.0/16 10.3.0.0/16 any -P out ipsec esp/tunnel/%s-203.0.113.7/require;\n" % GW_A
    topo.start_daemon("A", conf_a, ["--held-max", str(held_max), "--held-timeout-ms", str(timeout_ms)])
    run(["ip", "-n", topo.ns["A"], "route", "add", "10.3.0.0/16", "dev", topo.tun["A"], "src", HOST_A])
    topo.start_daemon("B", tunnel_conf("B", *GCM))
    client = PfkeyClient(topo.daemons["A"]["pfkey"])
    client.register(SADB_SATYPE_ESP)
    sink = topo.background("B", "udp-sink", HOST_B, "5003", "4")
    r = topo.helper("A", "udp-send", HOST_A, HOST_B, "5003", str(sent))
    check(r.returncode == 0, "%d datagrams written to A's TUN side before any SA exists" % sent)
    acq = None
    deadline = time.time() + 3
    while acq is None and time.time() < deadline:
        m = client.recv(0.5)
        if m and m["type"] == SADB_ACQUIRE:
            acq = m
    check(acq is not None, "SADB_ACQUIRE reached the registered client")
    src = socket.inet_ntoa(acq["exts"][EXT_SRC][4 + 4:4 + 8])
    dst = socket.inet_ntoa(acq["exts"][EXT_DST][4 + 4:4 + 8])
    check(acq["satype"] == SADB_SATYPE_ESP and (src, dst) == (GW_A, GW_B),
          "ACQUIRE asks for an ESP SA %s -> %s" % (src, dst))
    time.sleep(0.3)
    check(client.recv(0.2) is None, "one ACQUIRE for %d packets (repeats suppressed)" % sent)
    client.add_gcm(0x1001, GW_A, GW_B, KEY_GCM_AB)
    out, _ = sink.communicate(timeout=10)
    got = out.split()
    check(got == [str(i) for i in range(held_max)],
          "B received exactly the %d held datagrams, in order, once the SA was added: %s" % (held_max, got))
    s = topo.stats("A")
    check(s["daemon.acquires_sent"] == 1, "A counted 1 ACQUIRE sent")
    check(s["daemon.held"] == held_max and s["daemon.held_sent"] == held_max,
          "A held %d and sent %d packets" % (s["daemon.held"], s["daemon.held_sent"]))
    check(s["drop.held_queue_full"] == sent - held_max,
          "A counted %d drops held_queue_full (queue bound %d)" % (s["drop.held_queue_full"], held_max))
    check(s["drop.no_sa"] == sent, "the data plane counted %d no_sa" % s["drop.no_sa"])
    check(run_ping(topo, 3), "ping works once the SA exists")
    r = topo.helper("A", "udp-send", HOST_A, "10.3.0.1", "5003", "2")
    m = client.recv(2)
    check(m is not None and m["type"] == SADB_ACQUIRE and
          socket.inet_ntoa(m["exts"][EXT_DST][8:12]) == "203.0.113.7", "ACQUIRE for the SA towards 203.0.113.7")
    time.sleep(0.5)
    check(topo.stats("A")["daemon.held_expired"] == 0, "held packets wait")
    time.sleep(timeout_ms / 1000.0)
    s = topo.stats("A")
    check(s["daemon.held"] == held_max + 2 and s["daemon.held_expired"] == 2,
          "the 2 packets nobody provides an SA for are dropped after %d ms (held_expired %d)"
          % (timeout_ms, s["daemon.held_expired"]))
    client.close()


def case_lifetimes(topo):
    # SA A->B: soft at 10 and hard at 20 echo requests (ping's default 84-byte
    # datagram: the inner datagram is what an SA counts, RFC 4301's bytes of
    # the protected traffic). An idle SA with time lifetimes beside it.
    per_ping = 84
    soft_bytes, hard_bytes = 10 * per_ping, 20 * per_ping
    idle = "add %s 203.0.113.9 esp 0x3001 -m tunnel -ls 2 -lh 4 -E aes-gcm-16 %s;\n" % (GW_A, KEY_GCM_AB)
    opts = "-bs %d -bh %d" % (soft_bytes, hard_bytes)
    started = time.time()
    topo.start_daemon("A", tunnel_conf("A", *GCM, extra_sa=idle, esp_opts_ab=opts))
    added = time.time() - started  # the idle SA was added between 0 and this
    topo.start_daemon("B", tunnel_conf("B", *GCM))
    client = PfkeyClient(topo.daemons["A"]["pfkey"])
    client.register(SADB_SATYPE_ESP)
    events = []  # (time since start, spi, "soft"/"hard", ping count)
    sent = 0

    def collect(wait):
        deadline = time.time() + wait
        while True:
            m = client.recv(max(0.0, deadline - time.time()))
            if m is None:
                return
            if m["type"] != SADB_EXPIRE:
                continue
            spi = struct.unpack_from(">I", m["exts"][EXT_SA], 0)[0]
            kind = "hard" if EXT_LT_HARD in m["exts"] else "soft"
            events.append((time.time() - started, spi, kind, sent, m))

    results = []
    for _ in range(22):
        ok = run_ping(topo, 1)
        sent += 1
        results.append(ok)
        collect(0.35)
    collect(max(0.0, 5.5 - (time.time() - started)))
    client.close()
    by = {(e[1], e[2]): e for e in events}
    soft, hard = by.get((0x1001, "soft")), by.get((0x1001, "hard"))
    check(soft is not None and soft[3] == 10,
          "soft byte EXPIRE for 0x1001 right after echo request 10 (%s)" % (soft and soft[3]))
    cur = struct.unpack_from("<IQQQ", soft[4]["exts"][EXT_LT_CUR], 0)
    lim = struct.unpack_from("<IQQQ", soft[4]["exts"][EXT_LT_SOFT], 0)
    check(lim[1] == soft_bytes and cur[1] >= soft_bytes,
          "soft EXPIRE carries the soft limit %d and current bytes %d" % (lim[1], cur[1]))
    check(hard is not None and hard[3] == 20,
          "hard byte EXPIRE for 0x1001 right after echo request 20 (%s)" % (hard and hard[3]))
    check(all(results[:20]) and not any(results[20:]),
          "echo requests 1-20 answered, 21-22 not (traffic stops after the hard limit): %s" % results)
    sa_a = topo.stats("A")
    check(0x1001 not in sa_a["sa"], "the hard-expired SA 0x1001 is gone from A's SAD")
    isoft, ihard = by.get((0x3001, "soft")), by.get((0x3001, "hard"))
    # PF_KEY times are whole seconds: the limit is passed once strictly more
    # than it has elapsed (never early), at most a second and a tick later.
    for ev, limit, kind in ((isoft, 2, "soft"), (ihard, 4, "hard")):
        t = ev[0] if ev else -1
        check(ev is not None and limit < t <= added + limit + 1.4,
              "%s time EXPIRE of idle SA 0x3001 at %.2f s after the start (added by %.2f s; limit %d s)"
              % (kind, t, added, limit))
    check(0x3001 not in sa_a["sa"], "the idle SA 0x3001 is gone after its hard time lifetime")
    check(sa_a["daemon.expires_soft"] == 2 and sa_a["daemon.expires_hard"] == 2,
          "A counted 2 soft and 2 hard expiries")


CASES = {"gcm": case_gcm, "gcm_cosim": case_gcm_cosim, "cbc": case_cbc, "bundle": case_bundle, "natt": case_natt, "acquire": case_acquire, "enc": case_enc, "dump": case_dump, "bypass": case_bypass, "ipv6": case_ipv6,
         "lifetimes": case_lifetimes}


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "helper":
        HELPERS[sys.argv[2]](*sys.argv[3:])
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("--ipsecd", required=True)
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    ap.add_argument("--setkey", help="configure through this ipsec-setkey instead of ipsecd --config")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: needs root (network namespaces, TUN, raw sockets)")
        return SKIP
    if subprocess.run(["ip", "netns", "list"], capture_output=True).returncode != 0:
        print("SKIP: 'ip netns' is not available")
        return SKIP
    with tempfile.TemporaryDirectory(prefix="ipsecd-e2e-") as d:
        topo = Topology(os.path.abspath(args.ipsecd), d, args.setkey and os.path.abspath(args.setkey))
        if args.case == "ipv6":
            topo.gw6 = {"A": GW6_A, "B": GW6_B}
        try:
            topo.setup()
            print("case", args.case, flush=True)
            CASES[args.case](topo)
            topo.stop_daemons()
            for side in "AB":
                p = topo.daemons[side]["proc"]
                check(p.returncode == 0, "ipsecd %s stopped cleanly on SIGTERM" % side)
                check(not os.path.exists(topo.daemons[side]["pfkey"]), "ipsecd %s removed its socket" % side)
            print("PASS", flush=True)
            return 0
        except (Failure, subprocess.TimeoutExpired) as e:
            print("FAIL:", e, flush=True)
            for side, dd in topo.daemons.items():
                print("---- ipsecd %s log" % side)
                print(open(dd["log"]).read()[-4000:])
            return 1
        finally:
            topo.teardown()


if __name__ == "__main__":
    sys.exit(main())
