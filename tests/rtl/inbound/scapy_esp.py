#!/usr/bin/python3
"""ESP frames made by Scapy for the inbound bench (independent of the host
library): AES-GCM (RFC 4106) with 16-byte ICVs (Scapy always sends 16), 128
and 256-bit keys, tunnel 4in4 / 6in6 / 4in6 / 6in4 and transport v4 / v6,
ESN. Writes one line per SA and per frame:
  sa <n> <spi> <key hex> <salt hex> <tunnel 0|1> <outer 4|6> <esn 0|1> <dst hex>
  frame <sa n> <protected frame hex> <expected plain frame hex>
The expected frame is the datagram Scapy encrypted, behind the same Ethernet
header with the ethertype of its family."""
import random
import sys

from scapy.all import IP, IPv6, UDP, TCP, Raw, Ether, raw
from scapy.layers.ipsec import SecurityAssociation, ESP


def main(path, count):
    rnd = random.Random(4106)
    shapes = [(True, 4, 4), (True, 6, 6), (True, 6, 4), (True, 4, 6), (False, 4, 4), (False, 6, 6)]
    out = []
    sas = []
    for n, (tunnel, outer, inner) in enumerate(shapes * 2):
        klen = 16 if n < len(shapes) else 32
        key = bytes(rnd.randrange(256) for _ in range(klen))
        salt = bytes(rnd.randrange(256) for _ in range(4))
        spi = 0x7000 + n
        esn = n % 3 == 2
        src, dst = ('192.0.2.1', '192.0.2.2') if outer == 4 else ('2001:db8:ffff::1', '2001:db8:ffff::2')
        hdr = (IP(src=src, dst=dst) if outer == 4 else IPv6(src=src, dst=dst)) if tunnel else None
        sa = SecurityAssociation(ESP, spi=spi, crypt_algo='AES-GCM', crypt_key=key + salt,
                                 tunnel_header=hdr, esn_en=esn, esn=0)
        dst_bytes = raw(IP(dst=dst))[16:20] if outer == 4 else raw(IPv6(dst=dst))[24:40]
        out.append('sa %d %d %s %s %d %d %d %s' % (n, spi, key.hex(), salt.hex(), int(tunnel), outer,
                                                   int(esn), dst_bytes.hex()))
        sas.append((sa, tunnel, outer, inner, src, dst))
    for i in range(count):
        n = rnd.randrange(len(sas))
        sa, tunnel, outer, inner, src, dst = sas[n]
        fam = inner if tunnel else outer
        payload = Raw(bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 1400))))
        l4 = UDP(sport=1000 + i % 7, dport=2000) if rnd.randrange(2) else TCP(sport=1000, dport=80 + i % 5)
        if tunnel:
            ip = (IP(src='10.1.0.1', dst='10.1.0.2') if fam == 4 else IPv6(src='2001:db8:1::1', dst='2001:db8:1::2'))
        else:
            ip = IP(src=src, dst=dst) if fam == 4 else IPv6(src=src, dst=dst)
        plain = (ip / l4 / payload).__class__(raw(ip / l4 / payload))
        enc = sa.encrypt(plain)
        eth = Ether(src='02:00:00:00:00:02', dst='02:00:00:00:00:01')
        frame = raw(eth / enc)
        expected = raw(eth / plain)
        out.append('frame %d %s %s' % (n, frame.hex(), expected.hex()))
    with open(path, 'w') as f:
        f.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 60)
