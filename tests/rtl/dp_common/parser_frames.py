#!/usr/bin/python3
"""Frames for the aipsec_parser bench, built with Scapy, with Scapy's view of
their fields as the expected parse.

Usage: parser_frames.py REASONS_YAML OUT_JSON [COUNT_SCALE] [SEED]

Each case: name, frame (hex), frame_len (0 marks a frame the ingress cut), and
either expect (every parse_t field when the reason is 0; reason, l3_off and
ipv6 otherwise) or only "garbage": true (random bytes: any parser reason).
The rules the parser applies to Scapy's fields (docs/hw/datapath.md, common
blocks) are written out here on their own; the field values come from Scapy's
dissection, the IPv4 header checksum from scapy.utils.checksum.
"""
import ipaddress
import json
import random
import re
import logging
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (  # noqa: E402
    IP, TCP, UDP, ARP, Dot1AD, Dot1Q, Ether, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
    IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, IPOption_NOP, IPOption_RR, IPOption_Router_Alert,
    PadN, Raw, conf)
from scapy.layers.inet import IPOption_EOL
from scapy.layers.ipsec import ESP
from scapy.layers.sctp import SCTP
from scapy.utils import checksum

conf.verb = 0
HDR_BYTES = 128
EXT_WALKED = (0, 43, 60)


def reason_codes(path):
    codes = {}
    for m in re.finditer(r"code:\s*(\d+),\s*name:\s*([a-z_0-9]+)", open(path).read()):
        codes[m.group(2)] = int(m.group(1))
    return codes


class Oracle:
    def __init__(self, codes):
        self.codes = codes

    def fail(self, e, name):
        e["reason"] = self.codes[name]
        return e

    def expect(self, frame, frame_len):
        e = {"reason": 0, "ipv6": 0, "l3_off": 14, "check_l2": 0}
        if frame_len == 0 or frame_len < 14:
            return self.fail(e, "truncated")  # l3_off and ipv6 not compared
        e["check_l2"] = 1
        # Ethertype and VLAN tags from the bytes (Scapy reads a type <= 1500 as 802.3).
        padded = frame[:HDR_BYTES].ljust(HDR_BYTES, b"\0")
        tags = 0
        while tags < 3 and padded[12 + 4 * tags:14 + 4 * tags] in (b"\x81\x00", b"\x88\xa8"):
            tags += 1
        ethertype = int.from_bytes(padded[12 + 4 * min(tags, 2):14 + 4 * min(tags, 2)], "big")
        e["l3_off"] = 14 + 4 * min(tags, 2)
        e["ipv6"] = int(ethertype == 0x86DD)
        if frame_len < e["l3_off"]:
            return self.fail(e, "truncated")
        if tags > 2 or ethertype not in (0x0800, 0x86DD):
            return self.fail(e, "not_ethernet_ip")
        raw = frame[e["l3_off"]:frame_len]
        if e["ipv6"]:
            return self.ipv6(e, raw)
        return self.ipv4(e, raw)

    def ipv4(self, e, raw):
        if len(raw) < 20:
            return self.fail(e, "truncated")
        ip = IP(raw)
        hlen = ip.ihl * 4
        if ip.version != 4 or ip.ihl < 5:
            return self.fail(e, "malformed_ip")
        if hlen > len(raw):
            return self.fail(e, "truncated")
        if ip.len < hlen:
            return self.fail(e, "malformed_ip")
        if ip.len > len(raw):
            return self.fail(e, "truncated")
        if checksum(raw[:hlen]) != 0:
            return self.fail(e, "bad_ip_checksum")
        e.update(tos=ip.tos, df=int(ip.flags.DF), ttl=ip.ttl, l4_proto=ip.proto, l3_len=ip.len,
                 l3_hdr_len=hlen, nh_off=e["l3_off"] + 9, flow_label=0,
                 src=int.from_bytes(ipaddress.ip_address(ip.src).packed, "big"),
                 dst=int.from_bytes(ipaddress.ip_address(ip.dst).packed, "big"))
        if ip.flags.MF or ip.frag != 0:
            return self.fail(e, "fragment")
        return self.upper(e, raw[hlen:ip.len], e["l3_off"] + hlen)

    def ipv6(self, e, raw):
        if len(raw) < 40:
            return self.fail(e, "truncated")
        ip = IPv6(raw)
        if ip.version != 6:
            return self.fail(e, "malformed_ip")
        total = 40 + ip.plen
        if total > len(raw):
            return self.fail(e, "truncated")
        e.update(tos=ip.tc, df=0, ttl=ip.hlim, flow_label=ip.fl, l3_len=total & 0xFFFF,
                 src=int.from_bytes(ipaddress.ip_address(ip.src).packed, "big"),
                 dst=int.from_bytes(ipaddress.ip_address(ip.dst).packed, "big"),
                 nh_off=e["l3_off"] + 6)
        dgram = raw[:total]
        nh, off, layer = ip.nh, 40, ip.payload
        for step in range(3):
            if nh == 44:
                return self.fail(e, "fragment")
            if nh not in EXT_WALKED:
                break
            if step == 2 or (nh == 0 and step > 0):
                return self.fail(e, "ext_hdr_limit")
            if len(dgram) - off < 8:
                return self.fail(e, "truncated")
            if step == 1 and e["l3_off"] + off + 2 > HDR_BYTES:
                return self.fail(e, "ext_hdr_limit")
            # Scapy's dissection of this extension header: its length and next header.
            elen = (layer.len + 1) * 8
            if elen > len(dgram) - off:
                return self.fail(e, "truncated")
            e["nh_off"] = e["l3_off"] + off
            nh, off, layer = layer.nh, off + elen, layer.payload
        e.update(l4_proto=nh, l3_hdr_len=off)
        if e["l3_off"] + off + 16 > HDR_BYTES:
            return self.fail(e, "ext_hdr_limit")
        return self.upper(e, dgram[off:], e["l3_off"] + off)

    def upper(self, e, l4, l4_off):
        """Ports, ESP and NAT-T from Scapy's dissection of the upper layer."""
        e.update(sport=0, dport=0, esp=0, natt=0, natt_keepalive=0, ike_marker=0, esp_off=0,
                 spi=0, seq=0)
        proto = e["l4_proto"]
        if proto in (6, 17, 132) and len(l4) >= 4:
            hdr = {6: TCP, 17: UDP, 132: SCTP}[proto](l4)
            e.update(sport=hdr.sport, dport=hdr.dport)
        if proto == 50 and len(l4) >= 8:
            esp = ESP(l4)
            e.update(esp=1, esp_off=l4_off, spi=esp.spi, seq=esp.seq)
        if proto == 17 and len(l4) >= 8 and e["dport"] == 4500:
            udp = UDP(l4)
            if 8 <= udp.len <= len(l4):
                payload = l4[8:udp.len]
                if payload == b"\xff":
                    e["natt_keepalive"] = 1
                elif len(payload) >= 4 and payload[:4] == b"\0\0\0\0":
                    e["ike_marker"] = 1
                elif len(payload) >= 8:
                    esp = ESP(payload)
                    e.update(esp=1, natt=1, esp_off=l4_off + 8, spi=esp.spi, seq=esp.seq)
        return e


