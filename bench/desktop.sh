#!/usr/bin/env bash
# Desktop client benchmark: `ferry-desktop send` and `ferry-desktop receive` against curl doing
# the same transfers by hand through the same Ferry gateway (and, for a tree of small files, against
# nginx WebDAV PUT), on loopback, interleaved round by round. A measurement script, not a test: it
# prints numbers and targets.
#
#   bench/desktop.sh                     # 1 GiB, 10 × 100 MiB, 1,000 small files; 3 rounds each
#   bench/desktop.sh --small --rounds 1  # quick check: 64 MiB, 10 × 8 MiB, 200 small files
#   bench/desktop.sh --ferry-bin target/release/ferry   # and target/release/ferry-desktop beside it
#
# Run `bench/desktop.sh --help` for every option. Needs root or sudo only to install Debian's
# nginx-light, jq and time when they are missing; it never touches the system's nginx config or
# service, nor the user's ferry-desktop sign-in or journals (the client runs with a HOME of its own).
set -euo pipefail
shopt -s inherit_errexit

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

usage() {
    cat <<'EOF_USAGE'
usage: bench/desktop.sh [options]

What is measured (each scenario: --rounds interleaved rounds, the order alternating; medians):
  (a) one big file: `ferry-desktop send` vs curl (package API, tus creation, one PATCH)
  (b) 10 files: `ferry-desktop send` of all ten (one package) vs ten concurrent curl PATCHes
  (c) a tree of small files: `ferry-desktop send DIR` vs nginx WebDAV PUTs with `curl --parallel`
  (d) `ferry-desktop receive` of each of those three packages vs curl GETs of the same files
      (download transfer spec, then `curl --parallel`)
  and the client's peak RSS in each (GNU time's maximum resident set size).

  --rounds N             interleaved rounds of each scenario (default 3)
  --small                a quick check: 64 MiB, 10 × 8 MiB and 200 small files
  --single-size SIZE     the big file of (a), e.g. 1GiB, 64MiB (default 1GiB)
  --many-size SIZE       each of the ten files of (b) (default 100MiB)
  --tree-files N         files in the tree of (c), 1 to 64 KiB each, random sizes and bytes from a
                         fixed seed (default 1000)
  --parallel-max N       curl --parallel-max for the tree and the GETs (default 50, curl's own)
  --node inprocess|separate
                         where Ferry's transfer node runs: inside `ferry serve` (default), or as
                         its own `ferry node` process that the gateway reaches over loopback HTTP
  --storage local|s3     where the transfer node keeps files: the local disk (default), or a bucket
                         on moto (see bench/upload.sh --help)
  --profile release|debug
                         cargo profile to build and run (default release; debug numbers are not
                         comparable)
  --ferry-bin PATH       use this ferry binary instead of building one
  --desktop-bin PATH     use this ferry-desktop binary (default: the one beside --ferry-bin if
                         there is one, else a fresh cargo build)
  --no-sync              do not run `sync` (untimed) before each timed transfer
  --workdir-base DIR     where the temporary work directory is made (default $TMPDIR or /tmp)
  --keep                 keep the work directory (logs, data) instead of deleting it
  -h, --help             this help

Timed, Ferry's client: the whole `ferry-desktop` command, start to exit (it hashes each file
before sending it, declares it, uploads with tus in 64 MiB PATCHes, 4 files at a time, and checks
the package was sent; it writes each received file to NAME.part, checks its SHA-256, fsyncs it and
renames it, with its journal synced at each step). Timed, curl: its whole sequence as a script
would do it, API requests included (package, transfer spec, tus creations, PATCHes; or download
spec and GETs, written to disk without fsync); the transfer alone is shown beside it. Ratio: curl's
time / ferry-desktop's time (a throughput ratio, > 1 means ferry-desktop is faster).
EOF_USAGE
}

ROUNDS=3
SINGLE_SIZE_ARG=1GiB
MANY_SIZE_ARG=100MiB
MANY_COUNT=10
TREE_FILES=1000
TREE_SEED=20261123
PARALLEL_MAX=50
DESKTOP_BIN_ARG=
SMALL=0
SINGLE_SET=0
MANY_SET=0
TREE_SET=0

