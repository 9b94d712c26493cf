#!/usr/bin/python3
"""ipsec-pcap --backend cosim (the card's RTL in co-simulation, exceptions
answered by the software data plane) against --backend software.

For one case:
  out: a capture of several flows goes through both backends; the outputs must
       be byte-identical (GCM IVs are the sequence numbers), except the outer
       IPv4 identification and header checksum of IPv4 tunnels, which the
       software draws at random per SA; Scapy opens every packet the co-simulated
       card wrote and must get the original back; the card's counters, read
       through its registers, must show one flow miss per flow and the rest of
       the packets protected by the card.
  in:  Scapy protects the packets (with a few replays); both backends must
       write the same packets, equal to the originals; the card's replay
       counter must equal the number of replays Scapy sent.
  exceptions: SAs and packets the card hands to the host (AES-CBC + HMAC,
       unknown SPI, fragments) must still give the software backend's output.
Exit status 0 when every check passed; prints "N passed, M failed".
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

from scapy.all import Ether, IP, IPv6, UDP, TCP, ICMP, Raw, raw, rdpcap, wrpcap, fragment
from scapy.layers.ipsec import ESP, SecurityAssociation
from scapy.layers.inet6 import ICMPv6EchoRequest

K16 = bytes(range(0x10, 0x20))
K32 = bytes(range(0x20, 0x40))
SALT = bytes.fromhex("cafebabe")
KEYS = {128: K16 + SALT, 256: K32 + SALT}
CBC_KEY = bytes(range(0x50, 0x60))
HMAC_KEY = bytes(range(0x60, 0x80))

GW_A4, GW_B4 = "192.0.2.1", "192.0.2.2"
GW_A6, GW_B6 = "2001:db8:ffff::1", "2001:db8:ffff::2"
NET_A4, NET_B4 = "10.1.0.1", "10.2.0.1"
NET_A6, NET_B6 = "2001:db8:1::1", "2001:db8:2::1"
SPI = 0x1001
FLOWS = 6
# The card's flow key has ports for TCP, UDP and SCTP only: the ICMP flows of
# plaintext() (flows 2 and 5) share one entry.
CARD_FLOWS = 5

# name: (key bits, icv, mode, inner family, outer family, esn, link)
CASES = {
    "gcm128-tunnel-4in4": (128, 16, "tunnel", 4, 4, False, "ether"),
    "gcm256-tunnel-6in6": (256, 16, "tunnel", 6, 6, False, "ether"),
    "gcm128-tunnel-4in6": (128, 16, "tunnel", 4, 6, False, "ether"),
    "gcm256-tunnel-6in4": (256, 16, "tunnel", 6, 4, False, "ether"),
    "gcm128-transport-4": (128, 16, "transport", 4, 4, False, "ether"),
    "gcm256-transport-6": (256, 16, "transport", 6, 6, False, "raw"),
    "gcm128-esn-tunnel-4in4": (128, 16, "tunnel", 4, 4, True, "ether"),
    "gcm256-esn-transport-6": (256, 16, "transport", 6, 6, True, "ether"),
    "gcm128-icv12-tunnel-4in4": (128, 12, "tunnel", 4, 4, False, "ether"),
}
SMOKE = ["gcm128-tunnel-4in4", "gcm256-tunnel-6in6"]


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL:", what)


def gws(family):
    return (GW_A4, GW_B4) if family == 4 else (GW_A6, GW_B6)


def nets(family):
    return (NET_A4, NET_B4) if family == 4 else (NET_A6, NET_B6)


def l3(family):
    return IP if family == 4 else IPv6


def plaintext(inner, mode, outer, packets):
    """UDP, TCP and ICMP flows from side A to side B, interleaved, sizes 0..1400."""
    src, dst = gws(outer) if mode == "transport" else nets(inner)
    L3 = l3(inner)
    sizes = [0, 1, 15, 16, 17, 64, 100, 555, 1000, 1400]
    out = []
    for i in range(packets):
        flow = i % FLOWS
        body = Raw(bytes((i * 7 + j) & 0xFF for j in range(sizes[i % len(sizes)])))
        if flow % 3 == 0:
            p = L3(src=src, dst=dst) / UDP(sport=1000 + flow, dport=5678) / body
        elif flow % 3 == 1:
            p = L3(src=src, dst=dst) / TCP(sport=40000 + flow, dport=80, flags="PA", seq=i) / body
        else:
            icmp = ICMP(id=flow, seq=i) if inner == 4 else ICMPv6EchoRequest(id=flow, seq=i)
            p = L3(src=src, dst=dst) / icmp / body
        out.append(L3(raw(p)))
    return out


def sa_line(src, dst, spi, mode, bits, icv, esn):
    flags = "-f esn " if esn else ""
    return "add %s %s esp 0x%x -m %s %s-r 8 -E aes-gcm-%d 0x%s;" % (
        src, dst, spi, mode, flags, icv, KEYS[bits].hex())


def config(case, direction):
    bits, icv, mode, inner, outer, esn, _ = CASES[case]
    ga, gb = gws(outer)
    # the inbound gateway is the peer of the outbound one: same SA, mirrored policy
    na, nb = (ga, gb) if mode == "transport" else nets(inner)
    plen = 32 if inner == 4 else 128
    req = "esp/%s/%s/require" % (mode, ("%s-%s" % (ga, gb)) if mode == "tunnel" else "")
    return "\n".join([
        sa_line(ga, gb, SPI, mode, bits, icv, esn),
        "spdadd %s/%d %s/%d any -P %s ipsec %s;" % (na, plen, nb, plen, direction, req),
    ]) + "\n"


def scapy_sa(case):
    bits, icv, mode, inner, outer, esn, _ = CASES[case]
    ga, gb = gws(outer)
    kw = {"spi": SPI, "crypt_algo": "AES-GCM", "crypt_key": KEYS[bits]}
    if mode == "tunnel":
        kw["tunnel_header"] = l3(outer)(src=ga, dst=gb)
    if esn:
        kw.update(esn_en=True, esn=0)
    return SecurityAssociation(ESP, **kw)


def write_capture(path, pkts, link):
    if link == "ether":
        frames = [Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02",
                        type=0x0800 if p.version == 4 else 0x86DD) / p for p in pkts]
        wrpcap(path, frames, linktype=1)
    else:
        wrpcap(path, pkts, linktype=101)


def datagram(frame_bytes, link):
    return frame_bytes[14:] if link == "ether" else frame_bytes


def run_tool(tool, backend, conf, direction, pin, pout, c):
    stats = pout + ".json"
    cmd = [tool, "--backend", backend, "--config", conf, "--dir", direction, "--in", pin,
           "--out", pout, "--stats", stats]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    c.check(r.returncode == 0, "%s ran: %s\n%s" % (" ".join(cmd), r.stdout, r.stderr))
    if r.returncode != 0:
        return None
    with open(stats) as f:
        return json.load(f)


def masked(dgram, mask_ipv4_id):
    """The datagram with the outer IPv4 identification and checksum zeroed."""
    b = bytearray(dgram)
    if mask_ipv4_id and b and b[0] >> 4 == 4:
        b[4:6] = b"\0\0"
        b[10:12] = b"\0\0"
    return bytes(b)


def ipv4_checksum_ok(dgram):
    if not dgram or dgram[0] >> 4 != 4:
        return True
    hl = (dgram[0] & 15) * 4
    s = sum((dgram[i] << 8) | dgram[i + 1] for i in range(0, hl, 2))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s == 0xFFFF


def compare(sw, co, link, mask_ipv4_id, what, c):
    c.check(len(sw) == len(co), "%s: %d packets from software, %d from cosim" % (what, len(sw), len(co)))
    for i, (a, b) in enumerate(zip(sw, co)):
        da, db = datagram(raw(a), link), datagram(raw(b), link)
        c.check(masked(da, mask_ipv4_id) == masked(db, mask_ipv4_id),
                "%s: packet %d differs\n sw    %s\n cosim %s" % (what, i, da.hex(), db.hex()))
        c.check(ipv4_checksum_ok(db), "%s: packet %d outer IPv4 checksum" % (what, i))
        c.check(a.time == b.time, "%s: packet %d timestamp" % (what, i))


def counters(stats):
    return stats.get("card", {}).get("counters", {})


def run_gcm_case(tool, case, packets, workdir, c):
    bits, icv, mode, inner, outer, esn, link = CASES[case]
    plain = plaintext(inner, mode, outer, packets)
    plain_pcap = os.path.join(workdir, "plain.pcap")
    write_capture(plain_pcap, plain, link)

    conf = os.path.join(workdir, "out.conf")
    with open(conf, "w") as f:
        f.write(config(case, "out"))
    outs = {}
    stats = {}
    for backend in ("software", "cosim"):
        outs[backend] = os.path.join(workdir, "out-%s.pcap" % backend)
        stats[backend] = run_tool(tool, backend, conf, "out", plain_pcap, outs[backend], c)
    if stats["software"] and stats["cosim"]:
        sw, co = rdpcap(outs["software"]), rdpcap(outs["cosim"])
        compare(sw, co, link, mode == "tunnel" and outer == 4, case + " out", c)
        if icv == 16:  # Scapy's GCM always uses a 16-byte ICV
            sa = scapy_sa(case)
            for i, (p, orig) in enumerate(zip(co, plain)):
                try:
                    opened = sa.decrypt(l3(outer)(datagram(raw(p), link)))
                    c.check(raw(opened) == raw(orig), "%s out: packet %d opened by Scapy" % (case, i))
                except Exception as e:  # noqa: BLE001 - the oracle failing is a test failure
                    c.check(False, "%s out: Scapy could not open packet %d: %s" % (case, i, e))
        card = stats["cosim"].get("card", {})
        cnt = counters(stats["cosim"])
        c.check(cnt.get("flow_miss", 0) == CARD_FLOWS,
                "%s out: card flow_miss counter %s, %d flows" % (case, cnt.get("flow_miss"), CARD_FLOWS))
        c.check(card.get("forwarded") == packets - CARD_FLOWS,
                "%s out: card protected %s packets, %d expected" % (case, card.get("forwarded"),
                                                                    packets - CARD_FLOWS))
        sac = [s for s in card.get("sa_counters", []) if s["dir"] == "out" and s["spi"] == "0x%08x" % SPI]
        c.check(len(sac) == 1 and sac[0]["packets"] == packets - CARD_FLOWS,
                "%s out: SA counter through the registers %s" % (case, sac))

    # in: Scapy protects (the software backend's output for ICVs other than 16
    # bytes, which Scapy does not make); every fifth packet is sent again (a replay).
    sa = scapy_sa(case)
    sw_out = [l3(outer)(datagram(raw(p), link)) for p in rdpcap(outs["software"])] if icv != 16 else []
    prot, expect, replays = [], [], 0
    for i, p in enumerate(plain):
        e = sa.encrypt(p) if icv == 16 else sw_out[i]
        prot.append(e)
        expect.append(p)
        if i % 5 == 4:
            prot.append(e)
            replays += 1
    prot_pcap = os.path.join(workdir, "prot.pcap")
    write_capture(prot_pcap, prot, link)
    conf = os.path.join(workdir, "in.conf")
    with open(conf, "w") as f:
        f.write(config(case, "in"))
    for backend in ("software", "cosim"):
        outs[backend] = os.path.join(workdir, "in-%s.pcap" % backend)
        stats[backend] = run_tool(tool, backend, conf, "in", prot_pcap, outs[backend], c)
    if stats["software"] and stats["cosim"]:
        sw, co = rdpcap(outs["software"]), rdpcap(outs["cosim"])
        compare(sw, co, link, False, case + " in", c)
        c.check(len(co) == len(expect), "%s in: %d packets, %d expected" % (case, len(co), len(expect)))
        for i, (p, orig) in enumerate(zip(co, expect)):
            c.check(datagram(raw(p), link) == raw(orig), "%s in: packet %d equals the original" % (case, i))
        cnt = counters(stats["cosim"])
        c.check(cnt.get("replay", 0) == replays,
                "%s in: card replay counter %s, %d replays sent" % (case, cnt.get("replay"), replays))
        sac = [s for s in stats["cosim"]["card"].get("sa_counters", []) if s["dir"] == "in"]
        c.check(len(sac) == 1 and sac[0]["packets"] == len(expect),
                "%s in: SA counter through the registers %s" % (case, sac))


def run_exceptions(tool, workdir, c):
    """AES-CBC + HMAC (not on the card), unknown SPI and fragments: the host answers."""
    ga, gb = gws(4)
    gc = "192.0.2.3"
    conf_lines = [
        sa_line(ga, gb, SPI, "tunnel", 128, 16, False),
        "add %s %s esp 0x2001 -m tunnel -r 8 -E aes-cbc 0x%s -A hmac-sha2-256 0x%s;" % (
            ga, gc, CBC_KEY.hex(), HMAC_KEY.hex()),
        "spdadd 10.1.0.0/16 10.2.0.0/16 any -P out ipsec esp/tunnel/%s-%s/require;" % (ga, gb),
        "spdadd 10.1.0.0/16 10.3.0.0/16 any -P out ipsec esp/tunnel/%s-%s/require;" % (ga, gc),
    ]
    conf = os.path.join(workdir, "exc-out.conf")
    with open(conf, "w") as f:
        f.write("\n".join(conf_lines) + "\n")
    pkts = []
    for i in range(40):
        dst = "10.2.0.1" if i % 2 == 0 else "10.3.0.1"
        pkts.append(IP(raw(IP(src="10.1.0.1", dst=dst) / UDP(sport=1000 + i % 4, dport=53) /
                           Raw(bytes(range(i % 200))))))
    big = IP(src="10.1.0.1", dst="10.2.0.9") / UDP(sport=7, dport=7) / Raw(bytes(1200))
    frags = [IP(raw(f)) for f in fragment(big, fragsize=400)]
    pkts += frags
    pin = os.path.join(workdir, "exc-plain.pcap")
    write_capture(pin, pkts, "ether")
    outs, stats = {}, {}
    for backend in ("software", "cosim"):
        outs[backend] = os.path.join(workdir, "exc-out-%s.pcap" % backend)
        stats[backend] = run_tool(tool, backend, conf, "out", pin, outs[backend], c)
    if stats["software"] and stats["cosim"]:
        sw, co = rdpcap(outs["software"]), rdpcap(outs["cosim"])
        c.check(len(sw) == len(co), "exceptions out: %d vs %d packets" % (len(sw), len(co)))
        cbc = SecurityAssociation(ESP, spi=0x2001, crypt_algo="AES-CBC", crypt_key=CBC_KEY,
                                  auth_algo="SHA2-256-128", auth_key=HMAC_KEY,
                                  tunnel_header=IP(src=ga, dst=gc))
        for i, (a, b) in enumerate(zip(sw, co)):
            da, db = datagram(raw(a), "ether"), datagram(raw(b), "ether")
            if IP(db).dst == gc:
                # AES-CBC IVs are random: compare what Scapy opens
                try:
                    c.check(raw(cbc.decrypt(IP(da))) == raw(cbc.decrypt(IP(db))),
                            "exceptions out: CBC packet %d opens to the same datagram" % i)
                except Exception as e:  # noqa: BLE001
                    c.check(False, "exceptions out: Scapy could not open CBC packet %d: %s" % (i, e))
            else:
                c.check(masked(da, True) == masked(db, True), "exceptions out: packet %d differs" % i)
        th = stats["cosim"]["card"].get("to_host", {})
        c.check(th.get("fragment", 0) == len(frags),
                "exceptions out: %d fragments to the host (%s)" % (len(frags), th))

    # in: GCM for the card, CBC+HMAC and an unknown SPI for the host, ESP in fragments.
    conf_lines = [
        sa_line(gb, ga, SPI, "tunnel", 128, 16, False),
        "add %s %s esp 0x2001 -m tunnel -r 8 -E aes-cbc 0x%s -A hmac-sha2-256 0x%s;" % (
            gc, ga, CBC_KEY.hex(), HMAC_KEY.hex()),
        "spdadd 10.2.0.0/16 10.1.0.0/16 any -P in ipsec esp/tunnel/%s-%s/require;" % (gb, ga),
        "spdadd 10.3.0.0/16 10.1.0.0/16 any -P in ipsec esp/tunnel/%s-%s/require;" % (gc, ga),
    ]
    conf = os.path.join(workdir, "exc-in.conf")
    with open(conf, "w") as f:
        f.write("\n".join(conf_lines) + "\n")
    gcm = SecurityAssociation(ESP, spi=SPI, crypt_algo="AES-GCM", crypt_key=KEYS[128],
                              tunnel_header=IP(src=gb, dst=ga))
    cbc = SecurityAssociation(ESP, spi=0x2001, crypt_algo="AES-CBC", crypt_key=CBC_KEY,
                              auth_algo="SHA2-256-128", auth_key=HMAC_KEY, tunnel_header=IP(src=gc, dst=ga))
    stray = SecurityAssociation(ESP, spi=0x7777, crypt_algo="AES-GCM", crypt_key=KEYS[128],
                                tunnel_header=IP(src=gb, dst=ga))
    prot = []
    for i in range(30):
        inner = IP(raw(IP(src="10.2.0.1" if i % 3 != 1 else "10.3.0.1", dst="10.1.0.1") /
                       UDP(sport=53, dport=1000 + i % 4) / Raw(bytes(range(i % 100)))))
        if i % 3 == 0:
            prot.append(gcm.encrypt(inner))
        elif i % 3 == 1:
            prot.append(cbc.encrypt(inner))
        else:
            prot.append(stray.encrypt(IP(raw(IP(src="10.2.0.1", dst="10.1.0.1") / UDP() / Raw(b"x" * i)))))
    # without IPsec: one the inbound policy requires to be protected, one no policy covers
    prot.append(IP(raw(IP(src="10.2.0.7", dst="10.1.0.1") / UDP(sport=5, dport=5) / Raw(b"clear"))))
    prot.append(IP(raw(IP(src="10.9.0.7", dst="10.1.0.1") / UDP(sport=5, dport=5) / Raw(b"clear"))))
    big = gcm.encrypt(IP(raw(IP(src="10.2.0.1", dst="10.1.0.1") / UDP(sport=9, dport=9) / Raw(bytes(1200)))))
    prot += [IP(raw(f)) for f in fragment(big, fragsize=400)]
    pin = os.path.join(workdir, "exc-prot.pcap")
    write_capture(pin, prot, "ether")
    for backend in ("software", "cosim"):
        outs[backend] = os.path.join(workdir, "exc-in-%s.pcap" % backend)
        stats[backend] = run_tool(tool, backend, conf, "in", pin, outs[backend], c)
    if stats["software"] and stats["cosim"]:
        compare(rdpcap(outs["software"]), rdpcap(outs["cosim"]), "ether", False, "exceptions in", c)
        c.check(stats["software"]["dropped"] == stats["cosim"]["dropped"],
                "exceptions in: drops %s vs %s" % (stats["software"]["dropped"], stats["cosim"]["dropped"]))
        c.check(stats["cosim"]["dropped"].get("inbound_policy", 0) == 1,
                "exceptions in: the cleartext packet the policy requires protected is dropped (%s)"
                % stats["cosim"]["dropped"])
        th = stats["cosim"]["card"].get("to_host", {})
        c.check(th.get("unknown_spi", 0) == 20, "exceptions in: 20 unknown-SPI packets to the host (%s)" % th)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--case", action="append", help="case name, 'exceptions', 'all' or 'smoke'")
    ap.add_argument("--packets", type=int, default=36)
    args = ap.parse_args()
    names = []
    for n in args.case or ["all"]:
        names += list(CASES) + ["exceptions"] if n == "all" else SMOKE if n == "smoke" else [n]
    c = Checker()
    for name in names:
        with tempfile.TemporaryDirectory() as d:
            if name == "exceptions":
                run_exceptions(args.tool, d, c)
            elif name in CASES:
                run_gcm_case(args.tool, name, args.packets, d, c)
            else:
                c.check(False, "unknown case %s" % name)
    print("%d passed, %d failed" % (c.passed, c.failed))
    return 0 if c.failed == 0 and c.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
