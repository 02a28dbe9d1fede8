# shellcheck shell=bash
# The --zip half of bench/download.sh, sourced by it after its options, tools, work directory and
# Ferry binary are settled; never run on its own.
#
# A package of ZIP_FILES files of SIZE random bytes each, downloaded by its recipient three ways,
# interleaved round by round:
#   zip   — Ferry's archive of the package (GET /packages/{id}/zip with the link the web app's
#           "Download as ZIP" gets), stored entries, built on the fly from the published files;
#   gets  — the same files through Ferry's gateway one after another (one curl, one connection);
#   nginx — one prebuilt stored ZIP of the same files (Python's zipfile) as a static file with
#           `sendfile on`.
# Then Ferry's peak RSS while ZIP_FILES recipients' worth of archive downloads run at once.

TOTAL=$((ZIP_FILES * SIZE))
# Free space: the test data, nginx's archive, Ferry's uploads and published objects, and one
# archive downloaded for the byte check.
need_space $((5 * TOTAL + (1 << 30)))

# --- test data, nginx's archive, Ferry's package -------------------------------------------------

DATA=$WORK/data
mkdir -p "$DATA"
log "generating test data: $ZIP_FILES files of $(human_size "$SIZE") of random bytes"
NAMES=()
for ((i = 1; i <= ZIP_FILES; i++)); do
    NAMES+=("$(printf 'file-%02d.bin' "$i")")
    head -c "$SIZE" /dev/urandom >"$DATA/${NAMES[-1]}"
done

NGINX_PORT=$(free_port)
NGINX_ROOT=$WORK/nginx-root
nginx_start "$NGINX_BIN" "$BENCH_DIR/nginx.conf.template" "$WORK/nginx" "$NGINX_ROOT" "$NGINX_PORT"
log "building nginx's archive: a stored ZIP of the files (Python's zipfile)"
python3 - "$NGINX_ROOT/package.zip" "$DATA" "${NAMES[@]}" <<'EOF_PY'
import sys, zipfile
out, folder, names = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
    for name in names:
        archive.write(f"{folder}/{name}", arcname=name)
EOF_PY
NGINX_ZIP_URL=http://127.0.0.1:$NGINX_PORT/package.zip
NGINX_ZIP_BYTES=$(stat -c %s "$NGINX_ROOT/package.zip")

FERRY_FILE_URLS=()
FERRY_FILE_TOKEN=
PKG_ID=
start_ferry
if ((!NGINX_ONLY)); then
    # The admin sends the files to the recipient (kept: expiration "none"), each in one PATCH.
    log "uploading the test files to Ferry"
    pkg=$(api POST /api/v1/packages "$(jq -nc --arg r "$RECIPIENT" \
        '{title: "zip benchmark", recipients: [$r], expiration: {kind: "none"}}')")
    PKG_ID=$(jq -er .id <<<"$pkg")
    files_json=$(printf '%s\n' "${NAMES[@]}" | jq -Rnc --argjson s "$SIZE" '[inputs | {name: ., size: $s}]')
    spec=$(api POST "/api/v1/packages/$PKG_ID/transfer_spec/upload" "$(jq -nc --argjson f "$files_json" '{files: $f}')")
    upload_token=$(jq -er .token <<<"$spec")
    for name in "${NAMES[@]}"; do
        file_id=$(jq -er --arg n "$name" '.files[] | select(.name == $n) | .id' <<<"$spec")
        upload_url=$(tus_create "$(jq -er .tus_endpoint <<<"$spec")" "$FERRY_GW" "$upload_token" "$file_id" "$name" "$SIZE")
        tus_patch_args "$DATA/$name" "$upload_url" "$upload_token"
        code=$(curl "${TUS_PATCH_ARGS[@]}" -w '%{http_code}' --max-time "$(transfer_timeout "$SIZE")") ||
            die "uploading $name failed"
        [[ $code == 204 ]] || die "uploading $name answered $code"
    done

    # The recipient downloads, as the web app does: a download spec for the single files, a
    # link for the archive.
    FERRY_TOKEN=$(ferry_admin_token "$FERRY_API" "$RECIPIENT" "$ADMIN_PASSWORD")
    dspec=$(api POST "/api/v1/packages/$PKG_ID/transfer_spec/download")
    FERRY_FILE_TOKEN=$(jq -er .token <<<"$dspec")
    for name in "${NAMES[@]}"; do
        FERRY_FILE_URLS+=("$(jq -er --arg n "$name" '.files[] | select(.name == $n) | .url' <<<"$dspec")")
    done
fi

# A fresh archive link (untimed): each is good for 30 minutes, longer than one round.
zip_url() { api POST "/api/v1/packages/$PKG_ID/zip/link" | jq -er .url; }

