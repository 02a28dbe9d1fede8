#!/usr/bin/env bash
# Download benchmark: a 1 GiB GET through Ferry's gateway (receive token; transfer node in-process or
# a separate `ferry node`) against nginx serving the same bytes as a static file with `sendfile on`,
# on loopback, interleaved. A measurement script, not a test: it prints numbers and targets.
#
#   bench/download.sh                    # 1 GiB × (warm-up + 5 rounds)
#   bench/download.sh --size 64MiB --rounds 2     # quick check
#   bench/download.sh --node separate    # the gateway reads from `ferry node` over HTTP
#
# Run `bench/download.sh --help` for every option. Needs root or sudo only to install Debian's
# nginx-light and jq when they are missing; it never touches the system's nginx config or service.
set -euo pipefail
shopt -s inherit_errexit

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

usage() {
    cat <<'EOF_USAGE'
usage: bench/download.sh [options]

  --rounds N             measured rounds, after one warm-up (default 5)
  --size SIZE            file size, e.g. 1GiB, 64MiB (default 1GiB)
  --node inprocess|separate
                         where Ferry's transfer node runs: inside `ferry serve` (default), or as
                         its own `ferry node` process that the gateway reaches over loopback HTTP
  --profile release|debug
                         cargo profile to build and run (default release; debug numbers are not
                         comparable)
  --ferry-bin PATH       use this ferry binary instead of building one
  --nginx-only           skip Ferry (checks the nginx half and the script itself)
  --no-sync              do not run `sync` (untimed) before each timed transfer
  --workdir-base DIR     where the temporary work directory is made (default $TMPDIR or /tmp);
                         nginx's root and Ferry's data dir both live there (same filesystem)
  --keep                 keep the work directory (logs, data) instead of deleting it
  -h, --help             this help

Both servers read the file from the page cache (the warm-up reads it once through each); curl
writes the bytes to /dev/null. The download goes to a recipient of the package, so Ferry's exact
download tracking runs as it does for real downloads.
EOF_USAGE
}

ROUNDS=5
SIZE_ARG=1GiB
NODE=inprocess
PROFILE=release
FERRY_BIN_ARG=
NGINX_ONLY=0
DO_SYNC=1
WORK_BASE=${TMPDIR:-/tmp}
KEEP=0

while (($#)); do
    case $1 in
        --rounds) ROUNDS=${2:?--rounds needs a value}; shift 2 ;;
        --size) SIZE_ARG=${2:?--size needs a value}; shift 2 ;;
        --node) NODE=${2:?--node needs a value}; shift 2 ;;
        --profile) PROFILE=${2:?--profile needs a value}; shift 2 ;;
        --ferry-bin) FERRY_BIN_ARG=${2:?--ferry-bin needs a value}; shift 2 ;;
        --nginx-only) NGINX_ONLY=1; shift ;;
        --no-sync) DO_SYNC=0; shift ;;
        --workdir-base) WORK_BASE=${2:?--workdir-base needs a value}; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
done

case $NODE in
    inprocess | in-process) NODE=inprocess ;;
    separate) ;;
    *) die "--node is inprocess or separate, not $NODE" ;;
esac
case $PROFILE in release | debug) ;; *) die "--profile is release or debug" ;; esac
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer"
SIZE=$(parse_size "$SIZE_ARG")
((SIZE > 0)) || die "--size must be positive"

# Each transfer is bounded: 60 s plus 10 MB/s for its bytes (loopback GETs do >1 GB/s here).
transfer_timeout() { echo $((60 + $1 / 10000000)); }

# --- tools, work directory, cleanup -------------------------------------------------------------

for tool in curl awk sed sort base64 python3 df sync sha256sum; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done
command -v jq >/dev/null 2>&1 || ensure_debian_packages jq
NGINX_BIN=$(ensure_nginx)

