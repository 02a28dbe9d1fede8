#!/usr/bin/env bash
# Upload benchmark: Ferry's tus 1.0 path (gateway + transfer node, in-process or a separate
# `ferry node` process) against nginx WebDAV PUT, on loopback, interleaved. A measurement script,
# not a test: it prints numbers and targets.
#
#   bench/upload.sh                      # 1 GiB × (warm-up + 5 rounds), then 10 × 100 MiB × 3 rounds
#   bench/upload.sh --size 64MiB --rounds 2 --concurrent-rounds 1     # quick check
#   bench/upload.sh --rss                # also 10 concurrent 1 GiB uploads to Ferry: peak RSS
#   bench/upload.sh --node separate      # the gateway streams to `ferry node` over HTTP
#   bench/upload.sh --storage s3         # the transfer node keeps files in a bucket on moto
#
# Run `bench/upload.sh --help` for every option. Needs root or sudo only to install Debian's
# nginx-light and jq when they are missing; it never touches the system's nginx config or service.
set -euo pipefail
shopt -s inherit_errexit

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

usage() {
    cat <<'EOF'
usage: bench/upload.sh [options]

  --rounds N             measured rounds of the single-file upload, after one warm-up (default 5)
  --size SIZE            single-file size, e.g. 1GiB, 64MiB (default 1GiB)
  --concurrent N         parallel uploads in the concurrent scenario, at most 10 (default 10)
  --concurrent-size SIZE size of each parallel upload (default 100MiB)
  --concurrent-rounds N  rounds of the concurrent scenario, 0 skips it (default 3)
  --rss                  also run N concurrent uploads of --size to Ferry only and report its peak
                         RSS (target < 64 MiB; with the defaults this writes 10 GiB; with
                         --storage s3 moto holds each file in memory while it completes)
EOF
    common_usage
}

CONC=10
CONC_SIZE_ARG=100MiB
CONC_ROUNDS=3
RSS=0

while (($#)); do
    case $1 in
        --concurrent) CONC=${2:?--concurrent needs a value}; shift 2 ;;
        --concurrent-size) CONC_SIZE_ARG=${2:?--concurrent-size needs a value}; shift 2 ;;
        --concurrent-rounds) CONC_ROUNDS=${2:?--concurrent-rounds needs a value}; shift 2 ;;
        --rss) RSS=1; shift ;;
        *)
            common_option "$@" || { usage >&2; die "unknown option: $1"; }
            shift "$OPT_SHIFT"
            ;;
    esac
done

check_common_options
[[ $CONC =~ ^[1-9][0-9]*$ ]] || die "--concurrent must be a positive integer"
[[ $CONC_ROUNDS =~ ^[0-9]+$ ]] || die "--concurrent-rounds must be a non-negative integer"
# One package carries the concurrent files, and a package holds at most 10 by default.
((CONC <= 10)) || die "--concurrent is at most 10 (Ferry's default maximum files per package)"
CONC_SIZE=$(parse_size "$CONC_SIZE_ARG")
((CONC_SIZE > 0)) || die "--concurrent-size must be positive"

# Each transfer is bounded: 60 s plus 10 MB/s for its bytes (loopback does ~700 MB/s here).
transfer_timeout() { echo $((60 + $1 / 10000000)); }

# --- tools, work directory, servers --------------------------------------------------------------

check_tools stat dd find
make_workdir ferry-upload-bench

# Free space: test data, nginx's copy and its temp file, Ferry's upload and published object
# (twice, in case deleted packages keep their bytes until reclaim), plus the --rss scenario. On
# S3, moto's temp files under the work directory hold Ferry's bytes instead.
need=$((2 * SIZE + CONC_SIZE + 2 * SIZE + 4 * SIZE + 4 * CONC * CONC_SIZE + (1 << 30)))
((RSS)) && need=$((need + 2 * CONC * SIZE))
need_space "$need"

choose_ferry_bin

NGINX_PORT=$(free_port)
NGINX_ROOT=$WORK/nginx-root
nginx_start "$NGINX_BIN" "$BENCH_DIR/nginx.conf.template" "$WORK/nginx" "$NGINX_ROOT" "$NGINX_PORT"
NGINX_URL=http://127.0.0.1:$NGINX_PORT

start_ferry

# --- test data -----------------------------------------------------------------------------------

DATA=$WORK/data
mkdir -p "$DATA"
log "generating test data: $(human_size "$SIZE") and $(human_size "$CONC_SIZE") of random bytes"
head -c "$SIZE" /dev/urandom >"$DATA/single.bin"
if ((CONC_ROUNDS > 0)); then
    head -c "$CONC_SIZE" /dev/urandom >"$DATA/part.bin"
fi

