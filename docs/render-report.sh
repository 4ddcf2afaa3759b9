#!/usr/bin/env bash
# Renders the report of sample-logs/ to docs/report.png with headless Chromium, offline,
# and checks that the page loads nothing from the network and logs no console errors.
# Not a test; run it by hand after changing the report:
#
#     docs/render-report.sh                 # builds mailflow into .build-e2e, writes docs/report.png
#     MAILFLOW_BIN=.build/debug/mailflow docs/render-report.sh
#     WIDTH=1200 HEIGHT=9000 OUT=/tmp/r.png docs/render-report.sh
#
# Needs: swift (unless MAILFLOW_BIN is set), chromium (Debian: apt-get install chromium),
# python3 (standard library only). Uses `unshare -n` (no network at all) when it works.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${OUT:-$root/docs/report.png}"
width="${WIDTH:-1200}"
height="${HEIGHT:-9000}"   # taller than the page; the blank bottom is trimmed below
scratch="${SCRATCH:-$root/.build-e2e}"

if [[ -z "${MAILFLOW_BIN:-}" ]]; then
    swift build --package-path "$root" --scratch-path "$scratch" --product mailflow >&2
    MAILFLOW_BIN="$scratch/debug/mailflow"
fi
chrome="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
[[ -n "$chrome" ]] || { echo "render-report: chromium not found (apt-get install -y chromium)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

MAILFLOW_BIN="$(cd "$(dirname "$MAILFLOW_BIN")" && pwd)/$(basename "$MAILFLOW_BIN")"

# 1. The report of the seven sample days (ingested from the repository root, so that the
#    parse-health table shows sample-logs/... paths).
(cd "$root" && "$MAILFLOW_BIN" ingest sample-logs --db "$work/mailflow.db" >/dev/null)
"$MAILFLOW_BIN" report --db "$work/mailflow.db" --since all --out "$work/report" >/dev/null
page="file://$work/report/report.html"

# 2. Headless Chromium without network: no network namespace if possible, and every host
#    name unresolvable anyway. The net log records every request the page makes.
isolate=()
if unshare -n true 2>/dev/null; then isolate=(unshare -n)
elif unshare -rn true 2>/dev/null; then isolate=(unshare -rn)
else echo "render-report: unshare not available; relying on --host-resolver-rules only" >&2
fi
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --no-default-browser-check
       --disable-background-networking --disable-component-update --disable-sync --disable-extensions
       --user-data-dir="$work/profile" --host-resolver-rules="MAP * ~NOTFOUND"
       --force-device-scale-factor=1 --enable-logging=stderr --v=0)

"${isolate[@]}" "$chrome" "${flags[@]}" --log-net-log="$work/netlog.json" \
    --window-size="$width,$height" --screenshot="$work/full.png" "$page" \
    >"$work/chrome.out" 2>"$work/chrome.err" || { cat "$work/chrome.err" >&2; exit 1; }
"${isolate[@]}" "$chrome" "${flags[@]}" --dump-dom "$page" >"$work/dom.html" 2>>"$work/chrome.err"

# 3. Checks: no request other than file:, no console message, the DOM was rendered.
python3 - "$work" <<'PY'
import json, re, sys
work = sys.argv[1]
# Requests made for the page have an origin as initiator ("null" for file://); Chromium's own
# background traffic (component updater, network time) says "not an origin" and is ignored.
text = open(f"{work}/netlog.json", encoding="utf-8", errors="replace").read()
try:
    log = json.loads(text)
except ValueError:  # a net log cut short: close it
    log = json.loads(text.rstrip().rstrip(",") + "]}")
names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
page_requests = sorted({e["params"]["url"] for e in log["events"]
                        if names.get(e["type"]) == "URL_REQUEST_START_JOB" and "url" in e.get("params", {})
                        and e["params"].get("initiator") != "not an origin"})
network = [u for u in page_requests if not u.startswith(("file:", "data:", "about:"))]
err = open(f"{work}/chrome.err", encoding="utf-8", errors="replace").read()
console = [l for l in err.splitlines() if ":CONSOLE" in l and "source: file://" in l]
dom = open(f"{work}/dom.html", encoding="utf-8", errors="replace").read()
problems = []
if network: problems.append(f"the page requested: {network}")
if console: problems.append("console messages from the page:\n  " + "\n  ".join(console))
if "Mail flow report" not in dom or "<svg" not in dom: problems.append("the DOM dump lacks the report heading or its charts")
if problems:
    print("render-report: " + "\n".join(problems), file=sys.stderr); sys.exit(1)
print("render-report: no network request and no console message from the page", file=sys.stderr)
PY

# 4. Trim the blank bottom of the screenshot (standard-library PNG reader/writer).
python3 - "$work/full.png" "$out" <<'PY'
import struct, sys, zlib
src, dst = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, ihdr = 8, b"", None
while pos < len(data):
    n, t = struct.unpack(">I4s", data[pos:pos + 8]); body = data[pos + 8:pos + 8 + n]; pos += 12 + n
    if t == b"IHDR": ihdr = struct.unpack(">IIBBBBB", body)
    elif t == b"IDAT": idat += body
w, h, depth, ctype, _, _, interlace = ihdr
assert depth == 8 and ctype in (2, 6) and interlace == 0, ihdr
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
rows, prev, i = [], bytearray(stride), 0
for _ in range(h):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    if f == 1:
        for x in range(bpp, stride): line[x] = (line[x] + line[x - bpp]) & 255
    elif f == 2:
        for x in range(stride): line[x] = (line[x] + prev[x]) & 255
    elif f == 3:
        for x in range(stride): line[x] = (line[x] + ((line[x - bpp] if x >= bpp else 0) + prev[x]) // 2) & 255
    elif f == 4:
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0; b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line)); prev = line
last = len(rows)
while last > 1 and rows[last - 1] == rows[-1]: last -= 1
if last == len(rows): print(f"render-report: the page may be taller than {h} px; raise HEIGHT", file=sys.stderr)
rows = rows[:min(len(rows), last + 24)]
def chunk(t, b): return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b) & 0xFFFFFFFF)
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, len(rows), 8, ctype, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(b"".join(b"\x00" + r for r in rows), 9)) + chunk(b"IEND", b""))
open(dst, "wb").write(png)
print(f"render-report: wrote {dst} ({w}x{len(rows)}, {len(png) // 1024} KiB)", file=sys.stderr)
PY
