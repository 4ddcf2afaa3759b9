#!/usr/bin/env bash
# ingest-bench.sh: time `mailflow ingest` against `sqlite3 .import` on one generated
# Exchange message tracking log (default 1 GiB). A benchmark, not a test: CI never runs it.
#
# Usage: bench/ingest-bench.sh
#
# Environment:
#   BENCH_BYTES   size of the generated log (default 1G; suffixes K, M, G: binary multiples)
#   BENCH_SEED    generator seed (default 1)
#   BENCH_RUNS    timed runs per tool (default 3; the median is reported)
#   BENCH_SKIP_BUILD=1   do not run `swift build -c release` (use the binary as it is)
#   MAILFLOW_BIN  the mailflow binary (default .build/release/mailflow)
#   BENCH_NO_INSTALL=1   never apt-get install hyperfine (fall back to /usr/bin/time)
#   BENCH_TIMER=time     use /usr/bin/time (median of BENCH_RUNS runs) even if hyperfine is there
#
# What it does:
#   1. swift build -c release (unless BENCH_SKIP_BUILD=1); if that fails, the mailflow half is
#      skipped and the script exits 1 at the end.
#   2. generates the log with tools/gen-tracking-log.py into bench/.data/ (gitignored) and reuses it
#      on later runs; the generator's JSON line (bytes, records, events) is kept beside it.
#   3. reads the file once (hot page cache), then times, each on a fresh database:
#        mailflow ingest FILE --db DB      then checks SELECT count(*) FROM v_events == events
#        sqlite3 DB '.import --csv --skip 5 FILE t'  into a pre-created 30-column table, then
#                                          checks SELECT count(*) FROM t == records
#   4. prints a table (seconds, MB/s, events/s, ratio) and writes it to bench/results.md.
# MB is 10^6 bytes.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_BYTES=${BENCH_BYTES:-1G}
BENCH_SEED=${BENCH_SEED:-1}
BENCH_RUNS=${BENCH_RUNS:-3}
MAILFLOW_BIN=${MAILFLOW_BIN:-$ROOT/.build/release/mailflow}
DATA=$ROOT/bench/.data
GEN=$ROOT/tools/gen-tracking-log.py
RESULTS=$ROOT/bench/results.md

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ingest-bench: ERROR: %s\n' "$*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 is required (it runs the generator)"
command -v sqlite3 >/dev/null || die "sqlite3 is required (apt-get install -y sqlite3)"

status=0

# --- 1. build ---------------------------------------------------------------
have_mailflow=1
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
    say "swift build -c release"
    if ! (cd "$ROOT" && swift build -c release); then
        printf 'ingest-bench: WARNING: swift build -c release failed; timing sqlite3 only\n' >&2
        have_mailflow=0
        status=1
    fi
fi
if [[ $have_mailflow == 1 && ! -x $MAILFLOW_BIN ]]; then
    printf 'ingest-bench: WARNING: no mailflow binary at %s; timing sqlite3 only\n' "$MAILFLOW_BIN" >&2
    have_mailflow=0
    status=1
fi

# --- 2. data ----------------------------------------------------------------
mkdir -p "$DATA"
LOG=$DATA/MSGTRK-bench-$BENCH_BYTES-seed$BENCH_SEED.LOG
META=$LOG.json
if [[ -s $LOG && -s $META ]]; then
    say "reusing $LOG"
else
    say "generating $BENCH_BYTES into $LOG"
    rm -f "$LOG" "$META"
    gen_start=$(date +%s.%N)
    python3 "$GEN" --bytes "$BENCH_BYTES" --seed "$BENCH_SEED" --out "$LOG.tmp" >"$META.tmp"
    gen_end=$(date +%s.%N)
    mv "$LOG.tmp" "$LOG"
    mv "$META.tmp" "$META"
    say "generated in $(awk -v a="$gen_start" -v b="$gen_end" 'BEGIN { printf "%.1f", b - a }') s: $(cat "$META")"
