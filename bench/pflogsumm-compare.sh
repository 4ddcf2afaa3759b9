#!/usr/bin/env bash
# pflogsumm-compare.sh: count the same Postfix maillogs with pflogsumm (Debian package, 1.1.5)
# and with mailflow, side by side, and fail when a count that should agree does not.
# A cross-check of the Postfix decoder against an independent, widely used parser; CI never runs it.
#
# Usage: bench/pflogsumm-compare.sh [MAILLOG ...]
#   Without arguments: every ../shared/corpus/{public,cases}/postfix-*.log (when that folder
#   exists) plus one generated log (tools/gen-format-logs.py --format postfix, when present).
#
# Environment:
#   PFC_SKIP_BUILD=1     do not run `swift build -c release` (use the binary as it is)
#   MAILFLOW_SCRATCH     --scratch-path for swift build (default: the package's .build)
#   MAILFLOW_BIN         the mailflow binary (default: from `swift build -c release --show-bin-path`)
#   PFC_YEAR             --year for logs without an expected file (default: none, so mailflow
#                        takes the year from the file's modification time; counts do not depend on it)
#   PFC_TIMEZONE         --timezone for logs without an expected file (default UTC)
#   PFC_GEN_BYTES        size of the generated log (default 16M; keep it under about 60M: above
#                        524,288 pflogsumm prints counts in units of 1024, compared approximately)
#   PFC_NO_GENERATE=1    do not add the generated log
#
# For each log: `pflogsumm FILE` (Grand Totals), and `mailflow ingest --db TMP [--year Y]
# [--timezone Z] FILE` into a fresh database, then one `mailflow sql --format csv` query.
# --year and --timezone come from FILE.expected.json ("assume") when there is one.
#
# Correspondences (pflogsumm 1.1.5 source, /usr/sbin/pflogsumm; mailflow kinds from the corpus
# README kind table). Rows marked "=" must agree, the others are shown for information:
#   = received     pflogsumm: smtpd/postscreen `<qid>: client=` lines + pickup `uid=`/`sender=` lines
#                  mailflow:  events of kind received + submitted
#   = delivered    pflogsumm: `status=sent` lines (one per recipient, any daemon), minus "forwarded"
#                  mailflow:  kinds sent + delivered whose status text lacks "forwarded as "
#   = forwarded    pflogsumm: `status=sent` lines whose reason says "forwarded as "
#                  mailflow:  kinds sent + delivered whose status text has "forwarded as "
#   = deferred     pflogsumm: distinct queue ids with a `status=deferred` line ("messages deferred")
#                  mailflow:  distinct messages (Postfix: queue ids, table event.message_ref) of the
#                             deferred events (the views have no queue-id column for events)
#   = deferrals    pflogsumm: `status=deferred` lines;  mailflow: deferred events
#   = bounced      pflogsumm: `status=bounced` lines;   mailflow: failed events
#   = rejected     pflogsumm: smtpd/postscreen `reject:` lines (NOQUEUE and queued), plus cleanup
#                  header/body/milter rejects
#                  mailflow:  dropped events with source "reject" (NOQUEUE: reject:) + the queued
#                             and cleanup reject lines counted here with grep (mailflow keeps those
#                             as kind other, per the kind table)
#     expired      pflogsumm: not counted (1.1.5 has no `status=expired` handling)
#                  mailflow:  expired messages (distinct queue ids in v_expired) / expired events
#     force-exp.   pflogsumm: not counted; mailflow: dropped events with source "force-expired"
#
# Where pflogsumm is known to differ (and what this script does about it):
#   - It ignores `status=expired` / `status=force-expired` (qmgr) entirely: shown, never compared.
#   - Its program pattern is `postfix[/smtps|/submission]/daemon` (or one --syslog-name): lines of
#     multi-instance tags (`postfix-out/smtp`) and other service prefixes (`postfix/628/smtpd`) are
#     invisible to it. pflogsumm reads a copy whose tags are rewritten to `postfix/<daemon>`
#     (mailflow reads the file unchanged), so both see the same lines.
#   - "delivered" and "bounced" count recipient lines, not messages; "deferred" counts queue
#     ids once per log (a queue id reused later in the same log counts once), "deferrals" lines.
#   - "received" needs `[pid]` after the program name; mailflow does not.
#   - "rejected" includes queued and cleanup rejects that mailflow files as other (see above);
#     `reject_warning` lines are "reject warnings" in pflogsumm and other in mailflow.
#   - Counts above 524,288 are printed by pflogsumm in units of 1024 ("k"): compared as
#     floor(mailflow / 1024).
#
# Exit status: 0 when every "=" row agrees for every log, 1 otherwise (or on a tool failure).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPUS=$(cd "$ROOT/.." && pwd)/shared/corpus
DATA=$ROOT/bench/.data
GEN=$ROOT/tools/gen-format-logs.py
GEN_BYTES=${PFC_GEN_BYTES:-16M}
GEN_YEAR=2026

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'pflogsumm-compare: ERROR: %s\n' "$*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 is required (it reads the expected files)"