# Deleted packages may keep their bytes until Ferry's reclaim task runs. Their files are removed
# behind Ferry's back only when nothing is uploading: while Ferry is stopped between scenarios, and
# between rounds when disk gets tight. On S3, moto is emptied and the bucket made again.
purge_ferry_storage() {
    if [[ $STORAGE == s3 ]]; then
        s3_purge
        return 0
    fi
    local roots=("$FERRY_DATA")
    [[ -d $NODE_DATA ]] && roots+=("$NODE_DATA")
    find "${roots[@]}" -mindepth 1 -type d \( -name uploads -o -name objects \) -prune -print0 |
        while IFS= read -r -d '' dir; do find "$dir" -mindepth 1 -delete; done
}
purge_ferry_storage_if_tight() {
    ((NGINX_ONLY)) && return 0
    local free_now
    free_now=$(($(df -Pk "$WORK" | awk 'NR == 2 { print $4 }') * 1024))
    if ((free_now < 4 * SIZE + CONC * CONC_SIZE * 2 + (1 << 30))); then
        log "disk is getting tight ($((free_now >> 20)) MiB free): emptying Ferry's uploads/ and objects/"
        purge_ferry_storage
    fi
}

# --- one upload each way -------------------------------------------------------------------------
# Each sets LAST_SECS (the timed byte transfer only).

LAST_SECS=

nginx_upload() {
    local file=$1 name=$2 size out code secs
    size=$(stat -c %s "$file")
    settle
    out=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' --max-time "$(transfer_timeout "$size")" \
        -H 'Expect:' -T "$file" "$NGINX_URL/$name") || die "nginx PUT of $name failed"
    read -r code secs <<<"$out"
    [[ $code == 201 || $code == 204 ]] || die "nginx PUT of $name answered $code"
    LAST_SECS=$secs
    rm -f "$NGINX_ROOT/$name"
}

# Peak RSS is measured per scenario: Ferry is restarted (same data dir, ports, users and API
# token, so no password is hashed in the new process) and its VmHWM is reset to its current RSS
# (/proc/<pid>/clear_refs), dropping the start-up transient; the scenario's peak is VmHWM at its end.
# With --node separate the node is restarted too, and its peak is reported beside the gateway's.
# Sets BASE_RSS_KIB (RSS when the scenario starts) and HWM_RESET (whether the reset was accepted).
BASE_RSS_KIB=
NODE_BASE_RSS_KIB=
HWM_RESET=0
ferry_restart() {
    ferry_stop
    node_stop
    purge_ferry_storage
    start_ferry_processes
    settle
    if reset_hwm "$FERRY_PID"; then HWM_RESET=1; else HWM_RESET=0; fi
    BASE_RSS_KIB=$(vm_rss_kib "$FERRY_PID")
    if [[ -n $NODE_PID ]]; then
        reset_hwm "$NODE_PID" || HWM_RESET=0
        NODE_BASE_RSS_KIB=$(vm_rss_kib "$NODE_PID")
    fi
}

# "peak RSS X MiB (RSS Y MiB when the scenario started)" for the running Ferry (and its node).
rss_report() {
    local hwm
    hwm=$(vm_hwm_kib "$FERRY_PID")
    printf 'ferry peak RSS (VmHWM) in this scenario: %s MiB (%s MiB at its start, fresh process%s)' \
        "$(kib_to_mib "$hwm")" "$(kib_to_mib "$BASE_RSS_KIB")" \
        "$( ((HWM_RESET)) || echo '; VmHWM could not be reset, so it includes start-up')"
    if [[ ${1-} == target ]]; then
        printf '   target < %s MiB: %s' "$TARGET_RSS_MIB" \
            "$(awk -v k="$hwm" -v t="$TARGET_RSS_MIB" 'BEGIN { print (k / 1024 < t) ? "met" : "NOT met" }')"
    fi
    printf '\n'
    if [[ -n $NODE_PID ]]; then
        printf 'ferry node peak RSS (VmHWM) in this scenario: %s MiB (%s MiB at its start)\n' \
            "$(kib_to_mib "$(vm_hwm_kib "$NODE_PID")")" "$(kib_to_mib "$NODE_BASE_RSS_KIB")"
    fi
}