# Untimed: Ferry's archive holds exactly the files (every entry's SHA-256 against the test data,
# read by Python's zipfile, which also checks each entry's CRC-32); prints its length.
check_ferry_zip() {
    local file=$WORK/ferry.zip
    curl -sS --fail --max-time "$(transfer_timeout "$TOTAL")" -o "$file" "$(zip_url)" ||
        die "downloading Ferry's archive failed"
    python3 - "$file" "$DATA" "${NAMES[@]}" <<'EOF_PY' || die "Ferry's archive does not hold the test files"
import hashlib, sys, zipfile
path, folder, names = sys.argv[1], sys.argv[2], sys.argv[3:]
def digest(stream):
    h = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        h.update(chunk)
    return h.hexdigest()
with zipfile.ZipFile(path) as archive:
    listed = [info.filename for info in archive.infolist()]
    if sorted(listed) != sorted(names):
        sys.exit(f"entries {listed}, expected {names}")
    for name in names:
        with archive.open(name) as entry, open(f"{folder}/{name}", "rb") as source:
            if digest(entry) != digest(source):
                sys.exit(f"{name}: bytes differ")
EOF_PY
    stat -c %s "$file"
    rm -f "$file"
}

# --- one download each way -----------------------------------------------------------------------

LAST_SECS=
LAST_BYTES=

# fetch SIDE: one timed download to /dev/null; sets LAST_SECS (curl's time_total, summed over the
# ten GETs) and LAST_BYTES.
fetch() {
    local side=$1 out code secs bytes url
    local args=(-sS -w '%{http_code} %{time_total} %{size_download}\n' --max-time "$(transfer_timeout "$TOTAL")")
    case $side in
        zip)
            url=$(zip_url)
            settle
            out=$(curl "${args[@]}" -o /dev/null "$url") || die "Ferry's archive GET failed"
            ;;
        gets)
            local each=()
            for url in "${FERRY_FILE_URLS[@]}"; do each+=(-o /dev/null "$url"); done
            settle
            out=$(curl "${args[@]}" -H "Authorization: Bearer $FERRY_FILE_TOKEN" "${each[@]}") ||
                die "Ferry's file GETs failed"
            ;;
        nginx)
            settle
            out=$(curl "${args[@]}" -o /dev/null "$NGINX_ZIP_URL") || die "nginx GET failed"
            ;;
    esac
    LAST_SECS=0
    LAST_BYTES=0
    while read -r code secs bytes; do
        [[ $code == 200 ]] || die "$side: a GET answered $code"
        LAST_SECS=$(calc "$LAST_SECS + $secs")
        LAST_BYTES=$((LAST_BYTES + bytes))
    done <<<"$out"
    local want=$TOTAL
    [[ $side == zip ]] && want=$FERRY_ZIP_BYTES
    [[ $side == nginx ]] && want=$NGINX_ZIP_BYTES
    ((LAST_BYTES == want)) || die "$side: $LAST_BYTES bytes of $want"
}

# Ferry's peak RSS (and its node's, with --node separate) while PARALLEL archive downloads run at
# once; prints "<peak KiB> <start KiB>" per process, in the order ferry, node.
PARALLEL=10
archive_rss() {
    local pids=("$FERRY_PID") pid outs=() i url
    [[ -n $NODE_PID ]] && pids+=("$NODE_PID")
    settle
    local starts=()
    for pid in "${pids[@]}"; do
        reset_hwm "$pid" || die "cannot reset the peak RSS of process $pid (/proc/$pid/clear_refs)"
        starts+=("$(vm_rss_kib "$pid")")
    done
    for ((i = 0; i < PARALLEL; i++)); do
        url=$(zip_url)
        outs+=("$WORK/parallel-$i.out")
        curl -sS -o /dev/null -w '%{http_code} %{size_download}' --max-time "$(transfer_timeout "$TOTAL")" \
            "$url" >"${outs[-1]}" &
        CLIENT_PIDS+=("$!")
    done
    for pid in "${CLIENT_PIDS[@]}"; do wait "$pid" || die "a concurrent archive download failed"; done
    CLIENT_PIDS=()
    for i in "${!outs[@]}"; do
        [[ $(cat "${outs[$i]}") == "200 $FERRY_ZIP_BYTES" ]] ||
            die "concurrent archive download $i answered $(cat "${outs[$i]}") of $FERRY_ZIP_BYTES bytes"
    done
    for i in "${!pids[@]}"; do
        echo "$(vm_hwm_kib "${pids[$i]}") ${starts[$i]}"
    done
}

# --- report --------------------------------------------------------------------------------------

TARGET_ZIP=0.80
TARGET_RSS_MIB=64
verdict() { awk -v x="$1" -v t="$2" 'BEGIN { print (x >= t) ? "met" : "NOT met" }'; }