# --- 1. pflogsumm -----------------------------------------------------------
if ! command -v pflogsumm >/dev/null; then
    say "installing pflogsumm (Debian package)"
    if [[ $(id -u) == 0 ]]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y pflogsumm >/dev/null \
            || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y pflogsumm >/dev/null; }
    else
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y pflogsumm >/dev/null \
            || { sudo apt-get update >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y pflogsumm >/dev/null; }
    fi
fi
command -v pflogsumm >/dev/null || die "pflogsumm is not installed and could not be installed"

# --- 2. mailflow ------------------------------------------------------------
build_args=(-c release)
[[ -n ${MAILFLOW_SCRATCH:-} ]] && build_args+=(--scratch-path "$MAILFLOW_SCRATCH")
if [[ ${PFC_SKIP_BUILD:-0} != 1 ]]; then
    say "swift build ${build_args[*]}"
    (cd "$ROOT" && swift build "${build_args[@]}" >&2) || die "swift build ${build_args[*]} failed"
fi
MAILFLOW=${MAILFLOW_BIN:-$(cd "$ROOT" && swift build "${build_args[@]}" --show-bin-path)/mailflow}
[[ -x $MAILFLOW ]] || die "no mailflow binary at $MAILFLOW"

# --- 3. inputs --------------------------------------------------------------
inputs=("$@")
if [[ ${#inputs[@]} == 0 ]]; then
    if [[ -d $CORPUS ]]; then
        for f in "$CORPUS"/public/postfix-*.log "$CORPUS"/cases/postfix-*.log; do
            [[ -f $f ]] && inputs+=("$f")
        done
    fi
    if [[ ${PFC_NO_GENERATE:-0} != 1 && -f $GEN ]]; then
        mkdir -p "$DATA"
        gen=$DATA/postfix-compare-$GEN_BYTES-year$GEN_YEAR.log
        if [[ ! -s $gen ]]; then
            say "generating $GEN_BYTES of Postfix maillog into $gen"
            python3 "$GEN" --format postfix --bytes "$GEN_BYTES" --year "$GEN_YEAR" --out "$gen.tmp" >/dev/null
            mv "$gen.tmp" "$gen"
        fi
        inputs+=("$gen")
    fi
fi
[[ ${#inputs[@]} -gt 0 ]] || die "no input: give Postfix maillogs as arguments"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# --year / --timezone of a log: its expected file's "assume", else the environment (the
# generated log: the year it was generated for).
assume() {  # FILE KEY
    local expected=$1.expected.json
    if [[ -f $expected ]]; then
        python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get("assume",{}).get(sys.argv[2]); print("" if v is None else v)' "$expected" "$2"
    fi
}

# pflogsumm's Grand Totals: "<n><unit>  <label>", unit " ", "k" (x1024) or "m" (x1048576).
pf_total() {  # REPORT LABEL -> "value unit"
    awk -v label="$2" '
        /^Grand Totals/ { inside = 1 }
        /^Per-/ { inside = 0 }
        inside && $0 ~ "^ *[0-9]+[km]? +" label "( |$)" {
            n = $1; unit = " "
            if (n ~ /[km]$/) { unit = substr(n, length(n)); n = substr(n, 1, length(n) - 1) }
            print n, unit; exit
        }' "$1"
}
pf_deferrals() {  # REPORT -> "value unit" of "(N deferrals)"
    sed -n 's/.*deferred *(\([0-9]*\)\([km]\{0,1\}\) *deferrals).*/\1 \2/p' "$1" | head -n1 | awk '{ print $1, ($2 == "" ? " " : $2) }'
}

status=0
row() {  # LABEL PFLOGSUMM_VALUE PFLOGSUMM_UNIT MAILFLOW MUST_AGREE [NOTE]
    local label=$1 pv=$2 pu=$3 mv=$4 must=$5 note=${6:-} shown verdict
    shown=$pv
    [[ $pu == k || $pu == m ]] && shown="$pv$pu"
    if [[ $must != 1 ]]; then
        verdict=""
    else
        local want=$mv
        [[ $pu == k ]] && want=$((mv / 1024))
        [[ $pu == m ]] && want=$((mv / 1048576))
        if [[ $pv == "$want" ]]; then verdict="ok"; else verdict="DIFFERS"; status=1; fi
        [[ $pu == k || $pu == m ]] && verdict="$verdict (~)"
    fi
    printf '  %-34s %10s %10s  %-8s %s\n' "$label" "$shown" "$mv" "$verdict" "$note"
}

for file in "${inputs[@]}"; do
    [[ -f $file ]] || die "$file: no such file"
    year=$(assume "$file" year)
    zone=$(assume "$file" timezone)
    if [[ ! -f $file.expected.json ]]; then
        year=${PFC_YEAR:-}
        [[ $file == */postfix-compare-*-year$GEN_YEAR.log ]] && year=$GEN_YEAR
        zone=${PFC_TIMEZONE:-UTC}
    fi
    zone=${zone:-UTC}

    # pflogsumm, on a copy whose multi-instance / service-prefixed tags read postfix/<daemon>.
    sed -E 's#^((\S+ +\S+ +\S+|[0-9]{4}-\S+) +\S+ +)postfix(-[^/ :\[]+)?(/[^/ :\[]+)*/([^/ :\[]+)(\[[0-9]+\])?:#\1postfix/\5\6:#' \
        "$file" >"$TMP/pflog.in"
    pflogsumm --smtp-detail 0 --deferral-detail 0 --bounce-detail 0 --reject-detail 0 "$TMP/pflog.in" \
        >"$TMP/pflog.out" 2>"$TMP/pflog.err" || { cat "$TMP/pflog.err" >&2; die "pflogsumm failed on $file"; }

    # mailflow, into a fresh database.
    db=$TMP/mailflow.db
    rm -f "$db" "$db"-*
    args=(ingest --db "$db" --timezone "$zone")
    [[ -n $year ]] && args+=(--year "$year")
    "$MAILFLOW" "${args[@]}" "$file" >"$TMP/ingest.out" 2>&1 || { cat "$TMP/ingest.out" >&2; die "mailflow ingest failed on $file"; }
    csv=$("$MAILFLOW" sql --db "$db" --format csv "
        SELECT
          (SELECT count(*) FROM v_events WHERE kind IN ('received', 'submitted')),
          (SELECT count(*) FROM v_events WHERE kind IN ('sent', 'delivered') AND coalesce(status_text, '') NOT LIKE '%forwarded as %'),
          (SELECT count(*) FROM v_events WHERE kind IN ('sent', 'delivered') AND status_text LIKE '%forwarded as %'),
          (SELECT count(DISTINCT e.message_ref) FROM event e JOIN event_kind k ON k.id = e.kind WHERE k.name = 'deferred'),
          (SELECT count(*) FROM v_events WHERE kind = 'deferred'),
          (SELECT count(*) FROM v_events WHERE kind = 'failed'),
          (SELECT count(*) FROM v_events WHERE kind = 'dropped' AND source = 'reject'),
          (SELECT count(DISTINCT queue_id) FROM v_expired),
          (SELECT count(*) FROM v_events WHERE kind = 'expired'),
          (SELECT count(*) FROM v_events WHERE kind = 'dropped' AND source = 'force-expired'),
          (SELECT sum(records) FROM v_files)") || die "mailflow sql failed on $file"
    IFS=, read -r m_rcvd m_dlvd m_fwd m_dfrd m_dfrls m_bncd m_rjct m_expm m_expe m_force m_records <<<"$(tail -n1 <<<"$csv")"
    # Queued smtpd rejects and cleanup header/body rejects: pflogsumm's "rejected" (same
    # patterns as its source), mailflow's kind other.
    count() { grep -cE "$1" "$TMP/pflog.in" || true; }
    queued_rejects=$(( $(count '/(smtpd|postscreen)\[[0-9]+\]: [0-9A-Za-z_]+: reject: ') \
        - $(count '/(smtpd|postscreen)\[[0-9]+\]: NOQUEUE: reject: ') \
        + $(count '/cleanup\[[0-9]+\]: .*\b(milter-)?reject: (header|body|END-OF-MESSAGE) ') ))

    read -r p_rcvd u_rcvd <<<"$(pf_total "$TMP/pflog.out" received)"
    read -r p_dlvd u_dlvd <<<"$(pf_total "$TMP/pflog.out" delivered)"
    read -r p_fwd u_fwd <<<"$(pf_total "$TMP/pflog.out" forwarded)"
    read -r p_dfrd u_dfrd <<<"$(pf_total "$TMP/pflog.out" deferred)"
    read -r p_bncd u_bncd <<<"$(pf_total "$TMP/pflog.out" bounced)"
    read -r p_rjct u_rjct <<<"$(pf_total "$TMP/pflog.out" rejected)"
    p_dfrls=0 u_dfrls=" "
    if grep -q 'deferrals)' "$TMP/pflog.out"; then read -r p_dfrls u_dfrls <<<"$(pf_deferrals "$TMP/pflog.out")"; fi

    printf '\n%s  (mailflow --timezone %s%s; %s records)\n' "${file#"$ROOT"/}" "$zone" "${year:+ --year $year}" "$m_records"
    printf '  %-34s %10s %10s  %s\n' "count" "pflogsumm" "mailflow" "agree"
    row "received (client= + pickup)" "$p_rcvd" "$u_rcvd" "$m_rcvd" 1
    row "delivered (status=sent lines)" "$p_dlvd" "$u_dlvd" "$m_dlvd" 1
    row "forwarded" "$p_fwd" "$u_fwd" "$m_fwd" 1
    row "deferred (distinct queue ids)" "$p_dfrd" "$u_dfrd" "$m_dfrd" 1
    row "deferrals (status=deferred lines)" "$p_dfrls" "$u_dfrls" "$m_dfrls" 1
    row "bounced (status=bounced lines)" "$p_bncd" "$u_bncd" "$m_bncd" 1
    row "rejected" "$p_rjct" "$u_rjct" "$((m_rjct + queued_rejects))" 1 \
        "mailflow: $m_rjct NOQUEUE dropped + $queued_rejects queued/cleanup (kind other)"
    row "expired messages (queue ids)" "-" " " "$m_expm" 0 "pflogsumm does not count status=expired"
    row "expired events (qmgr lines)" "-" " " "$m_expe" 0
    row "force-expired (dropped)" "-" " " "$m_force" 0
done

echo
if [[ $status == 0 ]]; then
    echo "pflogsumm-compare: every compared count agrees (${#inputs[@]} logs)"
else
    echo "pflogsumm-compare: some counts differ (see DIFFERS above)"
fi
exit $status
