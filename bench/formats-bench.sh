#!/usr/bin/env bash
# formats-bench.sh: MB/s of every mailflow decoder on one generated file per format
# (default 500 MiB each), compared with the Exchange message tracking decoder.
# Requirement: no decoder below half of the message tracking decoder's MB/s.
# A benchmark, not a test: CI never runs it.
#
# Usage: bench/formats-bench.sh
#        SIZE=20M bench/formats-bench.sh          (quick check of the script)
#
# Environment:
#   SIZE          size of each generated file (default 500M; suffixes K, M, G: binary
#                 multiples; for the UTF-16 formats it is the UTF-16 size on disk)
#   SEED          generator seed (default 1)
#   RUNS          timed runs per format (default 3; the median is reported)
#   FORMATS       space-separated subset of the format names (default: all, see below);
#                 exchange-message-tracking is always run (it is the reference)
#   SKIP_BUILD=1  do not run `swift build -c release` (use the binary as it is)
#   SCRATCH       build folder (default .build-bench, so it does not clash with .build)
#   MAILFLOW_BIN  the mailflow binary (default $SCRATCH/release/mailflow)
#   PEER=0        do not time `sqlite3 .import` of the exo-message-trace-csv file
#   APPEND=1      append the table as a section to bench/results.md
#   NO_INSTALL=1  never apt-get install hyperfine
#   DRY=0         skip the decode-only timing (`mailflow ingest --dry-run`, when the binary has it)
#
# What it does:
#   1. swift build -c release --scratch-path $SCRATCH (unless SKIP_BUILD=1).
#   2. generates one file per format with tools/gen-format-logs.py into
#      bench/.data/formats/ (gitignored) and reuses it on later runs (with its JSON line).
#   3. per format, on a fresh database each time and with a hot page cache:
#        an untimed check run  `mailflow ingest --db DB --year 2026 --timezone UTC --json --verbose FILE`
#        (detected format must be the expected one; records and events are taken from its
#        JSON summary and checked against SELECT count(*) FROM event), then
#        hyperfine --runs $RUNS --prepare 'rm -f DB*' 'mailflow ingest --db DB --year 2026 --timezone UTC FILE'.
#      When the binary has `ingest --dry-run` (decode, store nothing), that is timed too: the
#      decode-only MB/s column separates the decoder from the SQLite inserts; the verdict
#      is on it (the inserts are the same code for every format and cost per event).
#      The reference (message tracking) is timed first and again after the others; its
#      median is over both passes.
#   4. prints a table: file MB, decode-only MB/s and its ratio to the message tracking
#      decoder, PASS/FAIL against >= 0.5x, full ingest seconds, MB/s, records/s, events/s. MB is 10^6 bytes of the file
#      on disk. Formats that fail (build or decoder unfinished) are reported as ERROR.
# Exit status: 0 when every format ran and passed, 1 otherwise.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIZE=${SIZE:-500M}
SEED=${SEED:-1}
RUNS=${RUNS:-3}
SCRATCH=${SCRATCH:-$ROOT/.build-bench}
MAILFLOW_BIN=${MAILFLOW_BIN:-$SCRATCH/release/mailflow}
DATA=$ROOT/bench/.data/formats
GEN=$ROOT/tools/gen-format-logs.py
RESULTS=$ROOT/bench/results.md
YEAR=2026
REF=exchange-message-tracking

ALL_FORMATS="exchange-message-tracking exchange-message-tracking-csv exchange-smtp-protocol exchange-connectivity
exo-message-trace-json exo-message-trace-csv exo-message-trace-detail exo-historical-extended
exo-historical-enhanced-summary postfix"
FORMATS=${FORMATS:-$ALL_FORMATS}
# the reference first, then the others in the order given
FORMATS="$REF $(tr ' ' '\n' <<<"$FORMATS" | grep -vx "$REF" | grep -v '^$' | tr '\n' ' ')"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'formats-bench: ERROR: %s\n' "$*" >&2; exit 1; }

# mailflow's name for the generator's format (the JSON and CSV trace are one decoder)
decoder_name() {
    case $1 in
        exo-message-trace-json | exo-message-trace-csv) echo exo-message-trace ;;
        *) echo "$1" ;;
    esac
}
extension() {
    case $1 in
        exo-message-trace-json) echo json ;;
        exchange-message-tracking-csv | exo-*) echo csv ;;
        *) echo log ;;
    esac
}

command -v python3 >/dev/null || die "python3 is required (it runs the generator)"
command -v sqlite3 >/dev/null || die "sqlite3 is required (apt-get install -y sqlite3)"
status=0