def l2(rng, tags=None):
    tags = rng.choice([0, 0, 1, 2]) if tags is None else tags
    eth = Ether(src="02:00:00:00:00:%02x" % rng.randrange(256), dst="02:00:00:00:01:%02x" % rng.randrange(256))
    if tags == 0:
        return eth
    if tags == 1:
        return eth / rng.choice([Dot1Q, Dot1AD])(vlan=rng.randrange(4096))
    return eth / Dot1AD(vlan=rng.randrange(4096)) / Dot1Q(vlan=rng.randrange(4096))


def payload(rng, lo=0, hi=200):
    return Raw(bytes(rng.randrange(256) for _ in range(rng.randint(lo, hi))))


def rand_v4(rng):
    return ".".join(str(rng.randrange(256)) for _ in range(4))


def rand_v6(rng):
    return ":".join("%x" % rng.randrange(65536) for _ in range(8))


def ip4(rng, **kw):
    opts = rng.choice([[], [], [IPOption_NOP()] * 4, [IPOption_Router_Alert()],
                       [IPOption_RR(routers=[rand_v4(rng)] * rng.randint(1, 9))],
                       [IPOption_NOP(), IPOption_EOL()] * 2])
    base = dict(src=rand_v4(rng), dst=rand_v4(rng), tos=rng.randrange(256), ttl=rng.randrange(256),
                id=rng.randrange(65536), flags=rng.choice([0, 2]), options=opts)
    base.update(kw)
    return IP(**base)


def ip6(rng, **kw):
    base = dict(src=rand_v6(rng), dst=rand_v6(rng), tc=rng.randrange(256), fl=rng.randrange(1 << 20),
                hlim=rng.randrange(256))
    base.update(kw)
    return IPv6(**base)


def ext(rng, kind, big=False):
    if kind == 0:
        return IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\0" * (rng.choice([4, 12, 20]) if not big else 200))])
    if kind == 43:
        return IPv6ExtHdrRouting(type=rng.choice([0, 2]), addresses=[rand_v6(rng)] * (1 if not big else 8))
    if kind == 60:
        return IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * (rng.choice([4, 12]) if not big else 100))])
    return IPv6ExtHdrFragment(id=rng.randrange(1 << 32), offset=rng.choice([0, 0, 5]), m=rng.randrange(2))


