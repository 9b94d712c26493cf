#!/usr/bin/python3
"""Turns a crypto_bench JSON report into ratios to the raw library speed of the
same run. Usage:
  crypto_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
               --benchmark_out=bench.json --benchmark_out_format=json
  /usr/bin/python3 tests/bench/bench_ratios.py bench.json
Uses the median of the repetitions (or the single run) of bytes_per_second."""
import json
import sys


def speeds(report):
    out = {}
    for b in report["benchmarks"]:
        name = b.get("run_name", b["name"])
        if b.get("aggregate_name", "median") != "median" or "bytes_per_second" not in b:
            continue
        out[name] = b["bytes_per_second"]
    return out


def main(path):
    s = speeds(json.load(open(path)))
    sizes = sorted({int(n.rsplit("/", 1)[1]) for n in s})
    raw = {
        "gcm128": ("bm_raw_gcm_seal_evp/raw_gcm128_evp", "bm_raw_gcm_seal_ipsecmb/raw_gcm128_ipsecmb"),
        "gcm256": ("bm_raw_gcm_seal_evp/raw_gcm256_evp", "bm_raw_gcm_seal_ipsecmb/raw_gcm256_ipsecmb"),
    }
    rows = [
        ("GCM-128 seal, OpenSSL provider", "bm_seal/gcm128_openssl", "gcm128"),
        ("GCM-128 seal, ipsec-mb provider", "bm_seal/gcm128_ipsecmb", "gcm128"),
        ("GCM-256 seal, OpenSSL provider", "bm_seal/gcm256_openssl", "gcm256"),
        ("GCM-256 seal, ipsec-mb provider", "bm_seal/gcm256_ipsecmb", "gcm256"),
        ("ChaCha20-Poly1305 seal, OpenSSL provider", "bm_seal/chacha20poly1305_openssl", "gcm128"),
        ("ChaCha20-Poly1305 seal, ipsec-mb provider", "bm_seal/chacha20poly1305_ipsecmb", "gcm128"),
        ("AES-128-CBC + HMAC-SHA256", "bm_cbc_hmac_sha256", "gcm128"),
    ]
    print("| | " + " | ".join(f"{n} B" for n in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for mode in raw:
        evp, mb = raw[mode]
        cells = []
        for n in sizes:
            e, m = s.get(f"{evp}/{n}"), s.get(f"{mb}/{n}")
            cells.append(f"EVP {e / 1e9:.2f}, ipsec-mb {m / 1e9:.2f}" if m else f"EVP {e / 1e9:.2f}")
        print(f"| raw {mode.upper()} seal, GB/s | " + " | ".join(cells) + " |")
    for label, name, mode in rows:
        cells = []
        for n in sizes:
            v = s.get(f"{name}/{n}")
            best = max(x for x in (s.get(f"{r}/{n}") for r in raw[mode]) if x)
            cells.append(f"{v / best:.2f} ({v / 1e9:.2f} GB/s)" if v else "-")
        print(f"| {label} / fastest raw {mode.upper()} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