# --- 1. build ---------------------------------------------------------------
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    say "swift build -c release --scratch-path $SCRATCH"
    if ! (cd "$ROOT" && swift build -c release --scratch-path "$SCRATCH" >&2); then
        die "swift build -c release failed (sources mid-edit? retry in a few minutes)"
    fi
fi
[[ -x $MAILFLOW_BIN ]] || die "no mailflow binary at $MAILFLOW_BIN"
HAVE_DRY_RUN=0
"$MAILFLOW_BIN" ingest --help 2>/dev/null | grep -q -- --dry-run && HAVE_DRY_RUN=1
MF_COMMIT=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
MF_DIRTY=$(cd "$ROOT" && git status --porcelain -- Sources Package.swift 2>/dev/null | grep -q . && echo " + uncommitted changes" || true)

# --- 2. hyperfine -----------------------------------------------------------
if ! command -v hyperfine >/dev/null; then
    [[ ${NO_INSTALL:-0} == 1 ]] && die "hyperfine is required"
    SUDO=""
    [[ $(id -u) == 0 ]] || SUDO=sudo
    say "installing hyperfine"
    $SUDO apt-get install -y hyperfine >/dev/null 2>&1 || { $SUDO apt-get update >/dev/null 2>&1 && $SUDO apt-get install -y hyperfine >/dev/null 2>&1; } \
        || die "hyperfine not installable"
fi

# --- 3. data ----------------------------------------------------------------
mkdir -p "$DATA"
declare -A FILE BYTES
for f in $FORMATS; do
    file=$DATA/$f-$SIZE-seed$SEED.$(extension "$f")
    meta=$file.json
    if [[ -s $file && -s $meta ]]; then
        say "reusing $file"
    else
        say "generating $f ($SIZE) into $file"
        rm -f "$file" "$meta"
        if ! python3 "$GEN" --format "$f" --bytes "$SIZE" --seed "$SEED" --year "$YEAR" --out "$file.tmp" >"$meta.tmp"; then
            die "generator failed for $f"
        fi
        mv "$file.tmp" "$file"
        mv "$meta.tmp" "$meta"
        say "  $(cat "$meta")"
    fi
    FILE[$f]=$file
    BYTES[$f]=$(stat -c %s "$file")
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mailflow-formats-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }   # shell-quote one word for hyperfine