def upper(rng):
    kind = rng.randrange(8)
    if kind == 0:
        return TCP(sport=rng.randrange(65536), dport=rng.randrange(65536)) / payload(rng)
    if kind == 1:
        return UDP(sport=rng.randrange(65536), dport=rng.choice([53, 500, rng.randrange(65536)])) / payload(rng)
    if kind == 2:
        return SCTP(sport=rng.randrange(65536), dport=rng.randrange(65536)) / payload(rng)
    if kind == 3:
        return ESP(spi=rng.randrange(1, 1 << 32), seq=rng.randrange(1 << 32)) / payload(rng, 8, 200)
    if kind == 4:  # NAT-T ESP
        return UDP(sport=rng.choice([4500, 1024 + rng.randrange(60000)]), dport=4500) / \
            ESP(spi=rng.randrange(1, 1 << 32), seq=rng.randrange(1 << 32)) / payload(rng, 8, 100)
    if kind == 5:  # NAT-T keepalive, IKE marker or a short payload that is neither
        body = rng.choice([b"\xff", b"\0\0\0\0" + bytes(rng.randrange(256) for _ in range(28)),
                           b"\x01\x02\x03", b"\xff\xff", bytes([1, 2, 3, 4, 5]), b"\0\0\0\0"])
        return UDP(sport=4500, dport=4500) / Raw(body)
    if kind == 6:
        return Raw(bytes([58, 0]) + bytes(rng.randrange(256) for _ in range(rng.randint(0, 60))))
    return TCP(sport=rng.randrange(65536), dport=rng.randrange(65536), flags="S")


def good_frames(rng, n):
    """Well-formed IPv4 and IPv6 frames of every upper layer, with VLAN tags,
    IPv4 options, IPv6 extension headers and Ethernet padding."""
    out = []
    for i in range(n):
        tags = i % 3
        if i % 2 == 0:
            pkt = l2(rng, tags) / ip4(rng) / upper(rng)
            name = "v4"
        else:
            chain = rng.choice([[], [], [0], [43], [60], [0, 43], [0, 60], [43, 60], [60, 43]])
            pkt = l2(rng, tags) / ip6(rng)
            for kind in chain:
                pkt = pkt / ext(rng, kind)
            pkt = pkt / upper(rng)
            name = "v6+" + ",".join(map(str, chain))
        raw = bytes(pkt)
        if rng.randrange(4) == 0:
            raw += bytes(rng.randrange(256) for _ in range(rng.randint(1, 30)))  # padding
        out.append((name, raw))
    return out