while (($#)); do
    case $1 in
        --small) SMALL=1; shift ;;
        --single-size) SINGLE_SIZE_ARG=${2:?--single-size needs a value}; SINGLE_SET=1; shift 2 ;;
        --many-size) MANY_SIZE_ARG=${2:?--many-size needs a value}; MANY_SET=1; shift 2 ;;
        --tree-files) TREE_FILES=${2:?--tree-files needs a value}; TREE_SET=1; shift 2 ;;
        --parallel-max) PARALLEL_MAX=${2:?--parallel-max needs a value}; shift 2 ;;
        --desktop-bin) DESKTOP_BIN_ARG=${2:?--desktop-bin needs a value}; shift 2 ;;
        --size | --nginx-only) usage >&2; die "$1 is not an option of this script" ;;
        *)
            common_option "$@" || { usage >&2; die "unknown option: $1"; }
            shift "$OPT_SHIFT"
            ;;
    esac
done

if ((SMALL)); then
    ((SINGLE_SET)) || SINGLE_SIZE_ARG=64MiB
    ((MANY_SET)) || MANY_SIZE_ARG=8MiB
    ((TREE_SET)) || TREE_FILES=200
fi
check_common_options
SINGLE_SIZE=$(parse_size "$SINGLE_SIZE_ARG")
MANY_SIZE=$(parse_size "$MANY_SIZE_ARG")
((SINGLE_SIZE > 0)) || die "--single-size must be positive"
((MANY_SIZE > 0)) || die "--many-size must be positive"
[[ $TREE_FILES =~ ^[1-9][0-9]*$ ]] || die "--tree-files must be a positive integer"
# Ferry's default limit of files per package sent with the desktop client.
((TREE_FILES <= 10000)) || die "--tree-files is at most 10000 (Ferry's default desktop limit per package)"
[[ $PARALLEL_MAX =~ ^[1-9][0-9]*$ ]] || die "--parallel-max must be a positive integer"
((PARALLEL_MAX <= 300)) || die "--parallel-max is at most 300 (curl's own bound)"

# Each transfer is bounded: 60 s plus 10 MB/s for its bytes plus 0.2 s a file.
transfer_timeout() { echo $((60 + $1 / 10000000 + ${2:-1} / 5)); }

# --- tools, work directory, binaries, servers ----------------------------------------------------

check_tools stat find basename timeout cmp diff
TIME_BIN=/usr/bin/time
if [[ ! -x $TIME_BIN ]]; then
    ensure_debian_packages time
fi
"$TIME_BIN" -f %M -o /dev/null true 2>/dev/null || die "$TIME_BIN is not GNU time (install Debian's time)"
make_workdir ferry-desktop-bench

# Free space: the test data; Ferry's copies of every package sent by either side (a deleted
# package's files are deleted at once, but this holds even if they were left to a later reclaim;
# the three sent last are kept for (d)); one received copy at a time.
TOTAL_MANY=$((MANY_COUNT * MANY_SIZE))
TREE_MAX_BYTES=$((TREE_FILES * 65536))
need_space $(((2 * ROUNDS + 1) * (SINGLE_SIZE + TOTAL_MANY + TREE_MAX_BYTES) +
    (SINGLE_SIZE > TOTAL_MANY ? SINGLE_SIZE : TOTAL_MANY) + (1 << 30)))

# One cargo build for both binaries when either is to be built.
if [[ -z $DESKTOP_BIN_ARG && -n $FERRY_BIN_ARG && -x $(dirname "$FERRY_BIN_ARG")/ferry-desktop ]]; then
    DESKTOP_BIN_ARG=$(dirname "$FERRY_BIN_ARG")/ferry-desktop