echo "Ferry archive download benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)"
header_ferry
echo "nginx: $("$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //') static GET of a prebuilt stored ZIP ($NGINX_ZIP_BYTES bytes, Python's zipfile), sendfile on, 2 workers"
header_machine
echo "package: $ZIP_FILES files of $(human_size "$SIZE") random bytes, downloaded by its recipient; every byte goes to /dev/null"
echo "timed: curl's time_total (summed over the ten GETs, which share one connection); ratios compare throughput (bytes/s), so the archives' headers count for both; MB/s = 10^6 bytes/s"
((NGINX_ONLY)) && echo "(--nginx-only: Ferry skipped)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)  (other work on this machine adds noise: compare ratios within one run)"

SIDES=(nginx)
if ((!NGINX_ONLY)); then
    FERRY_ZIP_BYTES=$(check_ferry_zip)
    echo "Ferry's archive ($FERRY_ZIP_BYTES bytes) unzips to the test files (Python's zipfile: names, CRC-32s, SHA-256 of every entry; untimed)"
    SIDES=(zip gets nginx)
fi

echo
echo "== $ZIP_FILES × $(human_size "$SIZE"): warm-up + $ROUNDS interleaved rounds =="
declare -A secs_of bytes_of
line=
for side in "${SIDES[@]}"; do
    fetch "$side"
    line+="$side $(fmt2 "$LAST_SECS") s ($(mbps "$LAST_BYTES" "$LAST_SECS") MB/s)  "
done
echo "warm-up: ${line}(not counted)"
z_secs=()
g_secs=()
n_secs=()
r_gets=()
r_nginx=()
for ((r = 1; r <= ROUNDS; r++)); do
    # Each side goes first, second and last in turn.
    order=("${SIDES[@]:r % ${#SIDES[@]}}" "${SIDES[@]:0:r % ${#SIDES[@]}}")
    line=
    for side in "${order[@]}"; do
        fetch "$side"
        secs_of[$side]=$LAST_SECS
        bytes_of[$side]=$LAST_BYTES
    done
    for side in "${SIDES[@]}"; do
        line+="$side $(fmt2 "${secs_of[$side]}") s ($(mbps "${bytes_of[$side]}" "${secs_of[$side]}") MB/s)  "
    done
    n_secs+=("${secs_of[nginx]}")
    if ((!NGINX_ONLY)); then
        z_secs+=("${secs_of[zip]}")
        g_secs+=("${secs_of[gets]}")
        # Throughput ratios: the archive's bytes/s over the other side's.
        r_gets+=("$(calc "(${bytes_of[zip]} / ${secs_of[zip]}) / (${bytes_of[gets]} / ${secs_of[gets]})")")
        r_nginx+=("$(calc "(${bytes_of[zip]} / ${secs_of[zip]}) / (${bytes_of[nginx]} / ${secs_of[nginx]})")")
        line+="ratio vs gets $(fmt2 "${r_gets[-1]}")  vs nginx $(fmt2 "${r_nginx[-1]}")  "
    fi
    echo "round $r: ${line}[${order[0]} first]"
done
nm=$(median "${n_secs[@]}")
if ((NGINX_ONLY)); then
    echo "median: nginx $(fmt2 "$nm") s ($(mbps "$NGINX_ZIP_BYTES" "$nm") MB/s)"
else
    zm=$(median "${z_secs[@]}")
    gm=$(median "${g_secs[@]}")
    echo "median: zip $(fmt2 "$zm") s ($(mbps "$FERRY_ZIP_BYTES" "$zm") MB/s)  gets $(fmt2 "$gm") s ($(mbps "$TOTAL" "$gm") MB/s)  nginx $(fmt2 "$nm") s ($(mbps "$NGINX_ZIP_BYTES" "$nm") MB/s)"
    rg=$(median "${r_gets[@]}")
    rn=$(median "${r_nginx[@]}")
    echo "median ratio, archive vs ten GETs: $(fmt2 "$rg")   target >= $TARGET_ZIP: $(verdict "$rg" "$TARGET_ZIP")"
    echo "median ratio, archive vs nginx's prebuilt ZIP: $(fmt2 "$rn")   target >= $TARGET_ZIP: $(verdict "$rn" "$TARGET_ZIP")"

    echo
    echo "== peak RSS during $PARALLEL concurrent archive downloads ($PARALLEL × $FERRY_ZIP_BYTES bytes) =="
    archive_rss >"$WORK/rss.out"
    names=(ferry "ferry node")
    i=0
    while read -r peak start; do
        line="${names[$i]}: peak $(kib_to_mib "$peak") MiB ($(kib_to_mib "$start") MiB at start)"
        if ((i == 0)); then
            line+="   target < $TARGET_RSS_MIB MiB: $(awk -v p="$peak" -v t="$TARGET_RSS_MIB" 'BEGIN { print (p < t * 1024) ? "met" : "NOT met" }')"
        fi
        echo "$line"
        i=$((i + 1))
    done <"$WORK/rss.out"
fi
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