mkdir -p "$WORK_BASE"
WORK=$(mktemp -d "$WORK_BASE/ferry-download-bench.XXXXXX")
cleanup() {
    local rc=$?
    stop_all
    if ((KEEP)); then
        log "work directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Free space: the test data, nginx's copy, Ferry's upload and its published object.
need=$((4 * SIZE + (1 << 30)))
avail=$(($(df -Pk "$WORK" | awk 'NR == 2 { print $4 }') * 1024))
((avail >= need)) || die "need about $((need >> 30)) GiB free under $WORK_BASE, have $((avail >> 30)) GiB"

# --- Ferry binary --------------------------------------------------------------------------------

FERRY_BIN=
FERRY_VERSION="(skipped)"
if ((!NGINX_ONLY)); then
    if [[ -n $FERRY_BIN_ARG ]]; then
        [[ -x $FERRY_BIN_ARG ]] || die "--ferry-bin $FERRY_BIN_ARG is not executable"
        src=$FERRY_BIN_ARG
    else
        command -v cargo >/dev/null 2>&1 || die "cargo is required to build ferry (or pass --ferry-bin)"
        profile_flag=()
        [[ $PROFILE == release ]] && profile_flag=(--release)
        log "building ferry ($PROFILE): cargo build ${profile_flag[*]} --locked -p server"
        (cd "$REPO_DIR" && timeout 45m cargo build "${profile_flag[@]}" --locked -p server) >&2 ||
            die "cargo build failed"
        target_dir=$(cd "$REPO_DIR" && cargo metadata --format-version 1 --no-deps | jq -r .target_directory)
        src=$target_dir/$PROFILE/ferry
    fi
    # A private copy, so a rebuild by someone else during the run cannot swap the binary.
    cp "$src" "$WORK/ferry"
    FERRY_BIN=$WORK/ferry
    FERRY_VERSION=$("$FERRY_BIN" --version 2>/dev/null || echo unknown)
fi

# --- test data and servers -----------------------------------------------------------------------

DATA=$WORK/data
mkdir -p "$DATA"
log "generating test data: $(human_size "$SIZE") of random bytes"
head -c "$SIZE" /dev/urandom >"$DATA/single.bin"
DATA_SHA256=$(sha256sum "$DATA/single.bin" | awk '{ print $1 }')

NGINX_PORT=$(free_port)
NGINX_ROOT=$WORK/nginx-root
nginx_start "$NGINX_BIN" "$BENCH_DIR/nginx.conf.template" "$WORK/nginx" "$NGINX_ROOT" "$NGINX_PORT"
cp "$DATA/single.bin" "$NGINX_ROOT/single.bin"
NGINX_FILE_URL=http://127.0.0.1:$NGINX_PORT/single.bin

FERRY_DATA=$WORK/ferry-data
ADMIN_PASSWORD="bench-$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
RECIPIENT=benchrecipient
FERRY_FILE_URL=
FERRY_FILE_TOKEN=
if ((!NGINX_ONLY)); then
    FERRY_HTTP_PORT=$(free_port)
    FERRY_GW_PORT=$(free_port)
    while [[ $FERRY_GW_PORT == "$FERRY_HTTP_PORT" ]]; do FERRY_GW_PORT=$(free_port); done
    if [[ $NODE == separate ]]; then
        NODE_PORT=$(free_port)
        while [[ $NODE_PORT == "$FERRY_HTTP_PORT" || $NODE_PORT == "$FERRY_GW_PORT" ]]; do NODE_PORT=$(free_port); done
        NODE_TOKEN="bench-node-$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
        node_start "$FERRY_BIN" "$WORK/node-data" "$NODE_PORT" "$NODE_TOKEN" "$WORK/node.log"
    fi
    ferry_start "$FERRY_BIN" "$FERRY_DATA" "$FERRY_HTTP_PORT" "$FERRY_GW_PORT" "$ADMIN_PASSWORD" "$WORK/ferry.log"
    FERRY_API=http://127.0.0.1:$FERRY_HTTP_PORT
    FERRY_GW=http://127.0.0.1:$FERRY_GW_PORT
    tus_available "$FERRY_GW" ||
        die "Ferry's gateway at $FERRY_GW does not speak tus (needed to upload the file first)"
    FERRY_TOKEN=$(ferry_admin_token "$FERRY_API" admin "$ADMIN_PASSWORD")
    export FERRY_API FERRY_TOKEN
    api POST /api/v1/admin/users "$(jq -nc --arg u "$RECIPIENT" --arg p "$ADMIN_PASSWORD" \
        '{username: $u, display_name: "Bench Recipient", email: "bench@example.invalid", role: "user", password: $p}')" >/dev/null

    # The admin sends the file to the recipient (kept: expiration "none"), uploaded in one PATCH.
    log "uploading the test file to Ferry"
    pkg=$(api POST /api/v1/packages "$(jq -nc --arg r "$RECIPIENT" \
        '{title: "download benchmark", recipients: [$r], expiration: {kind: "none"}}')")
    pkg_id=$(jq -er .id <<<"$pkg")
    spec=$(api POST "/api/v1/packages/$pkg_id/transfer_spec/upload" \
        "$(jq -nc --argjson s "$SIZE" '{files: [{name: "single.bin", size: $s}]}')")
    upload_url=$(tus_create "$(jq -er .tus_endpoint <<<"$spec")" "$FERRY_GW" "$(jq -er .token <<<"$spec")" \
        "$(jq -er '.files[0].id' <<<"$spec")" single.bin "$SIZE")
    code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time "$(transfer_timeout "$SIZE")" -X PATCH \
        -T "$DATA/single.bin" -H 'Expect:' -H 'Content-Type: application/offset+octet-stream' \
        -H 'Upload-Offset: 0' -H 'Tus-Resumable: 1.0.0' -H "Authorization: Bearer $(jq -er .token <<<"$spec")" \
        "$upload_url") || die "uploading the test file failed"
    [[ $code == 204 ]] || die "uploading the test file answered $code"

    # The recipient asks for a download spec, as the web app does.
    FERRY_TOKEN=$(ferry_admin_token "$FERRY_API" "$RECIPIENT" "$ADMIN_PASSWORD")
    dspec=$(api POST "/api/v1/packages/$pkg_id/transfer_spec/download")
    FERRY_FILE_URL=$(jq -er '.files[0].url' <<<"$dspec")
    FERRY_FILE_TOKEN=$(jq -er .token <<<"$dspec")
    [[ $(jq -er '.files[0].sha256' <<<"$dspec") == "$DATA_SHA256" ]] ||
        die "Ferry's spec names another SHA-256 than the test file's"