# ferry_upload_many FILE SIZE COUNT: one package with COUNT files (each FILE), all PATCHed at once.
# Sets LAST_SECS to the wall time from the first PATCH's start to the last one's end.
ferry_upload_many() {
    local file=$1 size=$2 count=$3 files_json spec pkg endpoint gtoken i
    files_json=$(jq -nc --argjson n "$count" --argjson s "$size" \
        '[range(1; $n + 1) | {name: "file\(.).bin", size: $s}]')
    spec=$(ferry_upload_spec "$RECIPIENT" "$files_json")
    pkg=$(jq -er .package_id <<<"$spec")
    endpoint=$(jq -er .tus_endpoint <<<"$spec")
    gtoken=$(jq -er .token <<<"$spec")
    local urls=()
    for ((i = 0; i < count; i++)); do
        urls+=("$(tus_create "$endpoint" "$FERRY_GW" "$gtoken" "$(jq -er ".files[$i].id" <<<"$spec")" \
            "$(jq -er ".files[$i].name" <<<"$spec")" "$size")")
    done
    settle
    local pids=() outs=() t0 t1 timeout
    timeout=$(transfer_timeout $((size * count)))
    t0=$(now)
    for ((i = 0; i < count; i++)); do
        outs+=("$WORK/patch.$i.out")
        tus_patch_args "$file" "${urls[$i]}" "$gtoken"
        curl -w '%{http_code} %{time_total}' --max-time "$timeout" "${TUS_PATCH_ARGS[@]}" >"${outs[$i]}" 2>&1 &
        pids+=($!)
    done
    CLIENT_PIDS=("${pids[@]}")
    local failed=0
    for ((i = 0; i < count; i++)); do
        wait "${pids[$i]}" || failed=1
    done
    t1=$(now)
    CLIENT_PIDS=()
    for ((i = 0; i < count; i++)); do
        local code secs
        read -r code secs <"${outs[$i]}" || true
        [[ $failed == 0 && $code == 204 ]] || die "Ferry PATCH $((i + 1))/$count answered: $(cat "${outs[$i]}")"
        if ((count == 1)); then LAST_SECS=$secs; fi
        rm -f "${outs[$i]}"
    done
    ((count == 1)) || LAST_SECS=$(calc "$t1 - $t0")
    api DELETE "/api/v1/packages/$pkg" >/dev/null
    purge_ferry_storage_if_tight
}

# nginx_upload_many FILE COUNT: COUNT PUTs of FILE at once; LAST_SECS is their wall time.
nginx_upload_many() {
    local file=$1 count=$2 size pids=() outs=() t0 t1 i timeout
    size=$(stat -c %s "$file")
    timeout=$(transfer_timeout $((size * count)))
    settle
    t0=$(now)
    for ((i = 0; i < count; i++)); do
        outs+=("$WORK/put.$i.out")
        curl -sS -o /dev/null -w '%{http_code} %{time_total}' --max-time "$timeout" -H 'Expect:' \
            -T "$file" "$NGINX_URL/many/file$i.bin" >"${outs[$i]}" 2>&1 &
        pids+=($!)
    done
    CLIENT_PIDS=("${pids[@]}")
    local failed=0
    for ((i = 0; i < count; i++)); do
        wait "${pids[$i]}" || failed=1
    done
    t1=$(now)
    CLIENT_PIDS=()
    for ((i = 0; i < count; i++)); do
        local code secs
        read -r code secs <"${outs[$i]}" || true
        [[ $failed == 0 && ($code == 201 || $code == 204) ]] || die "nginx PUT $((i + 1))/$count answered: $(cat "${outs[$i]}")"
        rm -f "${outs[$i]}"
    done
    LAST_SECS=$(calc "$t1 - $t0")
    rm -rf "$NGINX_ROOT/many"
}

# --- scenarios -----------------------------------------------------------------------------------

# run_side ferry|nginx single|many → LAST_SECS
run_side() {
    local side=$1 kind=$2
    case $side/$kind in
        ferry/single) ferry_upload_many "$DATA/single.bin" "$SIZE" 1 ;;
        nginx/single) nginx_upload "$DATA/single.bin" single.bin ;;
        ferry/many) ferry_upload_many "$DATA/part.bin" "$CONC_SIZE" "$CONC" ;;
        nginx/many) nginx_upload_many "$DATA/part.bin" "$CONC" ;;
    esac
}

TARGET_INPROCESS=1.00
TARGET_SEPARATE=0.80
TARGET_RSS_MIB=64

verdict() { awk -v x="$1" -v t="$2" 'BEGIN { print (x >= t) ? "met" : "NOT met" }'; }

