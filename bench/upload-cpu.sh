#!/usr/bin/env bash
# Where an upload's CPU time goes: one tus PATCH of --size to Ferry per round, and the CPU time
# (user + system, from /proc/<pid>/task/*/stat) each of Ferry's threads spent during it, beside
# the PATCH's wall time. A measurement script, not a test. Without nginx: it explains the upload
# benchmark's ratio, it does not make one.
#
#   bench/upload-cpu.sh --ferry-bin target/release/ferry            # 1 GiB × 3 rounds
#   bench/upload-cpu.sh --size 256MiB --rounds 1 --node separate     # the node's threads too
set -euo pipefail
shopt -s inherit_errexit

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

usage() {
    cat <<'EOF_USAGE'
usage: bench/upload-cpu.sh [options]

  --rounds N             uploads measured (default 3)
  --size SIZE            file size, e.g. 1GiB, 64MiB (default 1GiB)
EOF_USAGE
    common_usage
}

ROUNDS=3
while (($#)); do
    common_option "$@" || { usage >&2; die "unknown option: $1"; }
    shift "$OPT_SHIFT"
done
check_common_options
((!NGINX_ONLY)) || die "--nginx-only makes no sense here: only Ferry is measured"
check_tools getconf join
make_workdir ferry-upload-cpu
need_space $((3 * SIZE + (1 << 30)))
choose_ferry_bin
start_ferry

DATA=$WORK/upload.bin
log "generating $(human_size "$SIZE") of random bytes"
head -c "$SIZE" /dev/urandom >"$DATA"
TICK=$(getconf CLK_TCK)

# "<pid>:<tid> <name> <ticks>" for every thread of the processes given.
thread_ticks() {
    local pid task
    for pid in "$@"; do
        for task in /proc/"$pid"/task/*; do
            awk -v id="$pid:${task##*/}" '{ sub(/^[^)]*\) /, ""); print id, $12 + $13 }' "$task/stat" 2>/dev/null |
                while read -r tid ticks; do
                    echo "$tid $(tr ' ' '_' <"$task/comm") $ticks"
                done
        done
    done | sort
}

header_ferry
header_machine
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
pids=("$FERRY_PID")
[[ -z $NODE_PID ]] || pids+=("$NODE_PID")
for ((round = 1; round <= ROUNDS; round++)); do
    spec=$(ferry_upload_spec "$RECIPIENT" "$(jq -nc --argjson s "$SIZE" '[{name: "upload.bin", size: $s}]')")
    gtoken=$(jq -er .token <<<"$spec")
    url=$(tus_create "$(jq -er .tus_endpoint <<<"$spec")" "$FERRY_GW" "$gtoken" \
        "$(jq -er '.files[0].id' <<<"$spec")" upload.bin "$SIZE")
    settle
    thread_ticks "${pids[@]}" >"$WORK/before"
    out=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' -X PATCH -T "$DATA" -H 'Expect:' \
        -H 'Content-Type: application/offset+octet-stream' -H 'Upload-Offset: 0' \
        -H 'Tus-Resumable: 1.0.0' -H "Authorization: Bearer $gtoken" "$url")
    thread_ticks "${pids[@]}" >"$WORK/after"
    read -r code secs <<<"$out"
    [[ $code == 204 ]] || die "the PATCH answered $code"
    echo
    echo "round $round: PATCH of $(human_size "$SIZE") took $(fmt2 "$secs") s ($(mbps "$SIZE" "$secs") MB/s); CPU per thread:"
    join -a 2 -e 0 -o 0,2.2,1.3,2.3 "$WORK/before" "$WORK/after" |
        awk -v hz="$TICK" '{ d = ($4 - $3) / hz; if (d >= 0.02) { printf "  %-14s %-18s %.2f s\n", $1, $2, d; total += d } }
            END { printf "  %-33s %.2f s\n", "all threads", total }'
done
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