fi

# --- one download each way -----------------------------------------------------------------------

# Before each timed transfer (untimed): flush dirty pages, then wait (at most 10 s) until Ferry
# has been idle for 0.3 s, so no earlier work spills into the next measurement.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
settle() {
    if ((DO_SYNC)); then sync; fi
    [[ -n ${FERRY_PID:-} ]] || return 0
    local before after i
    for ((i = 0; i < 33; i++)); do
        before=$(cpu_ticks "$FERRY_PID")
        sleep 0.3
        after=$(cpu_ticks "$FERRY_PID")
        ((after - before > 1)) || return 0
    done
    log "note: ferry stayed busy for 10 s between transfers"
}

LAST_SECS=

# get SIDE: one timed GET of the whole file to /dev/null; sets LAST_SECS.
get() {
    local side=$1 out code secs bytes args
    args=(-sS -o /dev/null -w '%{http_code} %{time_total} %{size_download}' --max-time "$(transfer_timeout "$SIZE")")
    settle
    if [[ $side == ferry ]]; then
        out=$(curl "${args[@]}" -H "Authorization: Bearer $FERRY_FILE_TOKEN" "$FERRY_FILE_URL") ||
            die "Ferry GET failed"
    else
        out=$(curl "${args[@]}" "$NGINX_FILE_URL") || die "nginx GET failed"
    fi
    read -r code secs bytes <<<"$out"
    [[ $code == 200 && $bytes == "$SIZE" ]] || die "$side GET answered $code with $bytes of $SIZE bytes"
    LAST_SECS=$secs
}

# Untimed: both serve exactly the test file.
check_bytes() {
    local side=$1 sum
    if [[ $side == ferry ]]; then
        sum=$(curl -sS --fail --max-time "$(transfer_timeout "$SIZE")" -H "Authorization: Bearer $FERRY_FILE_TOKEN" \
            "$FERRY_FILE_URL" | sha256sum | awk '{ print $1 }')
    else
        sum=$(curl -sS --fail --max-time "$(transfer_timeout "$SIZE")" "$NGINX_FILE_URL" | sha256sum | awk '{ print $1 }')
    fi
    [[ $sum == "$DATA_SHA256" ]] || die "$side served bytes whose SHA-256 differs from the test file's"
}