fi
read -r BYTES RECORDS EVENTS < <(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["bytes"], m["records"], m["events"])' "$META")
[[ $(stat -c %s "$LOG") == "$BYTES" ]] || die "$LOG has $(stat -c %s "$LOG") bytes, the generator said $BYTES; delete it and re-run"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mailflow-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# The 30 columns of the Exchange 2016/2019 #Fields line, as a table for sqlite3 .import.
FIELDS_LINE=$(sed -n '5{s/^#Fields: //;s/\r$//;p;q}' "$LOG")
[[ $(awk -F, '{ print NF }' <<<"$FIELDS_LINE") == 30 ]] || die "line 5 of $LOG is not a 30-field #Fields line"
COLS=$(awk -F, '{ for (i = 1; i <= NF; i++) printf "%s\"%s\" TEXT", (i > 1 ? ", " : ""), $i }' <<<"$FIELDS_LINE")
printf 'CREATE TABLE t(%s);\n' "$COLS" >"$WORK/table.sql"

# --- 3. timing helpers ------------------------------------------------------
use_hyperfine=0
if [[ ${BENCH_TIMER:-} == time ]]; then
    :
elif command -v hyperfine >/dev/null; then
    use_hyperfine=1
elif [[ ${BENCH_NO_INSTALL:-0} != 1 && $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    say "installing hyperfine"
    if apt-get install -y hyperfine >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y hyperfine >/dev/null 2>&1; }; then
        use_hyperfine=1
    else
        say "hyperfine not installable; using /usr/bin/time"
    fi
fi
TIMER=hyperfine
[[ $use_hyperfine == 1 ]] || TIMER="median of $BENCH_RUNS runs"

# time_cmd NAME PREPARE COMMAND: prints the median wall time in seconds.
time_cmd() {
    local name=$1 prepare=$2 cmd=$3
    if [[ $use_hyperfine == 1 ]]; then
        hyperfine --runs "$BENCH_RUNS" --prepare "$prepare" --export-json "$WORK/$name.json" \
            --command-name "$name" "$cmd" >&2
        python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$WORK/$name.json"
    else
        local i times=()
        for ((i = 0; i < BENCH_RUNS; i++)); do
            bash -c "$prepare"
            if [[ -x /usr/bin/time ]]; then
                /usr/bin/time -f %e -o "$WORK/$name.time" bash -c "$cmd" >/dev/null
            else
                local s e
                s=$(date +%s.%N); bash -c "$cmd" >/dev/null; e=$(date +%s.%N)
                awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f\n", b - a }' >"$WORK/$name.time"
            fi
            times+=("$(tail -n 1 "$WORK/$name.time")")
            say "$name run $((i + 1)): ${times[-1]} s"
        done
        printf '%s\n' "${times[@]}" | sort -g | awk '{ a[NR] = $1 } END { printf "%.3f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
    fi
}

say "warming the page cache"
cat "$LOG" >/dev/null

q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }   # shell-quote one word for hyperfine/bash -c

# --- 4a. mailflow -----------------------------------------------------------
MF_SECS=""
if [[ $have_mailflow == 1 ]]; then
    MFDB=$WORK/mailflow.db
    mf_prepare="rm -f $(q "$MFDB") $(q "$MFDB")-* $(q "$MFDB").*"
    mf_cmd="$(q "$MAILFLOW_BIN") ingest $(q "$LOG") --db $(q "$MFDB")"
    say "mailflow: untimed check run: $mf_cmd"
    bash -c "$mf_prepare"
    bash -c "$mf_cmd" || die "mailflow ingest failed (exit $?)"
    got=$(sqlite3 "$MFDB" "SELECT count(*) FROM v_events") || die "cannot query v_events in $MFDB"
    [[ $got == "$EVENTS" ]] || die "mailflow stored $got events in v_events, the generator wrote $EVENTS"
    say "mailflow: v_events has $got events, as generated"
    say "mailflow: timing"
    MF_SECS=$(time_cmd mailflow "$mf_prepare" "$mf_cmd")
    got=$(sqlite3 "$MFDB" "SELECT count(*) FROM v_events")
    [[ $got == "$EVENTS" ]] || die "after the timed runs v_events has $got events, expected $EVENTS"
