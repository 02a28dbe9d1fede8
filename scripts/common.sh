# Shared by Ferry's scripts: the repository root, tool paths and a step printer. Source it.
# shellcheck shell=bash

FERRY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export FERRY_ROOT
# Trunk finds wasm-bindgen in ~/.cargo/bin and wasm-opt (npm binaryen) in end2end/node_modules/.bin.
export PATH="$HOME/.cargo/bin:$FERRY_ROOT/end2end/node_modules/.bin:$PATH"
# Playwright uses Debian's Chromium; it must never download a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

step() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Runs a command as root, through sudo when we are not root.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The wasm-bindgen version pinned in Cargo.lock (wasm-bindgen-cli must match it exactly).
locked_wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' \
    "$FERRY_ROOT/Cargo.lock"
}

# Builds the web app into dist/ with Trunk (release profile, offline).
build_web() {
  step "Building the web app (trunk build --release)"
  (cd "$FERRY_ROOT" && trunk build --release)
}
