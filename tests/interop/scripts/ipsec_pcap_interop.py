#!/usr/bin/python3
"""Interop of ipsec-pcap with Scapy's IPsec layer and tshark's ESP decryption.

For one case (algorithm, protocol, mode, address families):
  out: Scapy writes plaintext packets; ipsec-pcap --dir out protects them; Scapy
       opens every protected packet with its own implementation and must get the
       original back; for ESP with GCM or CBC+HMAC, tshark must decrypt it too
       with a good ICV.
  in:  Scapy protects the plaintext packets; ipsec-pcap --dir in opens them and
       must write exactly the originals.
Exit status 0 when every check passed; prints "N passed, M failed".
"""
import argparse
import os
import subprocess
import sys
import tempfile

from scapy.all import IP, IPv6, UDP, TCP, ICMP, Raw, raw, rdpcap, wrpcap
from scapy.layers.ipsec import AH, ESP, SecurityAssociation
from scapy.layers.inet6 import ICMPv6EchoRequest

K16 = bytes(range(0x10, 0x20))
K24 = bytes(range(0x10, 0x28))
K32 = bytes(range(0x20, 0x40))
SALT = bytes.fromhex("cafebabe")
HK = {
    "hmac-sha1": (bytes(range(0x40, 0x54)), "HMAC-SHA1-96", "HMAC-SHA-1-96 [RFC2404]"),
    "hmac-sha2-256": (bytes(range(0x60, 0x80)), "SHA2-256-128", "HMAC-SHA-256-128 [RFC4868]"),
    "hmac-sha2-384": (bytes(range(0x80, 0xB0)), "SHA2-384-192", "HMAC-SHA-384-192 [RFC4868]"),
    "hmac-sha2-512": (bytes(range(0xA0, 0xE0)), "SHA2-512-256", "HMAC-SHA-512-256 [RFC4868]"),
}
# setkey name -> (key bytes, scapy name, tshark name or None)
ENC = {
    "aes-gcm-16/128": (K16 + SALT, "AES-GCM", "AES-GCM with 16 octet ICV [RFC4106]"),
    "aes-gcm-16/256": (K32 + SALT, "AES-GCM", "AES-GCM with 16 octet ICV [RFC4106]"),
    "aes-cbc/128": (K16, "AES-CBC", "AES-CBC [RFC3602]"),
    "aes-cbc/192": (K24, "AES-CBC", "AES-CBC [RFC3602]"),
    "aes-cbc/256": (K32, "AES-CBC", "AES-CBC [RFC3602]"),
    "aes-ctr/128": (K16 + SALT, "AES-CTR", "AES-CTR [RFC3686]"),
    "chacha20-poly1305": (K32 + SALT, "CHACHA20-POLY1305", None),
    "null": (b"", "NULL", "NULL"),
}

GW_A4, GW_B4 = "192.0.2.1", "192.0.2.2"
GW_A6, GW_B6 = "2001:db8:ffff::1", "2001:db8:ffff::2"
NET_A4, NET_B4 = "10.1.0.1", "10.2.0.1"
NET_A6, NET_B6 = "2001:db8:1::1", "2001:db8:2::1"

# name: (proto, enc, auth, mode, inner family, outer family, esn)
CASES = {
    "esp-gcm128-tunnel-4in4": ("esp", "aes-gcm-16/128", None, "tunnel", 4, 4, False),
    "esp-gcm256-tunnel-6in6": ("esp", "aes-gcm-16/256", None, "tunnel", 6, 6, False),
    "esp-gcm128-tunnel-4in6": ("esp", "aes-gcm-16/128", None, "tunnel", 4, 6, False),
    "esp-gcm128-tunnel-6in4": ("esp", "aes-gcm-16/128", None, "tunnel", 6, 4, False),
    "esp-gcm128-transport-4": ("esp", "aes-gcm-16/128", None, "transport", 4, 4, False),
    "esp-gcm256-transport-6": ("esp", "aes-gcm-16/256", None, "transport", 6, 6, False),
    "esp-gcm128-esn-tunnel-4in4": ("esp", "aes-gcm-16/128", None, "tunnel", 4, 4, True),
    "esp-cbc128-sha256-tunnel-4in4": ("esp", "aes-cbc/128", "hmac-sha2-256", "tunnel", 4, 4, False),
    "esp-cbc256-sha1-transport-6": ("esp", "aes-cbc/256", "hmac-sha1", "transport", 6, 6, False),
    "esp-cbc192-sha384-tunnel-6in6": ("esp", "aes-cbc/192", "hmac-sha2-384", "tunnel", 6, 6, False),
    "esp-cbc128-sha512-transport-4": ("esp", "aes-cbc/128", "hmac-sha2-512", "transport", 4, 4, False),
    "esp-ctr128-sha256-tunnel-4in4": ("esp", "aes-ctr/128", "hmac-sha2-256", "tunnel", 4, 4, False),
    "esp-chacha20-tunnel-4in4": ("esp", "chacha20-poly1305", None, "tunnel", 4, 4, False),
    "esp-chacha20-transport-6": ("esp", "chacha20-poly1305", None, "transport", 6, 6, False),
    "esp-null-sha1-transport-4": ("esp", "null", "hmac-sha1", "transport", 4, 4, False),
    "ah-sha1-transport-4": ("ah", None, "hmac-sha1", "transport", 4, 4, False),
    "ah-sha256-tunnel-6in6": ("ah", None, "hmac-sha2-256", "tunnel", 6, 6, False),
    "ah-sha512-transport-6": ("ah", None, "hmac-sha2-512", "transport", 6, 6, False),
    "ah-sha256-esn-transport-4": ("ah", None, "hmac-sha2-256", "transport", 4, 4, True),
}

