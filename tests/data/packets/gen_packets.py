#!/usr/bin/python3
"""Reference packets for the packet parser tests, built and dissected by Scapy.

Writes ip_packets.json, eth_frames.json, nat_pairs.json, the captures
scapy_eth.pcap and scapy_raw.pcap (+ pcap_frames.json) next to this script, and
the fuzz seed corpus into tests/fuzz/corpus/packet_parse/. Every expected value
is what Scapy reports after re-dissecting the bytes it built; the transport-mode
insertion offset is computed here by walking Scapy's layers with the rule of
RFC 4303 3.1.1 (after hop-by-hop, routing and fragment headers; a final
destination options header goes behind ESP/AH).
"""
import json
import os
import sys

from scapy.all import (IP, IPv6, TCP, UDP, ICMP, Raw, Ether, Dot1Q, Dot1AD, ARP, IPOption_RR,
                       IPOption_Router_Alert, IPOption_NOP, fragment, wrpcap, raw)
from scapy.layers.inet6 import (IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrRouting,
                                IPv6ExtHdrFragment, ICMPv6EchoRequest, ICMPv6EchoReply,
                                ICMPv6DestUnreach, PadN, RouterAlert)
from scapy.layers.ipsec import ESP, AH
from scapy.layers.sctp import SCTP

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, '..', '..', 'fuzz', 'corpus', 'packet_parse')

A4, B4 = '192.0.2.1', '198.51.100.7'
A6, B6 = '2001:db8:1::1', '2001:db8:2::2'
PAY = Raw(bytes(range(32)))

EXT = (IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, IPv6ExtHdrFragment, IPv6ExtHdrDestOpt)
L4_PORTS = (TCP, UDP, SCTP)


def hdr_len(layer):
    return len(raw(layer)) - len(raw(layer.payload))


def l4_fields(layer, out):
    if isinstance(layer, L4_PORTS):
        out['sport'], out['dport'] = int(layer.sport), int(layer.dport)
    if isinstance(layer, ICMP) or layer.__class__.__module__.endswith('inet6') and \
            layer.__class__.__name__.startswith('ICMPv6'):
        out['icmp_type'], out['icmp_code'] = int(layer.type), int(layer.code)
    if isinstance(layer, (TCP, UDP, ICMP)):
        out['l4_checksum'] = int(layer.chksum)
    elif hasattr(layer, 'cksum') and layer.__class__.__name__.startswith('ICMPv6'):
        out['l4_checksum'] = int(layer.cksum)


def describe_v4(b):
    ip = IP(b)
    out = dict(version=4, src=ip.src, dst=ip.dst, total_len=ip.len, ttl=ip.ttl, tos=ip.tos,
               df=bool(ip.flags.DF), is_fragment=bool(ip.flags.MF) or ip.frag != 0,
               ip_hdr_len=ip.ihl * 4, ulproto=ip.proto, l4_off=ip.ihl * 4,
               transport_insert_off=ip.ihl * 4, next_header_field_off=9,
               next_header_at_insert=ip.proto, ip_checksum=ip.chksum)
    if ip.frag == 0:
        l4_fields(ip.payload, out)
    return out


def describe_v6(b):
    ip = IPv6(b)
    out = dict(version=6, src=ip.src, dst=ip.dst, total_len=40 + ip.plen, ttl=ip.hlim, tos=ip.tc,
               df=False, is_fragment=False, ip_hdr_len=40, routing_pending=False)
    off, nh_field, nh = 40, 6, ip.nh
    insert_off, insert_field = 40, 6
    layer = ip.payload
    upper_present = True
    while isinstance(layer, EXT):
        this_off = off
        off += hdr_len(layer)
        if not isinstance(layer, IPv6ExtHdrDestOpt):
            insert_off, insert_field = off, this_off
        nh_field, nh = this_off, layer.nh
        if isinstance(layer, IPv6ExtHdrRouting) and layer.segleft > 0:
            out['routing_pending'] = True
        if isinstance(layer, IPv6ExtHdrFragment):
            out['is_fragment'] = True
            if layer.offset != 0:
                upper_present = False
                break
        layer = layer.payload
    out.update(ulproto=nh, l4_off=off, transport_insert_off=insert_off,
               next_header_field_off=insert_field, next_header_at_insert=b[insert_field])
    if upper_present:
        l4_fields(layer, out)
    return out


def case(name, pkt, trailer=b''):
    b = raw(pkt)
    exp = describe_v4(b) if b[0] >> 4 == 4 else describe_v6(b)
    return dict(name=name, hex=(b + trailer).hex(), expect=exp)