# scenario KIND BYTES ROUNDS WARMUP TITLE: interleaved rounds (order alternates), medians, ratio.
scenario() {
    local kind=$1 bytes=$2 rounds=$3 warmup=$4 title=$5
    local f_secs=() n_secs=() ratios=() r first second f n fm nm ratio
    echo
    echo "== $title =="
    ((NGINX_ONLY)) || ferry_restart
    if ((warmup)); then
        if ((NGINX_ONLY)); then
            run_side nginx "$kind"
            n=$LAST_SECS
            echo "warm-up: nginx $(fmt2 "$n") s ($(mbps "$bytes" "$n") MB/s)  (not counted)"
        else
            run_side ferry "$kind"
            f=$LAST_SECS
            run_side nginx "$kind"
            n=$LAST_SECS
            echo "warm-up: ferry $(fmt2 "$f") s ($(mbps "$bytes" "$f") MB/s)  nginx $(fmt2 "$n") s ($(mbps "$bytes" "$n") MB/s)  (not counted)"
        fi
    fi
    for ((r = 1; r <= rounds; r++)); do
        if ((NGINX_ONLY)); then
            run_side nginx "$kind"
            n_secs+=("$LAST_SECS")
            echo "round $r: nginx $(fmt2 "$LAST_SECS") s ($(mbps "$bytes" "$LAST_SECS") MB/s)"
            continue
        fi
        if ((r % 2)); then first=ferry second=nginx; else first=nginx second=ferry; fi
        for side in "$first" "$second"; do
            run_side "$side" "$kind"
            if [[ $side == ferry ]]; then
                f=$LAST_SECS
            else
                n=$LAST_SECS
            fi
        done
        f_secs+=("$f")
        n_secs+=("$n")
        ratio=$(calc "$n / $f") # throughput ratio ferry/nginx = nginx time / ferry time
        ratios+=("$ratio")
        echo "round $r: ferry $(fmt2 "$f") s ($(mbps "$bytes" "$f") MB/s)  nginx $(fmt2 "$n") s ($(mbps "$bytes" "$n") MB/s)  ratio $(fmt2 "$ratio")  [$first first]"
    done
    nm=$(median "${n_secs[@]}")
    if ((NGINX_ONLY)); then
        echo "median: nginx $(fmt2 "$nm") s ($(mbps "$bytes" "$nm") MB/s)"
        return 0
    fi
    fm=$(median "${f_secs[@]}")
    ratio=$(median "${ratios[@]}")
    echo "median: ferry $(fmt2 "$fm") s ($(mbps "$bytes" "$fm") MB/s)  nginx $(fmt2 "$nm") s ($(mbps "$bytes" "$nm") MB/s)"
    if [[ $NODE == separate ]]; then
        echo "median ratio (ferry/nginx throughput): $(fmt2 "$ratio")   target separate node >= $TARGET_SEPARATE: $(verdict "$ratio" "$TARGET_SEPARATE")"
    else
        echo "median ratio (ferry/nginx throughput): $(fmt2 "$ratio")   target in-process node >= $TARGET_INPROCESS: $(verdict "$ratio" "$TARGET_INPROCESS")"
    fi
    rss_report
}

rss_scenario() {
    local total=$((CONC * SIZE))
    echo
    echo "== Ferry peak RSS: $CONC concurrent uploads of $(human_size "$SIZE") (ferry only) =="
    ferry_restart
    ferry_upload_many "$DATA/single.bin" "$SIZE" "$CONC"
    echo "ferry: $(fmt2 "$LAST_SECS") s for $(human_size "$total") ($(mbps "$total" "$LAST_SECS") MB/s)"
    rss_report target
}

# --- report --------------------------------------------------------------------------------------

echo "Ferry upload benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)"
header_ferry
echo "nginx: $("$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //') WebDAV PUT, client_body_buffer_size 1m, 2 workers"
header_machine
if [[ $NODE == separate && -n ${NODE_PORT-} ]]; then
    echo "node: a separate 'ferry node' process on 127.0.0.1:$NODE_PORT; the gateway streams each PATCH to it over loopback HTTP/1.1"
fi
echo "timed: Ferry's tus PATCH (whole file, one request; answered 204 after its bytes are durable) vs nginx's PUT (no fsync); MB/s = 10^6 bytes/s"
((NGINX_ONLY)) && echo "(--nginx-only: Ferry skipped)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)  (other work on this machine adds noise: compare ratios within one run)"
# Reference: the same bytes written durably by dd (no HTTP), the ceiling for fsync-before-ack.
settle
t0=$(now)
dd if="$DATA/single.bin" of="$WORK/dd-reference.bin" bs=1M conv=fsync status=none
t1=$(now)
rm -f "$WORK/dd-reference.bin"
echo "disk reference: dd bs=1M conv=fsync of $(human_size "$SIZE"): $(fmt2 "$(calc "$t1 - $t0")") s ($(mbps "$SIZE" "$(calc "$t1 - $t0")") MB/s)"

scenario single "$SIZE" "$ROUNDS" 1 "1 file of $(human_size "$SIZE"): warm-up + $ROUNDS interleaved rounds"
if ((CONC_ROUNDS > 0)); then
    scenario many $((CONC * CONC_SIZE)) "$CONC_ROUNDS" 0 \
        "$CONC concurrent uploads of $(human_size "$CONC_SIZE"): $CONC_ROUNDS interleaved rounds (wall time of all $CONC)"
fi
if ((RSS)); then
    if ((NGINX_ONLY)); then
        echo "(--rss skipped: --nginx-only)"
    else
        rss_scenario
    fi
fi
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