fi

# --- 4b. sqlite3 .import ----------------------------------------------------
SQDB=$WORK/import.db
sq_prepare="rm -f $(q "$SQDB") $(q "$SQDB")-*"
sq_cmd="sqlite3 $(q "$SQDB") $(q ".read $WORK/table.sql") $(q ".import --csv --skip 5 $LOG t")"
say "sqlite3: untimed check run"
bash -c "$sq_prepare"
bash -c "$sq_cmd" || die "sqlite3 .import failed"
got=$(sqlite3 "$SQDB" "SELECT count(*) FROM t")
[[ $got == "$RECORDS" ]] || die "sqlite3 .import stored $got rows, the generator wrote $RECORDS records"
say "sqlite3: table t has $got rows, as generated"
say "sqlite3: timing"
SQ_SECS=$(time_cmd sqlite3-import "$sq_prepare" "$sq_cmd")
got=$(sqlite3 "$SQDB" "SELECT count(*) FROM t")
[[ $got == "$RECORDS" ]] || die "after the timed runs t has $got rows, expected $RECORDS"

# --- 5. report ---------------------------------------------------------------
NPROC=$(nproc)
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
SQLITE_VERSION=$(sqlite3 --version | awk '{ print $1 }')
MF_VERSION=""
[[ $have_mailflow == 1 ]] && MF_VERSION=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || true)
NOW=$(date -u '+%Y-%m-%d %H:%M UTC')

TABLE=$(python3 - "$BYTES" "$RECORDS" "$EVENTS" "${MF_SECS:-}" "$SQ_SECS" <<'EOF'
import sys
nbytes, records, events = (int(x) for x in sys.argv[1:4])
mf = float(sys.argv[4]) if sys.argv[4] else None
sq = float(sys.argv[5])
mb = nbytes / 1e6
rows = ["| tool | seconds (median) | MB/s | records/s | events/s |",
        "| --- | ---: | ---: | ---: | ---: |"]
if mf is not None:
    rows.append(f"| mailflow ingest | {mf:.2f} | {mb / mf:.1f} | {records / mf:,.0f} | {events / mf:,.0f} |")
else:
    rows.append("| mailflow ingest | n/a | n/a | n/a | n/a |")
rows.append(f"| sqlite3 .import | {sq:.2f} | {mb / sq:.1f} | {records / sq:,.0f} | - |")
if mf is not None:
    rows.append("")
    rows.append(f"mailflow / sqlite3 .import throughput ratio: **{sq / mf:.2f}x** "
                f"({'faster' if mf < sq else 'slower'} than a plain CSV import)")
print("\n".join(rows))
EOF
)

echo
echo "$TABLE"
echo

{
    echo "# Ingest benchmark"
    echo
    echo "Written by \`bench/ingest-bench.sh\` (not run by CI). Hot page cache, fresh database per run."
    echo
    echo "| | |"
    echo "| --- | --- |"
    echo "| date | $NOW |"
    echo "| machine | nproc $NPROC${CPU:+, $CPU} |"
    echo "| file | $(basename "$LOG"): $BYTES bytes ($(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1e6 }') MB), $RECORDS records, $EVENTS events |"
    echo "| generator | tools/gen-tracking-log.py --bytes $BENCH_BYTES --seed $BENCH_SEED |"
    echo "| timer | $TIMER, $BENCH_RUNS runs |"
    echo "| sqlite3 | $SQLITE_VERSION, \`.import --csv --skip 5\` into a 30-column TEXT table |"
    echo "| mailflow | ${MF_VERSION:+commit $MF_VERSION, }\`mailflow ingest FILE --db DB\`$([[ $have_mailflow == 1 ]] || echo ' (not run: no binary)') |"
    echo
    echo "$TABLE"
} >"$RESULTS"
say "wrote $RESULTS"
exit "$status"