def problem_frames(rng):
    """One or more frames per reason the parser reports."""
    out = []
    for tags in (0, 1, 2):
        # IPv4 with a wrong header checksum.
        p = l2(rng, tags) / ip4(rng) / UDP() / payload(rng)
        raw = bytearray(bytes(p))
        raw[14 + 4 * tags + 10] ^= 0x5A
        out.append(("bad_checksum", bytes(raw)))
        # IPv4 fragments: MF set, and a non-zero offset.
        out.append(("v4_mf", bytes(l2(rng, tags) / ip4(rng, flags=1) / UDP() / payload(rng))))
        out.append(("v4_offset", bytes(l2(rng, tags) / ip4(rng, frag=rng.randint(1, 8000)) / payload(rng))))
        # Truncated: cut below the IP total length / below the header.
        full = bytes(l2(rng, tags) / ip4(rng) / TCP() / payload(rng, 20, 100))
        out.append(("v4_cut", full[:len(full) - rng.randint(1, 20)]))
        out.append(("v4_short_hdr", full[:14 + 4 * tags + rng.randint(0, 19)]))
        full6 = bytes(l2(rng, tags) / ip6(rng) / UDP() / payload(rng, 20, 100))
        out.append(("v6_cut", full6[:len(full6) - rng.randint(1, 20)]))
        out.append(("v6_short_hdr", full6[:14 + 4 * tags + rng.randint(0, 39)]))
        # Malformed: IHL < 5, version mismatch, total length below the header.
        out.append(("v4_ihl4", bytes(l2(rng, tags) / ip4(rng, ihl=4, options=[]) / payload(rng, 20, 40))))
        out.append(("v4_ver6", bytes(l2(rng, tags) / ip4(rng, version=6) / payload(rng, 20, 40))))
        out.append(("v4_len_small", bytes(l2(rng, tags) / ip4(rng, len=19, options=[]) / payload(rng, 20, 40))))
        v6 = bytearray(full6)
        v6[14 + 4 * tags] = 0x40 | (v6[14 + 4 * tags] & 0x0F)
        out.append(("v6_ver4", bytes(v6)))
        # IPv6 fragment header: first, after one walked header, after two.
        for chain in ([44], [0, 44], [43, 60, 44], [60, 44]):
            p = l2(rng, tags) / ip6(rng)
            for kind in chain:
                p = p / ext(rng, kind)
            out.append(("v6_frag+" + ",".join(map(str, chain)), bytes(p / UDP() / payload(rng))))
        # Extension header limits: three walked, hop-by-hop not first, too long for the window.
        for chain, big in (([0, 43, 60], False), ([60, 43, 60], False), ([43, 0], False),
                           ([0], True), ([43], True), ([0, 60], True)):
            p = l2(rng, tags) / ip6(rng)
            for j, kind in enumerate(chain):
                p = p / ext(rng, kind, big and j == len(chain) - 1)
            out.append(("v6_limit+" + ",".join(map(str, chain)), bytes(p / TCP() / payload(rng))))
        # Extension header longer than the datagram.
        p = bytearray(bytes(l2(rng, tags) / ip6(rng) / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 4)]) / TCP()))
        p[14 + 4 * tags + 41] = 30
        out.append(("v6_ext_past_end", bytes(p)))
        # ESP cut short by the IP length: no ESP flag, no reason.
        out.append(("v4_esp_short", bytes(l2(rng, tags) / ip4(rng, proto=50) / Raw(b"\1\2\3\4\5"))))
        out.append(("v6_natt_short", bytes(l2(rng, tags) / ip6(rng) / UDP(dport=4500) / Raw(b"\1\2\3\4\5\6\7"))))
        # Not IPv4/IPv6: ARP, other ethertypes, three VLAN tags.
        out.append(("arp", bytes(l2(rng, tags) / ARP())))
        other = bytearray(bytes(l2(rng, tags) / IP() / payload(rng, 30, 60)))
        other[12 + 4 * tags:14 + 4 * tags] = rng.choice([b"\x88\xcc", b"\x08\x06", b"\x88\x47", b"\x00\x00"])
        out.append(("ethertype", bytes(other)))
    out.append(("three_tags", bytes(Ether() / Dot1AD(vlan=1) / Dot1Q(vlan=2) / Dot1Q(vlan=3) / IP() / UDP())))
    out.append(("tiny", bytes(Ether() / IP())[:rng.randint(1, 13)]))
    return out


def garbage_frames(rng, n, good):
    """Random bytes, and good frames with random bytes changed or cut off."""
    out = []
    for i in range(n):
        if i % 2 == 0:
            raw = bytearray(rng.randrange(256) for _ in range(rng.randint(1, 160)))
            if len(raw) >= 14 and rng.randrange(2):
                raw[12:14] = rng.choice([b"\x08\x00", b"\x86\xdd", b"\x81\x00", b"\x88\xa8"])
        else:
            raw = bytearray(rng.choice(good)[1])
            for _ in range(rng.randint(1, 6)):
                raw[rng.randrange(min(len(raw), 100))] = rng.randrange(256)
            if rng.randrange(3) == 0:
                raw = raw[:rng.randint(1, len(raw))]
        out.append(("garbage", bytes(raw)))
    return out


def as_json(e):
    """Addresses as hex strings: JSON readers keep only 64-bit integers exact."""
    for k in ("src", "dst"):
        if k in e:
            e[k] = "%032x" % e[k]
    return e


def main():
    codes = reason_codes(sys.argv[1])
    scale = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    oracle = Oracle(codes)
    good = good_frames(rng, 300 * scale)
    cases = []
    for name, raw in good + problem_frames(rng):
        cases.append({"name": name, "frame": raw.hex(), "frame_len": len(raw),
                      "expect": as_json(oracle.expect(raw, len(raw)))})
    # Frames the ingress cut (frame_len 0): truncated whatever they hold.
    for name, raw in good[:10]:
        cases.append({"name": "cut_" + name, "frame": raw.hex(), "frame_len": 0,
                      "expect": as_json(oracle.expect(raw, 0))})
    for name, raw in garbage_frames(rng, 300 * scale, good):
        cases.append({"name": name, "frame": raw.hex(), "frame_len": len(raw), "garbage": True})
    parser_reasons = [codes[n] for n in ("truncated", "malformed_ip", "bad_ip_checksum", "not_ethernet_ip",
                                         "fragment", "ext_hdr_limit")]
    json.dump({"parser_reasons": [0] + parser_reasons, "cases": cases}, open(sys.argv[2], "w"))
    print("%d cases" % len(cases))


if __name__ == "__main__":
    main()