# --- 4. timing ----------------------------------------------------------------
# results: one line per format: name bytes seconds records events note
: >"$WORK/results"
for f in $FORMATS; do
    file=${FILE[$f]}
    db=$WORK/$f.db
    prepare="rm -f $(q "$db") $(q "$db")-* $(q "$db").*"
    cmd="$(q "$MAILFLOW_BIN") ingest --db $(q "$db") --year $YEAR --timezone UTC $(q "$file")"
    say "$f: warming the page cache ($(awk -v b="${BYTES[$f]}" 'BEGIN { printf "%.1f", b / 1e6 }') MB)"
    cat "$file" >/dev/null
    say "$f: untimed check run"
    bash -c "$prepare"
    bash -c "$cmd --json --verbose" >"$WORK/$f.json" 2>"$WORK/$f.err"
    rc=$?
    if [[ $rc != 0 && $rc != 3 ]] || ! python3 -c 'import json,sys; json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])' "$WORK/$f.json" 2>/dev/null; then
        say "$f: mailflow ingest failed (exit $rc): $(tail -n 3 "$WORK/$f.err" | tr '\n' ' ')"
        echo "$f ${BYTES[$f]} - - - ERROR:exit-$rc -" >>"$WORK/results"
        bash -c "$prepare"
        status=1
        continue
    fi
    read -r records events rejected < <(python3 -c 'import json,sys; s=json.loads(open(sys.argv[1]).read().strip().splitlines()[-1]); print(s["records"], s["events"], s["rejected"])' "$WORK/$f.json")
    detected=$(grep -o "$(basename "$file"): format [a-z0-9-]*" "$WORK/$f.err" | head -n 1 | awk '{ print $3 }')
    want=$(decoder_name "$f")
    note=ok
    if [[ $detected != "$want" ]]; then
        say "$f: detected as '${detected:-nothing}', expected '$want'"
        note="detected-as-${detected:-none}"
        status=1
    fi
    if [[ $rejected != 0 ]]; then
        say "$f: $rejected rejected records"
        note="$note,$rejected-rejected"
    fi
    stored=$(sqlite3 "$db" "SELECT count(*) FROM event" 2>/dev/null || echo "?")
    [[ $stored == "$events" ]] || { say "$f: event table has $stored rows, the summary says $events"; note="$note,event-table-$stored"; }
    say "$f: $records records, $events events (detected $detected); timing $RUNS runs"
    ignore=()
    [[ $rc == 3 ]] && ignore=(-i)
    if ! hyperfine --runs "$RUNS" "${ignore[@]}" --prepare "$prepare" --export-json "$WORK/$f.hf.json" \
        --command-name "$f" "$cmd" >&2; then
        echo "$f ${BYTES[$f]} - $records $events ERROR:hyperfine -" >>"$WORK/results"
        bash -c "$prepare"
        status=1
        continue
    fi
    secs=$(python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$WORK/$f.hf.json")
    dry=-
    if [[ $HAVE_DRY_RUN == 1 && ${DRY:-1} == 1 ]]; then
        say "$f: timing $RUNS decode-only runs (--dry-run)"
        if hyperfine --runs "$RUNS" "${ignore[@]}" --prepare "$prepare" --export-json "$WORK/$f.dry.json" \
            --command-name "$f --dry-run" "$cmd --dry-run" >&2; then
            dry=$(python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$WORK/$f.dry.json")
        fi
    fi
    echo "$f ${BYTES[$f]} $secs $records $events $note $dry" >>"$WORK/results"
    bash -c "$prepare"   # the databases of 500 MB inputs are large: keep one at a time
done

# The reference is timed a second time at the end (load on a shared VM drifts during a
# run); its median is taken over both passes (2 x RUNS runs).
median_of() {   # median of the "times" of every hyperfine JSON given
    python3 -c 'import json,statistics,sys; t=[x for f in sys.argv[1:] for x in json.load(open(f))["results"][0]["times"]]; print("%.3f" % statistics.median(t))' "$@"
}
if grep -q "^$REF [0-9]* [0-9.]* " "$WORK/results"; then
    file=${FILE[$REF]}
    db=$WORK/$REF.db
    prepare="rm -f $(q "$db") $(q "$db")-* $(q "$db").*"
    cmd="$(q "$MAILFLOW_BIN") ingest --db $(q "$db") --year $YEAR --timezone UTC $(q "$file")"
    say "$REF: second pass ($RUNS runs)"
    cat "$file" >/dev/null
    if hyperfine --runs "$RUNS" --prepare "$prepare" --export-json "$WORK/$REF.hf2.json" --command-name "$REF (2nd pass)" "$cmd" >&2; then
        secs=$(median_of "$WORK/$REF.hf.json" "$WORK/$REF.hf2.json")
        dry=$(awk -v r="$REF" '$1 == r { print $7 }' "$WORK/results")
        if [[ $dry != - ]] && hyperfine --runs "$RUNS" --prepare "$prepare" --export-json "$WORK/$REF.dry2.json" \
            --command-name "$REF --dry-run (2nd pass)" "$cmd --dry-run" >&2; then
            dry=$(median_of "$WORK/$REF.dry.json" "$WORK/$REF.dry2.json")
        fi
        awk -v r="$REF" -v s="$secs" -v d="$dry" '$1 == r { $3 = s; $7 = d } { print }' "$WORK/results" >"$WORK/results.new"
        mv "$WORK/results.new" "$WORK/results"
        say "$REF: median over both passes: $secs s (decode-only $dry s)"
    fi
    bash -c "$prepare"
fi

# optional peer: sqlite3 .import of the same CSV file (the header row names the columns)
PEER_LINE=""
PEER_FMT=exo-message-trace-csv
if [[ ${PEER:-1} == 1 && -n ${FILE[$PEER_FMT]:-} ]]; then
    file=${FILE[$PEER_FMT]}
    sqdb=$WORK/import.db
    sq_prepare="rm -f $(q "$sqdb") $(q "$sqdb")-*"
    sq_cmd="sqlite3 $(q "$sqdb") $(q ".import --csv $file t")"
    say "peer: sqlite3 .import of $(basename "$file")"
    if hyperfine --runs "$RUNS" --prepare "$sq_prepare" --export-json "$WORK/peer.hf.json" --command-name "sqlite3 .import" "$sq_cmd" >&2; then
        secs=$(python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$WORK/peer.hf.json")
        rows=$(sqlite3 "$sqdb" "SELECT count(*) FROM t")
        PEER_LINE="$PEER_FMT ${BYTES[$PEER_FMT]} $secs $rows"
    fi
fi

# --- 5. report ------------------------------------------------------------------
TABLE=$(python3 - "$WORK/results" "$REF" "$PEER_LINE" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
ref = sys.argv[2]
peer = sys.argv[3].split()
ref_mbs = None
ref_dry = None
for name, nbytes, secs, rec, ev, note, dry in rows:
    if name == ref and secs != "-":
        ref_mbs = int(nbytes) / 1e6 / float(secs)
    if name == ref and dry != "-":
        ref_dry = int(nbytes) / 1e6 / float(dry)
out = ["| format | file MB | decode MB/s (x tracking) | >= 0.5x | ingest s | ingest MB/s (x tracking) | records/s | events/s |",
       "| --- | ---: | ---: | :---: | ---: | ---: | ---: | ---: |"]
failed = 0
for name, nbytes, secs, rec, ev, note, dry in rows:
    mb = int(nbytes) / 1e6
    if secs == "-":
        out.append(f"| {name} | {mb:.1f} | - | ERROR ({note[6:]}) | - | - | - | - |")
        failed += 1
        continue
    s = float(secs)
    mbs = mb / s
    ratio = mbs / ref_mbs if ref_mbs else None
    # The verdict is on the decoder (decode only, nothing stored) when the binary has
    # --dry-run; storing is the same code for every format and costs per event.
    if dry != "-":
        dmbs = mb / float(dry)
        dratio = dmbs / ref_dry if ref_dry else None
        dcol = f"{dmbs:.1f} ({dratio:.2f}x)" if dratio is not None else f"{dmbs:.1f}"
        judged = dratio
    else:
        dcol = "-"
        judged = ratio
    verdict = "ref" if name == ref else ("PASS" if judged is not None and judged >= 0.5 else "FAIL")
    if verdict == "FAIL":
        failed += 1
    extra = "" if note == "ok" else f" ({note})"
    out.append(f"| {name} | {mb:.1f} | {dcol} | {verdict}{extra} | {s:.2f} | {mbs:.1f} ({'%.2fx' % ratio if ratio is not None else '-'}) | "
               f"{int(rec) / s:,.0f} | {int(ev) / s:,.0f} |")
if peer:
    name, nbytes, secs, nrows = peer
    mb = int(nbytes) / 1e6
    s = float(secs)
    out.append("")
    out.append(f"Peer: `sqlite3 .import --csv` of the {name} file ({mb:.1f} MB, {int(nrows):,} rows into a "
               f"TEXT table): {s:.2f} s, {mb / s:.1f} MB/s.")
print("\n".join(out))
print(f"FAILED={failed}", file=sys.stderr)
EOF
)
echo
echo "$TABLE"
echo
grep -q '| FAIL\|| ERROR' <<<"$TABLE" && status=1

if [[ ${APPEND:-0} == 1 ]]; then
    NPROC=$(nproc)
    CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
    {
        echo
        echo "## Decoders, ${SIZE/%M/ MB} each"
        echo
        echo "Written by \`bench/formats-bench.sh\` (not run by CI). Hot page cache, fresh database per run,"
        echo "hyperfine median of $RUNS runs (message tracking: $RUNS at the start + $RUNS at the end)."
        echo "Requirement: every decoder at >= 0.5x the MB/s of the message tracking decoder."
        echo "MB = 10^6 bytes of the file on disk (UTF-16 size for the two historical search reports,"
        echo "which mailflow decodes to about half as many UTF-8 bytes). \"decode-only\" is"
        echo "\`mailflow ingest --dry-run\` (decode, store nothing); the verdict is on the decoder (decode"
        echo "only). The full ingest adds the SQLite inserts, which cost per event, the same code for every"
        echo "format: formats with more events per MB (syslog and protocol lines are short) ingest fewer MB/s."
        echo
        echo "| | |"
        echo "| --- | --- |"
        echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
        echo "| machine | nproc $NPROC${CPU:+, $CPU}; shared VM (other builds may run alongside) |"
        echo "| command | \`SIZE=$SIZE SEED=$SEED RUNS=$RUNS bench/formats-bench.sh\` |"
        echo "| generator | \`tools/gen-format-logs.py --format F --bytes $SIZE --seed $SEED --year $YEAR\` (message tracking: \`tools/gen-tracking-log.py\`) |"
        echo "| mailflow | commit $MF_COMMIT$MF_DIRTY, \`mailflow ingest --db DB --year $YEAR --timezone UTC FILE\` |"
        echo
        echo "$TABLE"
    } >>"$RESULTS"
    say "appended to $RESULTS"
fi
exit "$status"
