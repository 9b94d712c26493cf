#!/usr/bin/python3
"""Independent check of ipsec-pcap's output: opens the ESP packets that gateway A
(examples/gateway-a.conf) wrote with Scapy's own IPsec implementation and compares
every packet with the plaintext capture. Prints one line per frame; exit 0 if all
frames match, 1 otherwise.

usage: scapy_open_gateway_a.py PLAIN.pcap ESP.pcap
"""
import sys

from scapy.all import IP, Ether, raw, rdpcap
from scapy.layers.ipsec import ESP, SecurityAssociation

# The SA A -> B of examples/gateway-a.conf: AES-GCM-16, 128-bit key || 4-byte salt.
KEY = bytes.fromhex("0102030405060708090a0b0c0d0e0f10a1a2a3a4")
SA = SecurityAssociation(ESP, spi=0x1001, crypt_algo="AES-GCM", crypt_key=KEY,
                         tunnel_header=IP(src="192.0.2.1", dst="198.51.100.1"))


def main():
    plain, esp = rdpcap(sys.argv[1]), rdpcap(sys.argv[2])
    if len(plain) != len(esp):
        print(f"frame count {len(esp)} != {len(plain)}")
        return 1
    bad = 0
    for i, (p, e) in enumerate(zip(plain, esp)):
        if e.haslayer(ESP):
            opened = SA.decrypt(IP(raw(e[IP])))  # raises on a bad ICV
            ok = raw(opened) == raw(p[Ether].payload)
            print(f"{i}: esp seq={e[ESP].seq} {'ok' if ok else 'MISMATCH'}")
        else:
            ok = raw(e) == raw(p)
            print(f"{i}: clear {'ok' if ok else 'MISMATCH'}")
        bad += not ok
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