def ip_cases():
    c = []
    c.append(case('v4_tcp', IP(src=A4, dst=B4, id=7) / TCP(sport=40000, dport=443, flags='S') / PAY))
    c.append(case('v4_udp', IP(src=A4, dst=B4, ttl=3) / UDP(sport=5000, dport=53) / PAY))
    c.append(case('v4_udp_trailing_pad', IP(src=A4, dst=B4) / UDP(sport=1, dport=2), b'\0' * 18))
    c.append(case('v4_df_tos', IP(src=A4, dst=B4, tos=0xb8, flags='DF', ttl=255) / TCP(sport=22, dport=1022)))
    c.append(case('v4_options_rr_udp', IP(src=A4, dst=B4, options=[
        IPOption_Router_Alert(), IPOption_NOP(), IPOption_RR(routers=['10.0.0.1', '10.0.0.2'])])
        / UDP(sport=1234, dport=5678) / PAY))
    c.append(case('v4_options_max_ihl', IP(src=A4, dst=B4, options=[IPOption_RR(routers=['0.0.0.0'] * 9)])
                  / ICMP(type=8, code=0, id=1, seq=1)))
    c.append(case('v4_icmp_echo', IP(src=A4, dst=B4) / ICMP(type=8, id=0x1234, seq=1) / PAY))
    c.append(case('v4_icmp_unreach', IP(src=A4, dst=B4) / ICMP(type=3, code=4) / IP(src=B4, dst=A4) / UDP()))
    c.append(case('v4_sctp', IP(src=A4, dst=B4) / SCTP(sport=2905, dport=2906)))
    c.append(case('v4_esp', IP(src=A4, dst=B4) / ESP(spi=0x1001, seq=1, data=bytes(48))))
    c.append(case('v4_ah_tcp', IP(src=A4, dst=B4) / AH(spi=0x2002, seq=1, nh=6, icv=bytes(12))
                  / TCP(sport=80, dport=8080)))
    c.append(case('v4_ipcomp', IP(src=A4, dst=B4, proto=108) / Raw(bytes([4, 0, 0, 2]) + bytes(20))))
    c.append(case('v4_ipip', IP(src=A4, dst=B4) / IP(src='10.0.0.1', dst='10.0.0.2') / UDP(sport=9, dport=9)))
    frags = fragment(IP(src=A4, dst=B4, id=0x4242) / UDP(sport=7, dport=7) / Raw(bytes(200)), fragsize=64)
    c.append(case('v4_frag_first', frags[0]))
    c.append(case('v4_frag_middle', frags[1]))
    c.append(case('v4_frag_last', frags[-1]))

    v6 = lambda **kw: IPv6(src=A6, dst=B6, **kw)
    c.append(case('v6_tcp', v6(tc=0x28, fl=0x12345, hlim=9) / TCP(sport=33000, dport=80) / PAY))
    c.append(case('v6_udp', v6() / UDP(sport=500, dport=4500) / PAY))
    c.append(case('v6_icmpv6_echo', v6() / ICMPv6EchoRequest(id=3, seq=4, data=bytes(16))))
    c.append(case('v6_icmpv6_unreach', v6() / ICMPv6DestUnreach(code=3) / IPv6(src=B6, dst=A6) / UDP()))
    c.append(case('v6_sctp', v6() / SCTP(sport=36412, dport=36412)))
    c.append(case('v6_hbh_udp', v6() / IPv6ExtHdrHopByHop(options=[RouterAlert()]) / UDP(sport=1, dport=2)))
    c.append(case('v6_hbh_icmpv6', v6() / IPv6ExtHdrHopByHop(options=[PadN(optdata=bytes(12))])
                  / ICMPv6EchoReply(id=1, seq=2)))
    c.append(case('v6_dstopt_final_udp', v6() / IPv6ExtHdrDestOpt(options=[PadN(optdata=bytes(4))])
                  / UDP(sport=3, dport=4) / PAY))
    c.append(case('v6_routing_done_udp', v6() / IPv6ExtHdrRouting(addresses=['2001:db8::a'], segleft=0)
                  / UDP(sport=5, dport=6) / PAY))
    c.append(case('v6_routing_pending_tcp', v6() / IPv6ExtHdrRouting(addresses=['2001:db8::a', '2001:db8::b'])
                  / TCP(sport=7, dport=8)))
    c.append(case('v6_dstopt_routing_dstopt_udp', v6() / IPv6ExtHdrDestOpt() / IPv6ExtHdrRouting(
        addresses=['2001:db8::c'], segleft=0) / IPv6ExtHdrDestOpt() / UDP(sport=9, dport=10)))
    c.append(case('v6_full_chain_tcp', v6() / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt()
                  / IPv6ExtHdrRouting(addresses=['2001:db8::d'], segleft=0)
                  / IPv6ExtHdrFragment(id=9, m=1, offset=0) / IPv6ExtHdrDestOpt()
                  / TCP(sport=11, dport=12) / PAY))
    c.append(case('v6_dstopt_frag_udp', v6() / IPv6ExtHdrDestOpt() / IPv6ExtHdrFragment(id=1, m=1)
                  / UDP(sport=13, dport=14) / PAY))
    c.append(case('v6_frag_first_udp', v6() / IPv6ExtHdrFragment(id=2, m=1, offset=0) / UDP(sport=15, dport=16) / PAY))
    c.append(case('v6_frag_middle', v6() / IPv6ExtHdrFragment(nh=17, id=2, m=1, offset=4) / Raw(bytes(32))))
    c.append(case('v6_frag_last', v6() / IPv6ExtHdrFragment(nh=6, id=2, m=0, offset=8) / Raw(bytes(13))))
    c.append(case('v6_hbh_esp', v6() / IPv6ExtHdrHopByHop() / ESP(spi=0x3003, seq=9, data=bytes(40))))
    c.append(case('v6_ah_udp', v6() / AH(spi=0x4004, seq=2, nh=17, icv=bytes(12)) / UDP(sport=17, dport=18)))
    c.append(case('v6_ipcomp', v6(nh=108) / Raw(bytes([17, 0, 0, 3]) + bytes(24))))
    c.append(case('v6_no_next', v6(nh=59)))
    c.append(case('v6_dstopt_no_next', v6() / IPv6ExtHdrDestOpt(nh=59)))
    c.append(case('v6_eight_dstopts_udp', eval_chain(v6(), 8) / UDP(sport=19, dport=20)))
    c.append(case('v6_in_v4', IP(src=A4, dst=B4) / IPv6(src=A6, dst=B6) / UDP(sport=21, dport=22)))
    return c


