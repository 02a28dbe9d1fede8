# shellcheck shell=bash
# Helpers for bench/upload.sh and bench/download.sh: sizes, statistics, installs, nginx and Ferry
# processes, and the Ferry package API. Sourced, not run. Everything binds 127.0.0.1 only.

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

# Starts `ferry serve`: ferry_start BIN DATA_DIR HTTP_PORT GATEWAY_PORT ADMIN_PASSWORD LOGFILE.
# Sets FERRY_PID.
FERRY_PID=
ferry_start() {
    local bin=$1 data=$2 http_port=$3 gw_port=$4 password=$5 logfile=$6
    mkdir -p "$data"
    (
        cd "$data" || exit 1
        exec env FERRY_DATA_DIR="$data" \
            FERRY_HTTP_ADDR="127.0.0.1:$http_port" \
            FERRY_GATEWAY_ADDR="127.0.0.1:$gw_port" \
            FERRY_ADMIN_PASSWORD="$password" \
            FERRY_TLS=off \
            FERRY_LOG=warn \
            "$bin" serve
    ) >"$logfile" 2>&1 &
    FERRY_PID=$!
    STARTED_PIDS+=("$FERRY_PID")
    local deadline=$((SECONDS + 120))
    until curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$http_port/healthz"; do
        kill -0 "$FERRY_PID" 2>/dev/null || die "ferry exited on start: $(tail -n 20 "$logfile")"
        ((SECONDS < deadline)) || die "ferry did not become healthy in 120 s: $(tail -n 20 "$logfile")"
        sleep 0.2
    done
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

# Whether the gateway speaks tus: OPTIONS /tus/ answers with a Tus-Version or Tus-Resumable header,
# or GET /info lists a tus protocol (a CORS layer may answer a bare OPTIONS before the tus handler).
tus_available() {
    curl -sS -o /dev/null -D - --max-time 10 -X OPTIONS "$1/tus/" 2>/dev/null |
        grep -qi '^tus-\(version\|resumable\):' && return 0
    curl -sS --max-time 10 "$1/info" 2>/dev/null | jq -e '.protocols | any(startswith("tus"))' >/dev/null 2>&1
}
