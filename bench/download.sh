#!/usr/bin/env bash
# Download benchmark: a 1 GiB GET through Ferry's gateway (receive token; transfer node in-process or
# a separate `ferry node`) against nginx serving the same bytes as a static file with `sendfile on`,
# on loopback, interleaved. A measurement script, not a test: it prints numbers and targets.
#
#   bench/download.sh                    # 1 GiB × (warm-up + 5 rounds)
#   bench/download.sh --size 64MiB --rounds 2     # quick check
#   bench/download.sh --node separate    # the gateway reads from `ferry node` over HTTP
#   bench/download.sh --storage s3       # the transfer node reads from a bucket on moto
#   bench/download.sh --zip              # "Download as ZIP" of 10 × 100 MiB: vs ten GETs, vs
#                                        # nginx serving the same ZIP; server RSS, 10 at once
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
  --size SIZE            file size, e.g. 1GiB, 64MiB (default 1GiB; with --zip, each of the
                         ten files' size, default 100MiB)
  --zip                  the package's ZIP archive (GET /packages/{id}/zip through the link the
                         web app's "Download as ZIP" uses) against ten sequential GETs of its files
                         (one curl, one connection) and against nginx serving the same archive as a
                         static file; then Ferry's peak RSS during 10 concurrent archive downloads
EOF_USAGE
    common_usage
    cat <<'EOF_USAGE'

Both servers read the file from the page cache (the warm-up reads it once through each); curl
writes the bytes to /dev/null. The download goes to a recipient of the package, so Ferry's exact
download tracking runs as it does for real downloads.
EOF_USAGE
}

ZIP=0
ZIP_FILES=10
SIZE_ARG=
while (($#)); do
    if [[ $1 == --zip ]]; then
        ZIP=1
        shift
        continue
    fi
    common_option "$@" || { usage >&2; die "unknown option: $1"; }
    shift "$OPT_SHIFT"
done
# With --zip, --size is each file's size, and its default is 100 MiB.
if [[ -z $SIZE_ARG ]]; then
    if ((ZIP)); then SIZE_ARG=100MiB; else SIZE_ARG=1GiB; fi
fi
check_common_options

# Each transfer is bounded: 60 s plus 10 MB/s for its bytes (loopback GETs do >1 GB/s here).
transfer_timeout() { echo $((60 + $1 / 10000000)); }

# --- tools, work directory, Ferry binary ---------------------------------------------------------

check_tools sha256sum
make_workdir ferry-download-bench
# Free space: the test data, nginx's copy, Ferry's upload and its published object.
need_space $((4 * SIZE + (1 << 30)))
choose_ferry_bin

if ((ZIP)); then
    # shellcheck source=bench/download-zip.sh
    source "$BENCH_DIR/download-zip.sh"
    exit 0
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

FERRY_FILE_URL=
FERRY_FILE_TOKEN=
start_ferry
if ((!NGINX_ONLY)); then
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
header_ferry
echo "nginx: $("$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //') static GET, sendfile on, 2 workers"
header_machine
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
