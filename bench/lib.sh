# shellcheck shell=bash
# Helpers for bench/upload.sh and bench/download.sh: their shared options and start-up, sizes,
# statistics, installs, nginx, moto and Ferry processes, and the Ferry package API. Sourced, not
# run. Everything binds 127.0.0.1 only.

log() { printf '%s\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Seconds since the epoch with nanoseconds.
now() { date +%s.%N; }

# "1GiB", "100MiB", "64M", "512k", "1000000" → bytes. K/M/G and KiB/MiB/GiB are binary, KB/MB/GB decimal.
parse_size() {
    local raw=$1 num unit mult
    if [[ ! $raw =~ ^([0-9]+)([A-Za-z]*)$ ]]; then
        die "not a size: $raw (try 1GiB, 100MiB, 64M)"
    fi
    num=${BASH_REMATCH[1]}
    unit=${BASH_REMATCH[2],,}
    case $unit in
        "" | b) mult=1 ;;
        k | ki | kib) mult=1024 ;;
        m | mi | mib) mult=$((1024 * 1024)) ;;
        g | gi | gib) mult=$((1024 * 1024 * 1024)) ;;
        kb) mult=1000 ;;
        mb) mult=1000000 ;;
        gb) mult=1000000000 ;;
        *) die "unknown size unit in $raw" ;;
    esac
    echo $((num * mult))
}

# Bytes → "1 GiB" / "100 MiB" / "12345 B" for headings.
human_size() {
    local b=$1
    if ((b % (1 << 30) == 0)); then
        echo "$((b >> 30)) GiB"
    elif ((b % (1 << 20) == 0)); then
        echo "$((b >> 20)) MiB"
    else
        echo "$b B"
    fi
}

# Arithmetic on decimals (awk), e.g. calc '1073741824 / 1.5 / 1e6'.
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
fmt2() { awk -v x="$1" 'BEGIN { printf "%.2f", x }'; }
fmt0() { awk -v x="$1" 'BEGIN { printf "%.0f", x }'; }

# MB/s (10^6 bytes per second) of BYTES in SECONDS.
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", b / s / 1e6; else print "inf" }'; }

# Median of the arguments (mean of the two middle values for an even count).
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "nan"; exit }
        if (NR % 2) printf "%.6f", v[(NR + 1) / 2]; else printf "%.6f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# A free TCP port on 127.0.0.1 (asked of the kernel; a tiny race with other programs is possible).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Waits up to SECONDS for URL to answer at all (any HTTP status).