# --- report --------------------------------------------------------------------------------------

TARGET_INPROCESS=0.90
TARGET_SEPARATE=0.70
verdict() { awk -v x="$1" -v t="$2" 'BEGIN { print (x >= t) ? "met" : "NOT met" }'; }

echo "Ferry download benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "ferry: $FERRY_VERSION ($PROFILE, node $NODE, commit $(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$REPO_DIR" diff --quiet HEAD 2>/dev/null || echo ', work tree modified'))"
echo "nginx: $("$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //') static GET, sendfile on, 2 workers"
echo "machine: $(nproc) cores, $(uname -r), loopback HTTP/1.1, curl $(curl --version | awk 'NR == 1 { print $2 }'); sync before each transfer: $([[ $DO_SYNC == 1 ]] && echo yes || echo no)"
echo "timed: one GET of the whole $(human_size "$SIZE") file to /dev/null (curl time_total); Ferry's as the package's recipient with the receive token; MB/s = 10^6 bytes/s"
((NGINX_ONLY)) && echo "(--nginx-only: Ferry skipped)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)  (other work on this machine adds noise: compare ratios within one run)"

check_bytes nginx
((NGINX_ONLY)) || check_bytes ferry
echo "both serve the test file byte for byte (SHA-256 checked, untimed)"

echo
echo "== 1 file of $(human_size "$SIZE"): warm-up + $ROUNDS interleaved rounds =="
f_secs=()
n_secs=()
ratios=()
if ((NGINX_ONLY)); then
    get nginx
    echo "warm-up: nginx $(fmt2 "$LAST_SECS") s ($(mbps "$SIZE" "$LAST_SECS") MB/s)  (not counted)"
else
    get ferry
    f=$LAST_SECS
    get nginx
    n=$LAST_SECS
    echo "warm-up: ferry $(fmt2 "$f") s ($(mbps "$SIZE" "$f") MB/s)  nginx $(fmt2 "$n") s ($(mbps "$SIZE" "$n") MB/s)  (not counted)"
fi
for ((r = 1; r <= ROUNDS; r++)); do
    if ((NGINX_ONLY)); then
        get nginx
        n_secs+=("$LAST_SECS")
        echo "round $r: nginx $(fmt2 "$LAST_SECS") s ($(mbps "$SIZE" "$LAST_SECS") MB/s)"
        continue
    fi
    if ((r % 2)); then first=ferry second=nginx; else first=nginx second=ferry; fi
    for side in "$first" "$second"; do
        get "$side"
        if [[ $side == ferry ]]; then f=$LAST_SECS; else n=$LAST_SECS; fi
    done
    f_secs+=("$f")
    n_secs+=("$n")
    ratio=$(calc "$n / $f") # throughput ratio ferry/nginx = nginx time / ferry time
    ratios+=("$ratio")
    echo "round $r: ferry $(fmt2 "$f") s ($(mbps "$SIZE" "$f") MB/s)  nginx $(fmt2 "$n") s ($(mbps "$SIZE" "$n") MB/s)  ratio $(fmt2 "$ratio")  [$first first]"
done
nm=$(median "${n_secs[@]}")
if ((NGINX_ONLY)); then
    echo "median: nginx $(fmt2 "$nm") s ($(mbps "$SIZE" "$nm") MB/s)"
else
    fm=$(median "${f_secs[@]}")
    ratio=$(median "${ratios[@]}")
    echo "median: ferry $(fmt2 "$fm") s ($(mbps "$SIZE" "$fm") MB/s)  nginx $(fmt2 "$nm") s ($(mbps "$SIZE" "$nm") MB/s)"
    if [[ $NODE == separate ]]; then
        echo "median ratio (ferry/nginx throughput): $(fmt2 "$ratio")   target separate node >= $TARGET_SEPARATE: $(verdict "$ratio" "$TARGET_SEPARATE")"
    else
        echo "median ratio (ferry/nginx throughput): $(fmt2 "$ratio")   target in-process node >= $TARGET_INPROCESS: $(verdict "$ratio" "$TARGET_INPROCESS")"
    fi
fi
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