def eval_chain(pkt, n):
    for _ in range(n):
        pkt = pkt / IPv6ExtHdrDestOpt()
    return pkt


def eth_cases():
    ip4 = IP(src=A4, dst=B4) / UDP(sport=1, dport=2)
    ip6 = IPv6(src=A6, dst=B6) / UDP(sport=3, dport=4)
    eth = lambda: Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')
    frames = [
        ('eth_ipv4', eth() / ip4),
        ('eth_ipv6', eth() / ip6),
        ('eth_vlan_ipv4', eth() / Dot1Q(vlan=100) / ip4),
        ('eth_vlan_ipv6', eth() / Dot1Q(vlan=4094, prio=5) / ip6),
        ('eth_qinq_ipv4', eth() / Dot1AD(vlan=10) / Dot1Q(vlan=20) / ip4),
        ('eth_qinq_8100_ipv6', eth() / Dot1Q(vlan=10) / Dot1Q(vlan=20) / ip6),
        ('eth_three_tags', eth() / Dot1AD(vlan=1) / Dot1Q(vlan=2) / Dot1Q(vlan=3) / ip4),
        ('eth_arp', eth() / ARP()),
        ('eth_vlan_arp', eth() / Dot1Q(vlan=5) / ARP()),
    ]
    out = []
    for name, f in frames:
        b = raw(f)
        d = Ether(b)
        layer, off, tags = d, 0, 0
        while isinstance(layer, (Ether, Dot1Q, Dot1AD)):
            type_off = off + (12 if isinstance(layer, Ether) else 2)
            off += hdr_len(layer)
            tags += 0 if isinstance(layer, Ether) else 1
            last_type = layer.type
            layer = layer.payload
        is_ip = isinstance(layer, (IP, IPv6)) and tags <= 2
        exp = dict(ip=is_ip)
        if is_ip:
            exp.update(l3_off=off, ethertype=last_type, ethertype_off=type_off)
        out.append(dict(name=name, hex=b.hex(), expect=exp))
    return out


def nat_pairs():
    """The same packet before and after an address rewrite: both checksums from Scapy."""
    mk = [
        lambda s, d: IP(src=s, dst=d) / UDP(sport=4500, dport=4500) / PAY,
        lambda s, d: IP(src=s, dst=d) / TCP(sport=1000, dport=2000, seq=5) / PAY,
        lambda s, d: IPv6(src=s, dst=d) / UDP(sport=6, dport=7) / PAY,
        lambda s, d: IPv6(src=s, dst=d) / IPv6ExtHdrHopByHop() / TCP(sport=8, dport=9),
        lambda s, d: IPv6(src=s, dst=d) / ICMPv6EchoRequest(id=1, seq=1, data=bytes(8)),
    ]
    out = []
    for i, f in enumerate(mk):
        v6 = i >= 2
        before = raw(f(A6 if v6 else A4, B6 if v6 else B4))
        after = raw(f('2001:db8:99::5' if v6 else '203.0.113.5', B6 if v6 else B4))
        out.append(dict(name='nat%d' % i, before=before.hex(), after=after.hex()))
    return out