wait_http() {
    local url=$1 seconds=$2 deadline
    deadline=$((SECONDS + seconds))
    until curl -s -o /dev/null --max-time 2 "$url"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

# wait_started PID URL NAME LOGFILE SECONDS: waits until URL answers 2xx; dies (with the log's
# tail) if the process PID exits first or SECONDS pass.
wait_started() {
    local pid=$1 url=$2 name=$3 logfile=$4 seconds=$5 deadline
    deadline=$((SECONDS + seconds))
    until curl -sf -o /dev/null --max-time 2 "$url"; do
        kill -0 "$pid" 2>/dev/null || die "$name exited on start: $(tail -n 20 "$logfile")"
        ((SECONDS < deadline)) || die "$name did not answer at $url in $seconds s: $(tail -n 20 "$logfile")"
        sleep 0.2
    done
}

# Installs Debian packages that are missing (idempotent: nothing happens when all are there).
# Debian's maintainer scripts would start a freshly installed service; on machines with a
# policy-rc.d that forbids it (containers) nothing starts, otherwise we say so.
ensure_debian_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    ((${#missing[@]})) || return 0
    log "installing Debian packages: ${missing[*]}"
    local sudo=()
    ((EUID == 0)) || sudo=(sudo)
    if [[ ! -x /usr/sbin/policy-rc.d ]]; then
        log "note: no /usr/sbin/policy-rc.d here, so Debian may start its own nginx service on install;" \
            "this benchmark never uses or changes it"
    fi
    # Refresh the package lists once if they look empty or the install fails on a stale list.
    if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
        "${sudo[@]}" apt-get update -qq
    fi
    if ! DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; then
        "${sudo[@]}" apt-get update -qq
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    fi
}

# Path of a Debian nginx binary that has the WebDAV module, installing nginx-light if needed.
ensure_nginx() {
    if ! command -v nginx >/dev/null 2>&1 && [[ ! -x /usr/sbin/nginx ]]; then
        ensure_debian_packages nginx-light
    fi
    local bin
    bin=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
    "$bin" -V 2>&1 | grep -q -- '--with-http_dav_module' ||
        die "$bin has no WebDAV module (install Debian's nginx-light, nginx-core or nginx-full)"
    echo "$bin"
}

# --- processes -----------------------------------------------------------------------------------

# PIDs this script started; stop_all ends each of them (by id) and is called from the EXIT trap.
# CLIENT_PIDS are the curl uploads running in the background right now.
declare -a STARTED_PIDS=()
declare -a CLIENT_PIDS=()

stop_pid() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

stop_all() {
    local pid
    for pid in "${CLIENT_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    CLIENT_PIDS=()
    for pid in "${STARTED_PIDS[@]}"; do
        stop_pid "$pid"
    done
    STARTED_PIDS=()
}

# Starts nginx from the template: nginx_start BIN TEMPLATE PREFIX ROOT PORT. Sets NGINX_PID.
NGINX_PID=
nginx_start() {
    local bin=$1 template=$2 prefix=$3 root=$4 port=$5 user_line=""
    mkdir -p "$prefix" "$root"
    if ((EUID == 0)); then
        # As root the workers would drop to nobody/www-data, who cannot write to our 0700 temp dir.
        user_line="user $(id -un) $(id -gn);"
    fi
    sed -e "s|@USER_LINE@|$user_line|" -e "s|@PREFIX@|$prefix|g" -e "s|@ROOT@|$root|g" \
        -e "s|@PORT@|$port|g" "$template" >"$prefix/nginx.conf"
    "$bin" -t -q -c "$prefix/nginx.conf" -p "$prefix" 2>"$prefix/test.log" ||
        die "nginx rejected its config: $(cat "$prefix/test.log")"
    "$bin" -c "$prefix/nginx.conf" -p "$prefix" >"$prefix/stdout.log" 2>&1 &
    NGINX_PID=$!
    STARTED_PIDS+=("$NGINX_PID")
    wait_http "http://127.0.0.1:$port/" 20 || die "nginx did not answer on 127.0.0.1:$port ($(cat "$prefix/error.log" 2>/dev/null))"
}

# Environment variables Ferry reads that the benchmark sets itself: cleared first, so settings in
# the caller's shell cannot change what is measured.
FERRY_ENV_CLEARED=(-u FERRY_NODE_URL -u FERRY_NODE_TOKEN -u FERRY_STORAGE -u FERRY_S3_ENDPOINT
    -u FERRY_S3_BUCKET -u FERRY_S3_REGION -u FERRY_S3_ACCESS_KEY_ID -u FERRY_S3_SECRET_ACCESS_KEY
    -u FERRY_S3_PATH_STYLE -u FERRY_S3_ALLOW_HTTP)
# The storage of the process that keeps the files (`ferry node`, or `ferry serve` with its
# in-process node) as NAME=VALUE words; moto_start switches it to the S3 bucket.
STORAGE_SETTINGS=(FERRY_STORAGE=local)

# Starts `ferry serve`: ferry_start BIN DATA_DIR HTTP_PORT GATEWAY_PORT ADMIN_PASSWORD LOGFILE.
# With FERRY_NODE_URL and FERRY_NODE_TOKEN set (node_start sets them), it uses that separate
# transfer node, which keeps the files; otherwise its in-process one, on STORAGE_SETTINGS.
# Sets FERRY_PID.
FERRY_PID=
FERRY_NODE_URL=
FERRY_NODE_TOKEN=
ferry_start() {
    local bin=$1 data=$2 http_port=$3 gw_port=$4 password=$5 logfile=$6
    local settings=("${STORAGE_SETTINGS[@]}")
    if [[ -n $FERRY_NODE_URL ]]; then
        # Ferry refuses other storage settings beside a node URL: the node has them.
        settings=(FERRY_NODE_URL="$FERRY_NODE_URL" FERRY_NODE_TOKEN="$FERRY_NODE_TOKEN" FERRY_STORAGE=local)
    fi
    mkdir -p "$data"
    (
        cd "$data" || exit 1
        exec env "${FERRY_ENV_CLEARED[@]}" "${settings[@]}" \
            FERRY_DATA_DIR="$data" \
            FERRY_HTTP_ADDR="127.0.0.1:$http_port" \
            FERRY_GATEWAY_ADDR="127.0.0.1:$gw_port" \
            FERRY_ADMIN_PASSWORD="$password" \
            FERRY_TLS=off \
            FERRY_LOG=warn \
            "$bin" serve
    ) >"$logfile" 2>&1 &
    FERRY_PID=$!
    STARTED_PIDS+=("$FERRY_PID")
    wait_started "$FERRY_PID" "http://127.0.0.1:$http_port/healthz" ferry "$logfile" 120
    wait_http "http://127.0.0.1:$gw_port/info" 20 || die "ferry's gateway did not answer on 127.0.0.1:$gw_port"
}

ferry_stop() {
    [[ -n $FERRY_PID ]] || return 0
    stop_pid "$FERRY_PID"
    local kept=() pid
    for pid in "${STARTED_PIDS[@]}"; do
        [[ $pid == "$FERRY_PID" ]] || kept+=("$pid")
    done
    STARTED_PIDS=("${kept[@]}")
    FERRY_PID=
}

# Starts `ferry node` on STORAGE_SETTINGS: node_start BIN DATA_DIR PORT TOKEN LOGFILE. Sets
# NODE_PID, and FERRY_NODE_URL and FERRY_NODE_TOKEN for the next ferry_start.
NODE_PID=
node_start() {
    local bin=$1 data=$2 port=$3 token=$4 logfile=$5
    mkdir -p "$data"
    (
        cd "$data" || exit 1
        exec env "${FERRY_ENV_CLEARED[@]}" "${STORAGE_SETTINGS[@]}" \
            FERRY_DATA_DIR="$data" \
            FERRY_NODE_ADDR="127.0.0.1:$port" \
            FERRY_NODE_TOKEN="$token" \
            FERRY_LOG=warn \
            "$bin" node
    ) >"$logfile" 2>&1 &
    NODE_PID=$!
    STARTED_PIDS+=("$NODE_PID")
    FERRY_NODE_URL=http://127.0.0.1:$port
    FERRY_NODE_TOKEN=$token
    # Any HTTP answer will do (401 without the token): the node is listening.
    wait_http "$FERRY_NODE_URL/node/v1/health" 30 ||
        die "ferry node did not answer on 127.0.0.1:$port: $(tail -n 20 "$logfile")"
}

node_stop() {
    [[ -n $NODE_PID ]] || return 0
    stop_pid "$NODE_PID"
    local kept=() pid
    for pid in "${STARTED_PIDS[@]}"; do
        [[ $pid == "$NODE_PID" ]] || kept+=("$pid")
    done
    STARTED_PIDS=("${kept[@]}")
    NODE_PID=
}

# --- S3 storage: moto ----------------------------------------------------------------------------

# moto in server mode from the project's .venv (the same version scripts/setup installs and the
# tests run against), holding one bucket. Python, so it is the S3 stand-in, not a fast store:
# S3 numbers measure Ferry's S3 path against this server, not against MinIO or AWS.
MOTO_VERSION=5.2.5
MOTO_PID=
MOTO_URL=
S3_BUCKET=ferry-bench

# Installs moto into REPO/.venv when it is missing or another version, as scripts/setup does.
ensure_moto() {
    local repo=$1
    if [[ $("$repo/.venv/bin/python" -c 'import moto; print(moto.__version__)' 2>/dev/null) == "$MOTO_VERSION" ]]; then
        return 0
    fi
    python3 -m venv --help >/dev/null 2>&1 || ensure_debian_packages python3-venv
    log "installing moto $MOTO_VERSION (an S3-compatible server) into $repo/.venv"
    python3 -m venv "$repo/.venv"
    "$repo/.venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2 ||
        die "installing moto into $repo/.venv failed"
}

# Starts moto on a free loopback port and creates the bucket: moto_start REPO DIR LOGFILE. moto
# spools objects over 5 MiB to temporary files, which go under DIR (on the work directory's
# filesystem, deleted with it). Sets MOTO_PID and MOTO_URL, and points STORAGE_SETTINGS at the bucket.
moto_start() {
    local repo=$1 dir=$2 logfile=$3 port
    ensure_moto "$repo"
    port=$(free_port)
    mkdir -p "$dir"
    TMPDIR=$dir "$repo/.venv/bin/python" -m moto.server -H 127.0.0.1 -p "$port" >"$logfile" 2>&1 &
    MOTO_PID=$!
    STARTED_PIDS+=("$MOTO_PID")
    MOTO_URL=http://127.0.0.1:$port
    wait_started "$MOTO_PID" "$MOTO_URL/" moto "$logfile" 60
    s3_create_bucket
    # Path-style and plain HTTP: a store on loopback. moto takes any credentials.
    STORAGE_SETTINGS=(FERRY_STORAGE=s3 FERRY_S3_ENDPOINT="$MOTO_URL" FERRY_S3_BUCKET="$S3_BUCKET"
        FERRY_S3_REGION=us-east-1 FERRY_S3_ACCESS_KEY_ID=bench FERRY_S3_SECRET_ACCESS_KEY=bench
        FERRY_S3_PATH_STYLE=true FERRY_S3_ALLOW_HTTP=true)
}

s3_create_bucket() {
    local code
    code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 30 -X PUT "$MOTO_URL/$S3_BUCKET") ||
        die "creating the bucket on moto failed"
    [[ $code == 200 ]] || die "creating the bucket $S3_BUCKET on moto answered $code"
}

# Empties moto (every object, part and multipart upload; its temporary files go with them) and
# makes the bucket again. Only while nothing is uploading.
s3_purge() {
    curl -sSf -o /dev/null --max-time 60 -X POST "$MOTO_URL/moto-api/reset" || die "resetting moto failed"
    s3_create_bucket
}

# --- peak RSS ------------------------------------------------------------------------------------

# VmHWM (peak resident set) and VmRSS (current) of PID in KiB.
vm_hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
vm_rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# Resets PID's VmHWM to its current RSS (Linux ≥ 4.0: writing 5 to clear_refs). Returns 1 if refused.
reset_hwm() { { echo 5 >"/proc/$1/clear_refs"; } 2>/dev/null; }

kib_to_mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# --- Ferry package API ---------------------------------------------------------------------------
# FERRY_API (http://127.0.0.1:port) and FERRY_TOKEN (a personal API token) are set by the caller.

# api METHOD PATH [JSON]: prints the response body; dies with the body on a non-2xx answer.
api() {
    local method=$1 path=$2 body=${3-} out code
    out=$(mktemp)
    local args=(-sS -o "$out" -w '%{http_code}' --max-time 60 -X "$method"
        -H "Authorization: Bearer $FERRY_TOKEN")
    if [[ -n $body ]]; then
        args+=(-H 'Content-Type: application/json' --data-binary "$body")
    fi
    code=$(curl "${args[@]}" "${FERRY_API:?}$path") || {
        rm -f "$out"
        die "$method $path: curl failed"
    }
    if [[ $code != 2* ]]; then
        local text
        text=$(head -c 2000 "$out")
        rm -f "$out"
        die "$method $path answered $code: $text"
    fi
    cat "$out"
    rm -f "$out"
}

# Signs in as the admin (cookie session) and creates a personal API token: prints the token.
ferry_admin_token() {
    local api_url=$1 user=$2 password=$3 jar code body
    jar=$(mktemp)
    body=$(jq -nc --arg u "$user" --arg p "$password" '{username: $u, password: $p}')
    code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 60 -c "$jar" -b "$jar" \
        -H 'x-ferry-request: 1' -H 'Content-Type: application/json' --data-binary "$body" \
        "$api_url/api/v1/session")
    [[ $code == 2* ]] || die "signing in as $user answered $code"
    local out
    out=$(curl -sS --fail-with-body --max-time 60 -c "$jar" -b "$jar" \
        -H 'x-ferry-request: 1' -H 'Content-Type: application/json' \
        --data-binary '{"name": "upload benchmark"}' "$api_url/api/v1/me/tokens") ||
        die "creating an API token failed: $out"
    rm -f "$jar"
    jq -er .token <<<"$out"
}

# Creates a draft package to RECIPIENT with the declared files (JSON array of {name, size}) and
# asks for its upload transfer spec: prints the spec JSON with "package_id".
ferry_upload_spec() {
    local recipient=$1 files_json=$2 pkg id
    pkg=$(api POST /api/v1/packages "$(jq -nc --arg r "$recipient" \
        '{title: "upload benchmark", recipients: [$r]}')")
    id=$(jq -er .id <<<"$pkg")
    api POST "/api/v1/packages/$id/transfer_spec/upload" "$(jq -nc --argjson f "$files_json" '{files: $f}')"
}

b64() { printf '%s' "$1" | base64 -w0; }

# Resolves a (possibly relative) Location against a base URL like http://127.0.0.1:4001.
resolve_location() {
    local base=$1 loc=$2
    case $loc in
        http://* | https://*) echo "$loc" ;;
        /*) echo "${base%/}$loc" ;;
        *) echo "${base%/}/tus/$loc" ;;
    esac
}

# tus creation: tus_create ENDPOINT GATEWAY_BASE TOKEN FILE_ID NAME SIZE → prints the upload URL.
tus_create() {
    local endpoint=$1 base=$2 token=$3 file_id=$4 name=$5 size=$6 headers code loc
    headers=$(mktemp)
    code=$(curl -sS -o /dev/null -D "$headers" -w '%{http_code}' --max-time 60 -X POST \
        -H 'Tus-Resumable: 1.0.0' -H "Upload-Length: $size" \
        -H "Upload-Metadata: file_id $(b64 "$file_id"),filename $(b64 "$name")" \
        -H "Authorization: Bearer $token" "$endpoint") || {
        rm -f "$headers"
        die "tus creation: curl failed"
    }
    loc=$(awk 'tolower($1) == "location:" { sub(/\r$/, "", $2); print $2 }' "$headers")
    rm -f "$headers"
    [[ $code == 201 && -n $loc ]] || die "tus creation at $endpoint answered $code (Location: ${loc:-none})"
    resolve_location "$base" "$loc"
}

# curl's arguments for one tus PATCH of a whole file from offset 0: tus_patch_args FILE URL TOKEN
# sets TUS_PATCH_ARGS (the caller adds -w and --max-time and runs curl itself, so a background
# upload's pid is curl's and stop_all ends it).
# shellcheck disable=SC2034 # read by the scripts
TUS_PATCH_ARGS=()
tus_patch_args() {
    local file=$1 url=$2 token=$3
    # shellcheck disable=SC2034 # read by the scripts
    TUS_PATCH_ARGS=(-sS -o /dev/null -X PATCH -T "$file" -H 'Expect:'
        -H 'Content-Type: application/offset+octet-stream' -H 'Upload-Offset: 0'
        -H 'Tus-Resumable: 1.0.0' -H "Authorization: Bearer $token" "$url")
}

# Whether the gateway speaks tus: OPTIONS /tus/ answers with a Tus-Version or Tus-Resumable header,
# or GET /info lists a tus protocol (a CORS layer may answer a bare OPTIONS before the tus handler).
tus_available() {
    curl -sS -o /dev/null -D - --max-time 10 -X OPTIONS "$1/tus/" 2>/dev/null |
        grep -qi '^tus-\(version\|resumable\):' && return 0
    curl -sS --max-time 10 "$1/info" 2>/dev/null | jq -e '.protocols | any(startswith("tus"))' >/dev/null 2>&1
}

# --- shared start-up of both scripts -------------------------------------------------------------
# Each script sources this file, sets its own defaults and parses its own options, hands the rest
# to common_option, then calls, in order: check_common_options, check_tools, make_workdir,
# need_space, choose_ferry_bin, and (after its nginx) start_ferry.

# The options both scripts take, with their defaults.
ROUNDS=5
SIZE_ARG=1GiB
NODE=inprocess
STORAGE=local
PROFILE=release
FERRY_BIN_ARG=
NGINX_ONLY=0
DO_SYNC=1
WORK_BASE=${TMPDIR:-/tmp}
KEEP=0

# The help lines of the options both scripts take, after each script's own.
common_usage() {
    cat <<'EOF_USAGE'
  --node inprocess|separate
                         where Ferry's transfer node runs: inside `ferry serve` (default), or as
                         its own `ferry node` process that the gateway reaches over loopback HTTP
  --storage local|s3     where the transfer node keeps files: the local disk (default), or a bucket
                         on moto, an S3-compatible server (Python) that the script installs into
                         the project's .venv and runs on loopback for the run; nginx stays on disk
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
EOF_USAGE
}

# Takes one option both scripts know: common_option "$@" sets its variable and OPT_SHIFT (how many
# arguments it used), or returns 1 for an option it does not know. -h prints the script's usage.
OPT_SHIFT=0
# shellcheck disable=SC2034 # OPT_SHIFT is read by the scripts.
common_option() {
    OPT_SHIFT=1
    case $1 in
        --rounds) ROUNDS=${2:?--rounds needs a value}; OPT_SHIFT=2 ;;
        --size) SIZE_ARG=${2:?--size needs a value}; OPT_SHIFT=2 ;;
        --node) NODE=${2:?--node needs a value}; OPT_SHIFT=2 ;;
        --storage) STORAGE=${2:?--storage needs a value}; OPT_SHIFT=2 ;;
        --profile) PROFILE=${2:?--profile needs a value}; OPT_SHIFT=2 ;;
        --ferry-bin) FERRY_BIN_ARG=${2:?--ferry-bin needs a value}; OPT_SHIFT=2 ;;
        --nginx-only) NGINX_ONLY=1 ;;
        --no-sync) DO_SYNC=0 ;;
        --workdir-base) WORK_BASE=${2:?--workdir-base needs a value}; OPT_SHIFT=2 ;;
        --keep) KEEP=1 ;;
        -h | --help) usage; exit 0 ;;
        *) return 1 ;;
    esac
}

# Checks the shared options and sets SIZE (bytes).
check_common_options() {
    case $NODE in
        inprocess | in-process) NODE=inprocess ;;
        separate) ;;
        *) die "--node is inprocess or separate, not $NODE" ;;
    esac
    case $STORAGE in local | s3) ;; *) die "--storage is local or s3, not $STORAGE" ;; esac
    case $PROFILE in release | debug) ;; *) die "--profile is release or debug" ;; esac
    [[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer"
    SIZE=$(parse_size "$SIZE_ARG")
    ((SIZE > 0)) || die "--size must be positive"
}

# Checks the tools both scripts use and the extra ones named, installs jq and nginx-light when
# missing, and sets NGINX_BIN.
check_tools() {
    local tool
    for tool in curl awk sed sort base64 python3 df sync "$@"; do
        command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
    done
    command -v jq >/dev/null 2>&1 || ensure_debian_packages jq
    # shellcheck disable=SC2034 # read by the scripts
    NGINX_BIN=$(ensure_nginx)
}

# Makes the work directory WORK_BASE/NAME.XXXXXX and sets WORK; on exit every process started is
# stopped (moto too) and the directory deleted unless --keep.
make_workdir() {
    mkdir -p "$WORK_BASE"
    WORK=$(mktemp -d "$WORK_BASE/$1.XXXXXX")
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

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

# Dies unless the work directory's filesystem has BYTES free.
need_space() {
    local need=$1 avail
    avail=$(($(df -Pk "$WORK" | awk 'NR == 2 { print $4 }') * 1024))
    ((avail >= need)) || die "need about $((need >> 30)) GiB free under $WORK_BASE, have $((avail >> 30)) GiB"
}

# Sets FERRY_BIN to a private copy of --ferry-bin or of a fresh cargo build (so a rebuild by
# someone else during the run cannot swap the binary), and FERRY_VERSION. Nothing with --nginx-only.
FERRY_BIN=
FERRY_VERSION="(skipped)"
choose_ferry_bin() {
    ((!NGINX_ONLY)) || return 0
    local src
    if [[ -n $FERRY_BIN_ARG ]]; then
        [[ -x $FERRY_BIN_ARG ]] || die "--ferry-bin $FERRY_BIN_ARG is not executable"
        src=$FERRY_BIN_ARG
    else
        command -v cargo >/dev/null 2>&1 || die "cargo is required to build ferry (or pass --ferry-bin)"
        local profile_flag=() target_dir
        [[ $PROFILE == release ]] && profile_flag=(--release)
        log "building ferry ($PROFILE): cargo build ${profile_flag[*]} --locked -p server"
        (cd "$REPO_DIR" && timeout 45m cargo build "${profile_flag[@]}" --locked -p server) >&2 ||
            die "cargo build failed"
        target_dir=$(cd "$REPO_DIR" && cargo metadata --format-version 1 --no-deps | jq -r .target_directory)
        src=$target_dir/$PROFILE/ferry
    fi
    cp "$src" "$WORK/ferry"
    FERRY_BIN=$WORK/ferry
    FERRY_VERSION=$("$FERRY_BIN" --version 2>/dev/null || echo unknown)
}

# Starts moto (--storage s3), `ferry node` (--node separate) and `ferry serve`, signs in as the
# admin and creates the recipient user. Sets the ports, FERRY_API, FERRY_GW and FERRY_TOKEN (the
# admin's, exported for api). Nothing with --nginx-only.
FERRY_DATA=
NODE_DATA=
ADMIN_PASSWORD=
RECIPIENT=benchrecipient
start_ferry() {
    FERRY_DATA=$WORK/ferry-data
    # The separate node's own data dir (--node separate); same filesystem as everything else.
    NODE_DATA=$WORK/node-data
    ADMIN_PASSWORD="bench-$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
    ((!NGINX_ONLY)) || return 0
    if [[ $STORAGE == s3 ]]; then
        moto_start "$REPO_DIR" "$WORK/moto" "$WORK/moto.log"
    fi
    FERRY_HTTP_PORT=$(free_port)
    FERRY_GW_PORT=$(free_port)
    while [[ $FERRY_GW_PORT == "$FERRY_HTTP_PORT" ]]; do FERRY_GW_PORT=$(free_port); done
    if [[ $NODE == separate ]]; then
        NODE_PORT=$(free_port)
        while [[ $NODE_PORT == "$FERRY_HTTP_PORT" || $NODE_PORT == "$FERRY_GW_PORT" ]]; do NODE_PORT=$(free_port); done
        NODE_TOKEN="bench-node-$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
    fi
    start_ferry_processes
    FERRY_API=http://127.0.0.1:$FERRY_HTTP_PORT
    FERRY_GW=http://127.0.0.1:$FERRY_GW_PORT
    tus_available "$FERRY_GW" ||
        die "Ferry's gateway at $FERRY_GW does not speak tus (no Tus-Version header on OPTIONS /tus/, no tus in GET /info); try --nginx-only"
    FERRY_TOKEN=$(ferry_admin_token "$FERRY_API" admin "$ADMIN_PASSWORD")
    export FERRY_API FERRY_TOKEN
    api POST /api/v1/admin/users "$(jq -nc --arg u "$RECIPIENT" --arg p "$ADMIN_PASSWORD" \
        '{username: $u, display_name: "Bench Recipient", email: "bench@example.invalid", role: "user", password: $p}')" >/dev/null
}

# (Re)starts `ferry node` (--node separate) and `ferry serve` on the ports, data dirs and storage
# start_ferry chose.
start_ferry_processes() {
    if [[ $NODE == separate ]]; then
        node_start "$FERRY_BIN" "$NODE_DATA" "$NODE_PORT" "$NODE_TOKEN" "$WORK/node.log"
    fi
    ferry_start "$FERRY_BIN" "$FERRY_DATA" "$FERRY_HTTP_PORT" "$FERRY_GW_PORT" "$ADMIN_PASSWORD" "$WORK/ferry.log"
}

# Before each timed transfer (untimed): flush dirty pages, then wait (at most 10 s) until Ferry
# (its node and moto too, when they run) has been idle for 0.3 s, so no earlier work spills into
# the next measurement.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
ferry_ticks() {
    local total=0 pid
    for pid in "$FERRY_PID" "$NODE_PID" "$MOTO_PID"; do
        [[ -z $pid ]] || total=$((total + $(cpu_ticks "$pid")))
    done
    echo "$total"
}
settle() {
    if ((DO_SYNC)); then sync; fi
    [[ -n ${FERRY_PID:-} ]] || return 0
    local before after i
    for ((i = 0; i < 33; i++)); do
        before=$(ferry_ticks)
        sleep 0.3
        after=$(ferry_ticks)
        ((after - before > 1)) || return 0
    done
    log "note: ferry stayed busy for 10 s between transfers"
}

# The header's lines on Ferry and its storage; the script prints its own nginx and timing lines.
header_ferry() {
    echo "ferry: $FERRY_VERSION ($PROFILE, node $NODE, commit $(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$REPO_DIR" diff --quiet HEAD 2>/dev/null || echo ', work tree modified'))"
    if [[ $STORAGE == s3 ]]; then
        echo "storage: s3, bucket $S3_BUCKET on moto $MOTO_VERSION (Python, objects over 5 MiB in temp files under the work directory) at ${MOTO_URL:-(not started)}, path-style, plain HTTP; nginx stays on the local disk"
    else
        echo "storage: local disk, Ferry's data dir beside nginx's root under $WORK_BASE"
    fi
}

header_machine() {
    echo "machine: $(nproc) cores, $(uname -r), loopback HTTP/1.1, curl $(curl --version | awk 'NR == 1 { print $2 }'); sync before each transfer: $([[ $DO_SYNC == 1 ]] && echo yes || echo no)"
}
