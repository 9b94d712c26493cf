#!/usr/bin/env bash
# The main job: a gateway demo on the co-simulated card. Builds the runtime and
# the Verilator model of the card (128-bit data path), then runs a capture of
# plaintext traffic through gateway A's card (ESP tunnel, AES-GCM-128: SAs and
# flows programmed through the card's registers, the first packet of each flow
# answered by the host's software path), shows that tshark decrypts the result
# with the same keys, and opens it again with gateway B's card, checking that
# what comes out is what went in. BACKEND=software runs the same demo on the
# host's software data plane alone.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
OUT=${OUT:-out/demo}

scripts/deps.sh
BACKEND=${BACKEND:-cosim}
echo "== building the runtime and the co-simulated card (a few minutes the first time) =="
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DAIPSEC_BUILD_TESTS=OFF \
  -DAIPSEC_BUILD_RTL=ON -DAIPSEC_COSIM_512=OFF -DAIPSEC_BUILD_BENCH=OFF -DAIPSEC_BUILD_FUZZ=OFF >/dev/null
cmake --build build/release -j"$JOBS" --target ipsec-pcap >/dev/null
BIN=build/release/host/tools

mkdir -p "$OUT"
CONF_OUT=examples/gateway-a.conf   # gateway A: protects 10.1.0.0/16 -> 10.2.0.0/16
CONF_IN=examples/gateway-b.conf    # gateway B: the mirror image
IN=examples/sample-plain.pcap

echo "== gateway A ($BACKEND): protect $IN =="
"$BIN/ipsec-pcap" --backend "$BACKEND" -v --config "$CONF_OUT" --dir out --in "$IN" --out "$OUT/protected.pcap" --stats "$OUT/a.json"
echo "== tshark opens what gateway A wrote (independent ESP decryption) =="
tshark -r "$OUT/protected.pcap" -o esp.enable_encryption_decode:TRUE -o esp.enable_authentication_check:TRUE \
  -o "uat:esp_sa:$(sed -n 's/^# esp_sa: //p' "$CONF_OUT" | head -1)" \
  -T fields -e frame.number -e ip.src -e ip.dst -e esp.spi -e esp.sequence -e esp.icv_good 2>/dev/null | head -20
echo "== gateway B ($BACKEND): open it again =="
"$BIN/ipsec-pcap" --backend "$BACKEND" -v --config "$CONF_IN" --dir in --in "$OUT/protected.pcap" --out "$OUT/opened.pcap" --stats "$OUT/b.json"
if cmp -s <(tshark -r "$IN" -T fields -e data -e ip.src -e ip.dst -e ip.len 2>/dev/null) \
          <(tshark -r "$OUT/opened.pcap" -T fields -e data -e ip.src -e ip.dst -e ip.len 2>/dev/null); then
  echo "demo: OK — every packet crossed the ESP tunnel and came out unchanged ($OUT/)"
else
  echo "demo: FAILED — the opened packets differ from the originals" >&2
  exit 1
fi
