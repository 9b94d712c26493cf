"""Second oracle for the outbound path bench: opens every ESP frame the card
sealed (outbound.pcap) with the keys in outbound.txt and compares the result
with the inner packet the bench sent.

16-byte ICVs: Scapy's SecurityAssociation.decrypt (ICV check, padding and, in
transport mode, the rebuilt IP header compared whole). Every ICV length: AES-GCM
of the cryptography package with the tag truncated to the SA's ICV, payload and
next header compared. IPv4 outer header checksums are recomputed by Scapy.
NAT-T: the UDP header (checksum 0, length) is checked and removed first.
"""
import struct
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from scapy.all import IP, UDP, IPv6, Ether, raw, rdpcap
from scapy.layers.ipsec import ESP, SecurityAssociation


def fail(msg):
    print("check_pcap: FAIL", msg)
    sys.exit(1)


def outer_ip(frame):
    eth = Ether(frame)
    ip = eth.getlayer(IP) or eth.getlayer(IPv6)
    if ip is None:
        fail("no IP header")
    return ip


def esp_offset(ip):
    """Bytes of the IP header chain in front of ESP (or of the NAT-T UDP header)."""
    data = raw(ip)
    if ip.version == 4:
        return data, (data[0] & 15) * 4, data[9]
    off, nh = 40, data[6]
    while nh in (0, 43, 60):
        nh, off = data[off], off + (data[off + 1] + 1) * 8
    return data, off, nh


def strip_natt(ip):
    data, off, proto = esp_offset(ip)
    if proto != 17:
        return ip, False
    sport, dport, length, cks = struct.unpack("!HHHH", data[off:off + 8])
    if cks != 0 or length != len(data) - off:
        fail("NAT-T UDP header wrong: len %d cks %d" % (length, cks))
    body = bytearray(data[:off] + data[off + 8:])
    if ip.version == 4:
        body[9] = 50
        pkt = IP(bytes(body))
        pkt.len = len(body)
        del pkt.chksum
    else:
        body[6] = 50  # the bench's NAT-T SAs are IPv4 outer only
        pkt = IPv6(bytes(body))
        pkt.plen = len(body) - 40
    return pkt.__class__(raw(pkt)), True


def open_gcm(ip, key, salt, icv, esn, seq):
    data, off, proto = esp_offset(ip)
    if proto != 50:
        fail("next header %d, not ESP" % proto)
    esp = data[off:]
    spi, seq_lo = struct.unpack("!II", esp[:8])
    if seq_lo != seq & 0xffffffff:
        fail("sequence number %d, expected %d" % (seq_lo, seq))
    iv, body, tag = esp[8:16], esp[16:-icv], esp[-icv:]
    if struct.unpack("!Q", iv)[0] != seq:
        fail("IV is not the 64-bit sequence number")
    aad = struct.pack("!III", spi, seq >> 32, seq_lo) if esn else struct.pack("!II", spi, seq_lo)
    dec = Cipher(algorithms.AES(key), modes.GCM(salt + iv, tag, min_tag_length=icv)).decryptor()
    dec.authenticate_additional_data(aad)
    plain = dec.update(body) + dec.finalize()
    pad, nh = plain[-2], plain[-1]
    if len(plain) % 4 != 0:
        fail("ciphertext not 4-byte aligned")
    return plain[:-2 - pad], nh


def main(d):
    frames = rdpcap(d + "/outbound.pcap")
    lines = open(d + "/outbound.txt").read().split("\n")
    lines = [l for l in lines if l]
    if len(frames) != len(lines) or not lines:
        fail("%d frames, %d manifest lines" % (len(frames), len(lines)))
    by_scapy = 0
    for frame, line in zip(frames, lines):
        spi, seq, key, salt, icv, tunnel, esn, inner = line.split()
        spi, seq, icv, tunnel, esn = int(spi), int(seq), int(icv), tunnel == "1", esn == "1"
        key, salt, inner = bytes.fromhex(key), bytes.fromhex(salt), bytes.fromhex(inner)
        ip = outer_ip(raw(frame))
        if ip.version == 4:
            again = IP(raw(ip))
            del again.chksum
            if IP(raw(again)).chksum != ip.chksum:
                fail("outer IPv4 checksum")
        ip, natt = strip_natt(ip)
        payload, nh = open_gcm(ip, key, salt, icv, esn, seq)
        if tunnel:
            want_nh = 4 if inner[0] >> 4 == 4 else 41
            if payload != inner or nh != want_nh:
                fail("tunnel payload differs (spi %x seq %d)" % (spi, seq))
        elif not inner.endswith(payload) or len(payload) == 0:
            fail("transport payload differs (spi %x seq %d)" % (spi, seq))
        if icv == 16:
            sa = SecurityAssociation(ESP, spi=spi, crypt_algo="AES-GCM", crypt_key=key + salt,
                                     tunnel_header=(IP() if tunnel else None),
                                     esn_en=esn, esn=seq >> 32)
            out = sa.decrypt(ip)
            if raw(out) != inner:
                fail("Scapy decryption differs (spi %x seq %d natt %d)" % (spi, seq, natt))
            by_scapy += 1
    print("check_pcap: %d frames opened, %d also by Scapy" % (len(lines), by_scapy))
    print("check_pcap: PASSED")


if __name__ == "__main__":
    main(sys.argv[1])