fi
if [[ -z $FERRY_BIN_ARG || -z $DESKTOP_BIN_ARG ]]; then
    command -v cargo >/dev/null 2>&1 || die "cargo is required to build ferry and ferry-desktop (or pass --ferry-bin and --desktop-bin)"
    profile_flag=()
    [[ $PROFILE == release ]] && profile_flag=(--release)
    log "building ferry and ferry-desktop ($PROFILE): cargo build ${profile_flag[*]} --locked -p server -p desktop"
    (cd "$REPO_DIR" && timeout 45m cargo build "${profile_flag[@]}" --locked -p server -p desktop) >&2 ||
        die "cargo build failed"
    target_dir=$(cd "$REPO_DIR" && cargo metadata --format-version 1 --no-deps | jq -r .target_directory)
    [[ -n $FERRY_BIN_ARG ]] || FERRY_BIN_ARG=$target_dir/$PROFILE/ferry
    [[ -n $DESKTOP_BIN_ARG ]] || DESKTOP_BIN_ARG=$target_dir/$PROFILE/ferry-desktop
fi
choose_ferry_bin
[[ -x $DESKTOP_BIN_ARG ]] || die "--desktop-bin $DESKTOP_BIN_ARG is not executable"
# A private copy, so a rebuild by someone else during the run cannot swap the binary.
cp "$DESKTOP_BIN_ARG" "$WORK/ferry-desktop"
DESKTOP_BIN=$WORK/ferry-desktop
DESKTOP_VERSION=$("$DESKTOP_BIN" --version 2>/dev/null || echo unknown)

# The client's own config and data directories (sign-in, journals) live in the work directory; it
# is given the server and the token on its command line.
DESKTOP_HOME=$WORK/desktop-home
mkdir -p "$DESKTOP_HOME"
DESKTOP_ENV=(-u FERRY_SERVER -u FERRY_TOKEN HOME="$DESKTOP_HOME" XDG_CONFIG_HOME="$DESKTOP_HOME/.config"
    XDG_DATA_HOME="$DESKTOP_HOME/.local/share" XDG_CACHE_HOME="$DESKTOP_HOME/.cache" NO_COLOR=1)

NGINX_PORT=$(free_port)
NGINX_ROOT=$WORK/nginx-root
nginx_start "$NGINX_BIN" "$BENCH_DIR/nginx.conf.template" "$WORK/nginx" "$NGINX_ROOT" "$NGINX_PORT"
NGINX_URL=http://127.0.0.1:$NGINX_PORT

# The admin (FERRY_TOKEN, exported by start_ferry) sends; the recipient receives with a token of
# its own.
start_ferry
SENDER_TOKEN=$FERRY_TOKEN
RECIPIENT_TOKEN=$(ferry_admin_token "$FERRY_API" "$RECIPIENT" "$ADMIN_PASSWORD")

# --- test data -----------------------------------------------------------------------------------

DATA=$WORK/data
mkdir -p "$DATA/single" "$DATA/many"
log "generating test data: $(human_size "$SINGLE_SIZE"), $MANY_COUNT × $(human_size "$MANY_SIZE") and $TREE_FILES files of 1-64 KiB"
head -c "$SINGLE_SIZE" /dev/urandom >"$DATA/single/single.bin"
MANY_FILES=()
for ((i = 1; i <= MANY_COUNT; i++)); do
    f=$DATA/many/part$(printf %02d "$i").bin
    head -c "$MANY_SIZE" /dev/urandom >"$f"
    MANY_FILES+=("$f")
done
# tree/dN/sM/fNNNN.bin: 10 folders of 5 folders each; sizes and bytes from a fixed seed.
python3 - "$DATA/tree" "$TREE_FILES" "$TREE_SEED" <<'EOF_PY'
import os, random, sys
root, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
for i in range(count):
    folder = os.path.join(root, f"d{i % 10}", f"s{(i // 10) % 5}")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"f{i:04d}.bin"), "wb") as out:
        out.write(rng.randbytes(rng.randint(1024, 65536)))