SPI = 0x1001


def addrs(family):
    return (NET_A4, NET_B4) if family == 4 else (NET_A6, NET_B6)


def gws(family):
    return (GW_A4, GW_B4) if family == 4 else (GW_A6, GW_B6)


def plaintext(inner, mode, outer):
    """A mix of UDP, TCP and ICMP packets of several sizes, from side A to side B."""
    src, dst = addrs(inner)
    if mode == "transport":
        src, dst = gws(outer)
    L3 = IP if inner == 4 else IPv6
    pkts = []
    for i, size in enumerate([0, 1, 15, 16, 17, 100, 555, 1400]):
        body = Raw(bytes((i * 7 + j) & 0xFF for j in range(size)))
        if i % 3 == 0:
            p = L3(src=src, dst=dst) / UDP(sport=1234 + i, dport=5678) / body
        elif i % 3 == 1:
            p = L3(src=src, dst=dst) / TCP(sport=40000 + i, dport=80, flags="PA", seq=i) / body
        else:
            icmp = ICMP(id=7, seq=i) if inner == 4 else ICMPv6EchoRequest(id=7, seq=i)
            p = L3(src=src, dst=dst) / icmp / body
        pkts.append(L3(raw(p)))
    return pkts


def hexkey(b):
    return "0x" + b.hex() if b else '""'


def setkey_config(case, direction):
    proto, enc, auth, mode, inner, outer, esn = CASES[case]
    ga, gb = gws(outer)
    na, nb = addrs(inner)
    if mode == "transport":
        na, nb = ga, gb
    plen = 32 if inner == 4 else 128
    flags = "-f esn " if esn else ""
    window = "-r 8 "  # 64-packet replay window
    if proto == "esp":
        algs = ""
        if enc:
            algs += "-E %s %s" % (enc.split("/")[0], hexkey(ENC[enc][0]))
            if auth:
                algs += " -A %s %s" % (auth, hexkey(HK[auth][0]))
        lines = ["add %s %s esp 0x%x -m %s %s%s%s;" % (ga, gb, SPI, mode, flags, window, algs)]
    else:
        lines = ["add %s %s ah 0x%x -m %s %s%s-A %s %s;" % (ga, gb, SPI, mode, flags, window, auth,
                                                          hexkey(HK[auth][0]))]
    req = "%s/%s/%s/require" % (proto, mode, ("%s-%s" % (ga, gb)) if mode == "tunnel" else "")
    pdir = "out" if direction == "out" else "in"
    lines.append("spdadd %s/%d %s/%d any -P %s ipsec %s;" % (na, plen, nb, plen, pdir, req))
    return "\n".join(lines) + "\n"


def scapy_sa(case):
    proto, enc, auth, mode, inner, outer, esn = CASES[case]
    ga, gb = gws(outer)
    kw = {"spi": SPI}
    if mode == "tunnel":
        kw["tunnel_header"] = IP(src=ga, dst=gb) if outer == 4 else IPv6(src=ga, dst=gb)
    if esn:
        kw["esn_en"] = True
        kw["esn"] = 0
    if proto == "esp":
        key, name, _ = ENC[enc]
        kw.update(crypt_algo=name, crypt_key=key)
        if auth:
            kw.update(auth_algo=HK[auth][1], auth_key=HK[auth][0])
        return SecurityAssociation(ESP, **kw)
    kw.update(auth_algo=HK[auth][1], auth_key=HK[auth][0])
    return SecurityAssociation(AH, **kw)


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


def run_tool(tool, conf, direction, pin, pout, workdir):
    stats = os.path.join(workdir, "stats-%s.json" % direction)
    cmd = [tool, "--config", conf, "--dir", direction, "--in", pin, "--out", pout, "--stats", stats]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        print("ipsec-pcap failed:", " ".join(cmd), r.stdout, r.stderr, sep="\n")
    return r.returncode == 0


