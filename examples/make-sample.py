#!/usr/bin/python3
"""Writes sample-plain.pcap: plaintext traffic between the protected networks
of the examples (10.1.0.0/16 <-> 10.2.0.0/16, 2001:db8:1::/64 <-> 2001:db8:2::/64).

Every field that would otherwise be random (IP id, ports, sequence numbers,
timestamps) is fixed, so the capture is the same on every run.
Run with /usr/bin/python3 (needs python3-scapy).
"""
import os
import sys

from scapy.all import ICMP, IP, TCP, UDP, Ether, IPv6, Raw, wrpcap
from scapy.layers.inet6 import ICMPv6EchoRequest
from scapy.layers.dns import DNS, DNSQR

MAC_A = "02:00:00:00:01:01"
MAC_B = "02:00:00:00:02:01"


def eth(l3):
    return Ether(src=MAC_A, dst=MAC_B) / l3


def packets():
    h1, h2 = "10.1.0.10", "10.2.0.20"
    v6a, v6b = "2001:db8:1::10", "2001:db8:2::20"
    return [
        eth(IP(src=h1, dst=h2, id=1) / ICMP(id=7, seq=1) / Raw(b"ping-0123456789abcdef")),
        eth(IP(src=h1, dst=h2, id=2) / TCP(sport=40000, dport=80, flags="S", seq=1000)),
        eth(IP(src=h1, dst=h2, id=3) / TCP(sport=40000, dport=80, flags="PA", seq=1001, ack=5001)
            / Raw(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")),
        eth(IP(src=h1, dst=h2, id=4) / UDP(sport=5000, dport=6000) / Raw(bytes(range(256)) * 5)),
        eth(IP(src=h1, dst=h2, id=5) / UDP(sport=5353, dport=53) / DNS(id=42, rd=1, qd=DNSQR(qname="example.com"))),
        eth(IP(src=h1, dst=h2, id=6, tos=0) / UDP(sport=45001, dport=33434) / Raw(b"x")),
        eth(IP(src=h1, dst=h2, id=7) / TCP(sport=40001, dport=443, flags="PA", seq=1, ack=1) / Raw(b"\xaa" * 1400)),
        eth(IPv6(src=v6a, dst=v6b, hlim=64) / UDP(sport=7000, dport=7001) / Raw(b"ipv6 payload")),
        eth(IPv6(src=v6a, dst=v6b, hlim=64) / ICMPv6EchoRequest(id=9, seq=1, data=b"v6 ping")),
        eth(IP(src=h1, dst=h2, id=8) / ICMP(id=7, seq=2) / Raw(b"ping-last")),
    ]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                             "sample-plain.pcap")
    pkts = packets()
    for i, p in enumerate(pkts):
        p.time = 1700000000 + i / 1000.0
    wrpcap(out, pkts)
    print(f"wrote {len(pkts)} packets to {out}")


if __name__ == "__main__":
    main()