EOF_PY
TREE_BYTES=$(find "$DATA/tree" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
mapfile -t TREE_PATHS < <(cd "$DATA" && find tree -type f | sort)
((${#TREE_PATHS[@]} == TREE_FILES)) || die "made ${#TREE_PATHS[@]} tree files, not $TREE_FILES"
TREE_DIRS=$(find "$DATA/tree" -mindepth 2 -maxdepth 2 -type d | wc -l)

# The nginx side of (c): one curl config for every PUT of the tree.
{
    for p in "${TREE_PATHS[@]}"; do
        printf 'url = "%s/%s"\nupload-file = "%s/%s"\noutput = "/dev/null"\n' "$NGINX_URL" "$p" "$DATA" "$p"
    done
} >"$WORK/tree-put.curl"

# --- ferry-desktop -------------------------------------------------------------------------------
# Each timed run sets LAST_SECS (wall time of the whole command), LAST_RSS_KIB (its peak RSS, from
# GNU time) and, for send, LAST_PKG (the package it sent).

LAST_SECS=
LAST_XFER=
LAST_RSS_KIB=
LAST_PKG=

# desktop_run TIMEOUT TOKEN ARGS...: runs ferry-desktop --json with ARGS, timed; dies on failure.
desktop_run() {
    local limit=$1 token=$2 t0 t1 rc=0
    shift 2
    local out=$WORK/desktop.out err=$WORK/desktop.err tfile=$WORK/desktop.time
    settle
    t0=$(now)
    env "${DESKTOP_ENV[@]}" "$TIME_BIN" -f %M -o "$tfile" timeout "$limit" \
        "$DESKTOP_BIN" --server "$FERRY_API" --token "$token" --json "$@" >"$out" 2>"$err" || rc=$?
    t1=$(now)
    if ((rc != 0)); then
        die "ferry-desktop $1 exited with $rc$( ((rc == 124)) && echo " (timed out after $limit s)"): $(tail -n 5 "$out") $(tail -n 20 "$err")"
    fi
    jq -e 'select(.event == "result") | .ok' "$out" >/dev/null 2>&1 ||
        die "ferry-desktop $1 printed no successful result: $(tail -n 5 "$out") $(tail -n 20 "$err")"
    LAST_SECS=$(calc "$t1 - $t0")
    LAST_XFER=$LAST_SECS
    LAST_RSS_KIB=$(tail -n 1 "$tfile")
    [[ $LAST_RSS_KIB =~ ^[0-9]+$ ]] || die "GNU time gave no peak RSS: $(cat "$tfile")"
}

# desktop_send TITLE BYTES FILES PATH...: one `send`; sets LAST_PKG.
desktop_send() {
    local title=$1 bytes=$2 files=$3
    shift 3
    desktop_run "$(transfer_timeout "$bytes" "$files")" "$SENDER_TOKEN" send --to "$RECIPIENT" \
        --title "$title" --expires never "$@"
    LAST_PKG=$(jq -er 'select(.event == "result") | .package_id' "$WORK/desktop.out")
    local sent_files
    sent_files=$(jq -er 'select(.event == "result") | .files' "$WORK/desktop.out")
    [[ $sent_files == "$files" ]] || die "ferry-desktop sent $sent_files files, not $files"
}

# desktop_receive PKG BYTES FILES DIR: one `receive` into DIR (made empty first).
desktop_receive() {
    local pkg=$1 bytes=$2 files=$3 dir=$4
    rm -rf "$dir"
    mkdir -p "$dir"
    desktop_run "$(transfer_timeout "$bytes" "$files")" "$RECIPIENT_TOKEN" receive "$pkg" --dir "$dir"
}

# --- curl ----------------------------------------------------------------------------------------

# curl_send TITLE FILE...: one package with these files (package, then transfer spec), then every
# file at once, each as a tus creation followed by one PATCH of the whole file. Untimed afterwards:
# the package is sent, and is deleted. LAST_SECS: from the first API request to the last PATCH's
# end; LAST_XFER: the PATCHes alone (from the first one's start). The spec asked for is the
# browser's (no "client" in the request): at most the admin's max_files_per_package files, 10 by
# default, which the ten files of (b) fit; ferry-desktop asks for the desktop's (folders, 10,000).
curl_send() {
    local title=$1
    shift
    local paths=("$@") n=$# i sizes=() files_json pkg_body spec_body
    for f in "${paths[@]}"; do sizes+=("$(stat -c %s "$f")"); done
    files_json=$(for ((i = 0; i < n; i++)); do printf '%s\t%s\n' "${paths[$i]##*/}" "${sizes[$i]}"; done |
        jq -Rnc '[inputs | split("\t") | {name: .[0], size: (.[1] | tonumber)}]')
    pkg_body=$(jq -nc --arg t "$title" --arg r "$RECIPIENT" \
        '{title: $t, recipients: [$r], expiration: {kind: "none"}}')
    spec_body=$(jq -nc --argjson f "$files_json" '{files: $f}')
    local total=0
    for s in "${sizes[@]}"; do total=$((total + s)); done
    local timeout t0 t1 t2 pkg_json pkg spec lines endpoint gtoken fid fname
    timeout=$(transfer_timeout "$total" "$n")
    settle
    t0=$(now)
    pkg_json=$(api POST /api/v1/packages "$pkg_body")
    pkg=$(jq -er .id <<<"$pkg_json")
    spec=$(api POST "/api/v1/packages/$pkg/transfer_spec/upload" "$spec_body")
    mapfile -t lines < <(jq -r '.tus_endpoint, .token, (.files[] | "\(.id)\t\(.name)")' <<<"$spec")
    endpoint=${lines[0]}
    gtoken=${lines[1]}
    local pids=() outs=() starts=() fids=()
    for ((i = 0; i < n; i++)); do
        IFS=$'\t' read -r fid fname <<<"${lines[$((i + 2))]}"
        [[ $fname == "${paths[$i]##*/}" ]] || die "the spec lists $fname where ${paths[$i]} was declared"
        fids+=("$fid")
    done
    for ((i = 0; i < n; i++)); do
        outs+=("$WORK/patch.$i.out")
        starts+=("$WORK/patch.$i.start")
        rm -f "${starts[$i]}"
        (
            url=$(tus_create "$endpoint" "$FERRY_GW" "$gtoken" "${fids[$i]}" "${paths[$i]##*/}" "${sizes[$i]}")
            now >"${starts[$i]}"
            tus_patch_args "${paths[$i]}" "$url" "$gtoken"
            exec curl -w '%{http_code}' --max-time "$timeout" "${TUS_PATCH_ARGS[@]}"
        ) >"${outs[$i]}" 2>&1 &
        pids+=($!)
    done
    CLIENT_PIDS=("${pids[@]}")
    local failed=0
    for ((i = 0; i < n; i++)); do
        wait "${pids[$i]}" || failed=1
    done
    t2=$(now)
    CLIENT_PIDS=()
    for ((i = 0; i < n; i++)); do
        [[ $failed == 0 && $(cat "${outs[$i]}") == 204 ]] || die "Ferry upload $((i + 1))/$n: $(cat "${outs[$i]}")"
        rm -f "${outs[$i]}"
    done
    t1=$(sort -g "${starts[@]}" | head -n 1)
    rm -f "${starts[@]}"
    LAST_SECS=$(calc "$t2 - $t0")
    LAST_XFER=$(calc "$t2 - $t1")
    # Untimed: the package is sent (its last file completed), then deleted.
    [[ $(api GET "/api/v1/packages/$pkg" | jq -r '.state // .summary.state') == sent ]] ||
        die "curl's package $pkg is not sent after its uploads"
    api DELETE "/api/v1/packages/$pkg" >/dev/null
}

# curl_receive PKG BYTES FILES DIR: the recipient asks for a download spec (as ferry-desktop does),
# then GETs every file into DIR with `curl --parallel` (no fsync). LAST_SECS: from the spec request
# to the last byte; LAST_XFER: the GETs alone.
curl_receive() {
    local pkg=$1 bytes=$2 files=$3 dir=$4 timeout t0 t1 t2 dspec token conf=$WORK/get.curl
    local codes=$WORK/get.codes
    rm -rf "$dir"
    mkdir -p "$dir"
    timeout=$(transfer_timeout "$bytes" "$files")
    settle
    t0=$(now)
    dspec=$(FERRY_TOKEN=$RECIPIENT_TOKEN api POST "/api/v1/packages/$pkg/transfer_spec/download?client=desktop")
    token=$(jq -r --arg d "$dir" '.token, (.files[] | "url = \"\(.url)\"\noutput = \"\($d)/\(.path // .name)\"")' \
        <<<"$dspec" | { IFS= read -r t && cat >"$conf" && echo "$t"; })
    t1=$(now)
    curl -sS --no-progress-meter --parallel --parallel-max "$PARALLEL_MAX" --create-dirs --max-time "$timeout" \
        -H "Authorization: Bearer $token" -w '%{http_code} %{size_download}\n' -K "$conf" >"$codes" ||
        die "curl GETs of package $pkg failed: $(sort "$codes" | uniq -c | head)"
    t2=$(now)
    local got
    got=$(awk '$1 == 200 { n++; b += $2 } END { printf "%d %d", n, b }' "$codes")
    [[ $got == "$files $bytes" ]] ||
        die "curl GETs of package $pkg: $got (files, bytes) answered 200, want $files $bytes: $(sort "$codes" | uniq -c | head)"
    LAST_SECS=$(calc "$t2 - $t0")
    LAST_XFER=$(calc "$t2 - $t1")
}

# nginx_put_tree: every tree file PUT to nginx with `curl --parallel`; LAST_SECS is its wall time.
nginx_put_tree() {
    local codes=$WORK/put.codes t0 t1 timeout
    timeout=$(transfer_timeout "$TREE_BYTES" "$TREE_FILES")
    rm -rf "$NGINX_ROOT/tree"
    settle
    t0=$(now)
    curl -sS --no-progress-meter --parallel --parallel-max "$PARALLEL_MAX" --max-time "$timeout" -H 'Expect:' \
        -w '%{http_code}\n' -K "$WORK/tree-put.curl" >"$codes" ||
        die "nginx PUTs of the tree failed: $(sort "$codes" | uniq -c | head)"
    t1=$(now)
    local ok
    ok=$(awk '$1 == 201 || $1 == 204 { n++ } END { print n + 0 }' "$codes")
    ((ok == TREE_FILES)) || die "nginx PUTs of the tree: $ok of $TREE_FILES answered 201: $(sort "$codes" | uniq -c | head)"
    LAST_SECS=$(calc "$t1 - $t0")
    LAST_XFER=$LAST_SECS
    rm -rf "$NGINX_ROOT/tree"
}

# --- scenarios -----------------------------------------------------------------------------------

TARGET_RSS_MIB=64
verdict() { awk -v x="$1" -v t="$2" 'BEGIN { print (x >= t) ? "met" : "NOT met" }'; }
max_of() { printf '%s\n' "$@" | sort -g | tail -n 1; }

# Per scenario key: medians and the verdict line, for the summary at the end.
declare -A SUMMARY=()
declare -A RSS_PEAK=()
SUMMARY_KEYS=()

# Packages ferry-desktop sent in the last round of (a), (b) and (c), received in (d).
declare -A KEPT_PKG=()

# run_side KEY desktop|curl ROUND: one side of one round of scenario KEY.
run_side() {
    local key=$1 side=$2 r=$3
    case $key/$side in
        single/desktop) desktop_send "desktop bench single" "$SINGLE_SIZE" 1 "$DATA/single/single.bin" ;;
        single/curl) curl_send "curl bench single" "$DATA/single/single.bin" ;;
        many/desktop) desktop_send "desktop bench many" "$TOTAL_MANY" "$MANY_COUNT" "${MANY_FILES[@]}" ;;
        many/curl) curl_send "curl bench many" "${MANY_FILES[@]}" ;;
        tree/desktop) desktop_send "desktop bench tree" "$TREE_BYTES" "$TREE_FILES" "$DATA/tree" ;;
        tree/curl) nginx_put_tree ;;
        recv-*/desktop)
            desktop_receive "${KEPT_PKG[${key#recv-}]}" "${RECV_BYTES[$key]}" "${RECV_FILES[$key]}" "$WORK/recv-desktop" ;;
        recv-*/curl)
            curl_receive "${KEPT_PKG[${key#recv-}]}" "${RECV_BYTES[$key]}" "${RECV_FILES[$key]}" "$WORK/recv-curl" ;;
    esac
    # What the round leaves behind: a package sent by ferry-desktop is kept from the last round
    # (for (d)) and deleted otherwise; received files are checked in round 1 (untimed) and removed.
    case $key/$side in
        single/desktop | many/desktop | tree/desktop)
            if ((r == ROUNDS)); then
                KEPT_PKG[$key]=$LAST_PKG
            else
                api DELETE "/api/v1/packages/$LAST_PKG" >/dev/null
            fi
            ;;
        recv-*/*)
            local recv_dir=$WORK/recv-$side
            ((r == 1)) && check_received "$key" "$recv_dir" "$side"
            rm -rf "$recv_dir"
            ;;
    esac
}

# Untimed: the files received are the test files, byte for byte, and nothing else (no .part left).
check_received() {
    local key=$1 dir=$2 side=$3
    case $key in
        recv-single) diff -r "$DATA/single" "$dir" >/dev/null ;;
        recv-many) diff -r "$DATA/many" "$dir" >/dev/null ;;
        recv-tree) diff -r "$DATA/tree" "$dir/tree" >/dev/null && [[ $(ls -A "$dir") == tree ]] ;;
    esac || die "$side's received files for $key differ from the test files"
}

# scenario KEY TITLE BYTES FILES UNIT BASELINE TARGET: ROUNDS interleaved rounds, the order
# alternating; prints each round, the medians, the ratio and its verdict. UNIT is MB/s or files/s.
scenario() {
    local key=$1 title=$2 bytes=$3 files=$4 unit=$5 baseline=$6 target=$7
    local d_secs=() c_secs=() x_secs=() ratios=() xratios=() rss=() r first second side d c x dm cm xm ratio xratio
    echo
    echo "== $title: $ROUNDS interleaved rounds =="
    for ((r = 1; r <= ROUNDS; r++)); do
        if ((r % 2)); then first=desktop second=curl; else first=curl second=desktop; fi
        for side in "$first" "$second"; do
            run_side "$key" "$side" "$r"
            if [[ $side == desktop ]]; then
                d=$LAST_SECS
                rss+=("$LAST_RSS_KIB")
            else
                c=$LAST_SECS
                x=$LAST_XFER
            fi
        done
        d_secs+=("$d")
        c_secs+=("$c")
        x_secs+=("$x")
        ratio=$(calc "$c / $d")
        xratio=$(calc "$x / $d")
        ratios+=("$ratio")
        xratios+=("$xratio")
        printf 'round %d: ferry-desktop %s s (%s, peak RSS %s MiB)  %s %s s (%s%s)  ratio %s  [%s first]\n' \
            "$r" "$(fmt2 "$d")" "$(rate "$unit" "$bytes" "$files" "$d")" "$(kib_to_mib "${rss[-1]}")" \
            "$baseline" "$(fmt2 "$c")" "$(rate "$unit" "$bytes" "$files" "$c")" \
            "$([[ $x == "$c" ]] || echo ", transfer alone $(fmt2 "$x") s")" "$(fmt2 "$ratio")" \
            "$([[ $first == desktop ]] && echo ferry-desktop || echo "$baseline")"
    done
    dm=$(median "${d_secs[@]}")
    cm=$(median "${c_secs[@]}")
    xm=$(median "${x_secs[@]}")
    ratio=$(median "${ratios[@]}")
    xratio=$(median "${xratios[@]}")
    RSS_PEAK[$key]=$(max_of "${rss[@]}")
    echo "median: ferry-desktop $(fmt2 "$dm") s ($(rate "$unit" "$bytes" "$files" "$dm"))  $baseline $(fmt2 "$cm") s ($(rate "$unit" "$bytes" "$files" "$cm"))$([[ $xm == "$cm" ]] || echo ", transfer alone $(fmt2 "$xm") s")"
    echo "median ratio ($baseline time / ferry-desktop time): $(fmt2 "$ratio")   target >= $target: $(verdict "$ratio" "$target")$([[ $xm == "$cm" ]] || echo "   (against the transfer alone: $(fmt2 "$xratio"))")"
    echo "ferry-desktop peak RSS: $(kib_to_mib "${RSS_PEAK[$key]}") MiB (highest of $ROUNDS runs)   target < $TARGET_RSS_MIB MiB: $(rss_verdict "${RSS_PEAK[$key]}")"
    SUMMARY[$key]=$(printf '%-44s %6s s %6s s   %5s  >= %-4s %-8s %6s MiB %s' "${title//×/x}" "$(fmt2 "$dm")" "$(fmt2 "$cm")" \
        "$(fmt2 "$ratio")" "$target" "$(verdict "$ratio" "$target")" "$(kib_to_mib "${RSS_PEAK[$key]}")" "$(rss_verdict "${RSS_PEAK[$key]}")")
    SUMMARY_KEYS+=("$key")
}

rss_verdict() { awk -v k="$1" -v t="$TARGET_RSS_MIB" 'BEGIN { print (k / 1024 < t) ? "met" : "NOT met" }'; }

# rate MB/s|files/s BYTES FILES SECONDS
rate() {
    if [[ $1 == files/s ]]; then
        awk -v n="$3" -v s="$4" -v b="$2" 'BEGIN { if (s > 0) printf "%.0f files/s, %.1f MB/s", n / s, b / s / 1e6; else print "inf" }'
    else
        echo "$(mbps "$2" "$4") MB/s"
    fi
}

# --- report --------------------------------------------------------------------------------------

echo "ferry-desktop benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)"
header_ferry
echo "ferry-desktop: $DESKTOP_VERSION ($PROFILE), --json, HOME in the work directory; peak RSS from GNU time (%M)"
echo "nginx: $("$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //') WebDAV PUT, client_body_buffer_size 1m, 2 workers"
header_machine
echo "timed: the whole ferry-desktop command vs curl's whole sequence (API requests included; the transfer alone beside it); curl --parallel-max $PARALLEL_MAX; MB/s = 10^6 bytes/s"
echo "data: $(human_size "$SINGLE_SIZE"); $MANY_COUNT × $(human_size "$MANY_SIZE"); a tree of $TREE_FILES files, 1-64 KiB each ($TREE_BYTES bytes, seed $TREE_SEED, in $TREE_DIRS folders two levels down)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)  (other work on this machine adds noise: compare ratios within one run)"

scenario single "(a) send 1 × $(human_size "$SINGLE_SIZE")" "$SINGLE_SIZE" 1 MB/s "curl" 1.00
scenario many "(b) send $MANY_COUNT × $(human_size "$MANY_SIZE")" "$TOTAL_MANY" "$MANY_COUNT" MB/s "curl" 1.00
scenario tree "(c) send a tree of $TREE_FILES small files" "$TREE_BYTES" "$TREE_FILES" files/s "nginx" 0.50

declare -A RECV_BYTES=([recv-single]=$SINGLE_SIZE [recv-many]=$TOTAL_MANY [recv-tree]=$TREE_BYTES)
declare -A RECV_FILES=([recv-single]=1 [recv-many]=$MANY_COUNT [recv-tree]=$TREE_FILES)
scenario recv-single "(d) receive 1 × $(human_size "$SINGLE_SIZE")" "$SINGLE_SIZE" 1 MB/s "curl" 0.90
scenario recv-many "(d) receive $MANY_COUNT × $(human_size "$MANY_SIZE")" "$TOTAL_MANY" "$MANY_COUNT" MB/s "curl" 0.90
scenario recv-tree "(d) receive a tree of $TREE_FILES small files" "$TREE_BYTES" "$TREE_FILES" files/s "curl" 0.90
echo "(received files checked byte for byte against the test files in round 1, untimed, both sides)"

for key in single many tree; do
    api DELETE "/api/v1/packages/${KEPT_PKG[$key]}" >/dev/null
done

echo
echo "== summary (medians of $ROUNDS rounds; ratio = baseline time / ferry-desktop time) =="
printf '%-44s %8s %8s   %5s  %-16s %10s\n' "scenario" "desktop" "baseline" "ratio" "target" "peak RSS (< $TARGET_RSS_MIB MiB)"
for key in "${SUMMARY_KEYS[@]}"; do
    echo "${SUMMARY[$key]}"
done
echo "baselines: (a) (b) (d) curl through Ferry's gateway, (c) nginx WebDAV PUT"
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