def write_pcaps():
    eth = [Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02') / IP(src=A4, dst=B4) / UDP(sport=1, dport=2),
           Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02') / Dot1Q(vlan=7) / IPv6(src=A6, dst=B6) / TCP()]
    rawip = [IP(src=A4, dst=B4) / ICMP(), IPv6(src=A6, dst=B6) / UDP(sport=3, dport=4) / PAY]
    for i, p in enumerate(eth + rawip):
        p.time = 1700000000 + i + 0.250000
    wrpcap(os.path.join(HERE, 'scapy_eth.pcap'), eth)
    wrpcap(os.path.join(HERE, 'scapy_raw.pcap'), rawip, linktype=101)
    return dict(scapy_eth=dict(linktype=1, frames=[dict(hex=raw(p).hex(), ts_sec=int(p.time), ts_usec=250000)
                                                   for p in eth]),
                scapy_raw=dict(linktype=101, frames=[dict(hex=raw(p).hex(), ts_sec=int(p.time), ts_usec=250000)
                                                     for p in rawip]))


def tunnel_headers():
    """Outer headers as Scapy builds them, with the fields that produced them."""
    v4 = [dict(src=A4, dst=B4, proto=50, tos=0x10, ttl=33, id=0x1234, df=True, total_len=1400),
          dict(src='10.1.2.3', dst='172.16.0.1', proto=4, tos=0, ttl=64, id=0, df=False, total_len=20),
          dict(src='255.255.255.255', dst='0.0.0.0', proto=17, tos=0xff, ttl=1, id=0xffff, df=False,
               total_len=65535)]
    v6 = [dict(src=A6, dst=B6, next_header=50, traffic_class=0xb8, flow_label=0xabcde, hop_limit=7,
               payload_len=1000),
          dict(src='::', dst='ff02::1', next_header=41, traffic_class=0, flow_label=0, hop_limit=255,
               payload_len=0),
          dict(src='fe80::1', dst='2001:db8::ffff', next_header=4, traffic_class=0xff, flow_label=0xfffff,
               hop_limit=64, payload_len=65535)]
    for f in v4:
        h = IP(src=f['src'], dst=f['dst'], proto=f['proto'], tos=f['tos'], ttl=f['ttl'], id=f['id'],
               flags='DF' if f['df'] else 0, len=f['total_len'])
        f['hex'] = raw(h).hex()
    for f in v6:
        h = IPv6(src=f['src'], dst=f['dst'], nh=f['next_header'], tc=f['traffic_class'], fl=f['flow_label'],
                 hlim=f['hop_limit'], plen=f['payload_len'])
        f['hex'] = raw(h).hex()
    # A packet before and after its payload grew: length fields (and IPv4 checksum) by Scapy.
    resize = []
    for mk in (lambda n: IP(src=A4, dst=B4, id=5) / Raw(bytes(n)),
               lambda n: IP(src=A4, dst=B4, options=[IPOption_NOP()] * 4) / Raw(bytes(n)),
               lambda n: IPv6(src=A6, dst=B6, nh=59) / Raw(bytes(n))):
        resize.append(dict(before=raw(mk(10)).hex(), after=raw(mk(50)).hex()))
    return dict(ipv4=v4, ipv6=v6, resize=resize)


def dump(name, obj):
    with open(os.path.join(HERE, name), 'w') as f:
        json.dump(obj, f, indent=1)
        f.write('\n')


def main():
    ips, eths = ip_cases(), eth_cases()
    dump('ip_packets.json', ips)
    dump('eth_frames.json', eths)
    dump('nat_pairs.json', nat_pairs())
    dump('tunnel_headers.json', tunnel_headers())
    dump('pcap_frames.json', write_pcaps())
    os.makedirs(CORPUS, exist_ok=True)
    seeds = {c['name']: c['hex'] for c in ips if c['name'] in (
        'v4_tcp', 'v4_options_rr_udp', 'v4_frag_first', 'v6_full_chain_tcp', 'v6_frag_middle',
        'v6_icmpv6_echo', 'v6_hbh_esp')}
    seeds.update({c['name']: c['hex'] for c in eths if c['name'] in ('eth_qinq_ipv4', 'eth_vlan_ipv6')})
    for name, h in seeds.items():
        with open(os.path.join(CORPUS, name), 'wb') as f:
            f.write(bytes.fromhex(h))
    print('wrote %d IP cases, %d frames, %d seeds' % (len(ips), len(eths), len(seeds)), file=sys.stderr)


if __name__ == '__main__':
    main()