def as_l3(pkt, family):
    return IP(raw(pkt)) if family == 4 else IPv6(raw(pkt))


def tshark_check(case, pcap, c):
    proto, enc, auth, mode, inner, outer, esn = CASES[case]
    if proto != "esp" or ENC[enc][2] is None or esn:
        return
    ga, gb = gws(outer)
    akey = HK[auth][0] if auth else b""
    aname = HK[auth][2] if auth else "NULL"
    sa = '"%s","%s","%s","0x%08x","%s","%s","%s","%s"' % (
        "IPv4" if outer == 4 else "IPv6", ga, gb, SPI, ENC[enc][2],
        "0x" + ENC[enc][0].hex() if ENC[enc][0] else "", aname, "0x" + akey.hex() if akey else "")
    r = subprocess.run(["tshark", "-r", pcap, "-o", "esp.enable_encryption_decode:TRUE",
                        "-o", "esp.enable_authentication_check:TRUE", "-o", "uat:esp_sa:" + sa,
                        "-T", "fields", "-e", "esp.spi", "-e", "esp.icv_good"],
                       capture_output=True, text=True)
    rows = [l.split("\t") for l in r.stdout.strip().splitlines() if l.strip()]
    c.check(r.returncode == 0 and rows, "tshark ran on %s (%s)" % (pcap, r.stderr.strip()[:200]))
    needs_icv = bool(auth) or enc.startswith("aes-gcm")
    for i, row in enumerate(rows):
        good = len(row) > 1 and row[1] in ("1", "True", "true")
        c.check(good or not needs_icv, "tshark: packet %d ICV good (%r)" % (i + 1, row))


def run_case(tool, case, workdir):
    proto, enc, auth, mode, inner, outer, esn = CASES[case]
    c = Checker()
    plain = plaintext(inner, mode, outer)
    plain_pcap = os.path.join(workdir, "plain.pcap")
    wrpcap(plain_pcap, plain, linktype=101)

    # out: ipsec-pcap protects, Scapy and tshark open.
    conf_out = os.path.join(workdir, "out.conf")
    with open(conf_out, "w") as f:
        f.write(setkey_config(case, "out"))
    prot_pcap = os.path.join(workdir, "protected.pcap")
    if run_tool(tool, conf_out, "out", plain_pcap, prot_pcap, workdir):
        got = rdpcap(prot_pcap)
        c.check(len(got) == len(plain), "out: %d packets written, %d expected" % (len(got), len(plain)))
        sa = scapy_sa(case)
        for i, (p, orig) in enumerate(zip(got, plain)):
            outer_pkt = as_l3(p, outer)
            want = ESP if proto == "esp" else AH
            c.check(outer_pkt.haslayer(want), "out: packet %d carries %s" % (i, want.__name__))
            try:
                opened = sa.decrypt(outer_pkt)
                c.check(raw(opened) == raw(orig), "out: packet %d opened by Scapy equals the original" % i)
            except Exception as e:  # noqa: BLE001 - any failure of the oracle is a test failure
                c.check(False, "out: Scapy could not open packet %d: %s" % (i, e))
        tshark_check(case, prot_pcap, c)
    else:
        c.check(False, "out: ipsec-pcap ran")

    # in: Scapy protects, ipsec-pcap opens.
    sa = scapy_sa(case)
    prot = [sa.encrypt(p) for p in plain]
    sprot_pcap = os.path.join(workdir, "scapy-protected.pcap")
    wrpcap(sprot_pcap, prot, linktype=101)
    conf_in = os.path.join(workdir, "in.conf")
    with open(conf_in, "w") as f:
        f.write(setkey_config(case, "in"))
    opened_pcap = os.path.join(workdir, "opened.pcap")
    if run_tool(tool, conf_in, "in", sprot_pcap, opened_pcap, workdir):
        got = rdpcap(opened_pcap)
        c.check(len(got) == len(plain), "in: %d packets written, %d expected" % (len(got), len(plain)))
        for i, (p, orig) in enumerate(zip(got, plain)):
            c.check(raw(as_l3(p, inner)) == raw(orig), "in: packet %d equals the original" % i)
    else:
        c.check(False, "in: ipsec-pcap ran")
    return c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--case", action="append", help="case name (default: all)")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    if a.list:
        print("\n".join(CASES))
        return 0
    total = Checker()
    for case in a.case or list(CASES):
        with tempfile.TemporaryDirectory() as d:
            c = run_case(a.tool, case, d)
        print("%s: %d passed, %d failed" % (case, c.passed, c.failed))
        total.passed += c.passed
        total.failed += c.failed
    print("%d passed, %d failed" % (total.passed, total.failed))
    return 1 if total.failed else 0


if __name__ == "__main__":
    sys.exit(main())
