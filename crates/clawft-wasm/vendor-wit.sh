#!/usr/bin/env bash
# Vendors the WASI 0.2 WIT packages that `clawft:plugin` depends on into every frozen
# version directory that does not have them yet, from the pinned wasmtime-wasi-http crate
# sources (the same WIT the host implements). Rerun after a wasmtime upgrade with
# `--force` to refresh the *current* version only; frozen versions keep what they shipped.
#
#   crates/clawft-wasm/vendor-wit.sh            vendor where missing, then check
#   crates/clawft-wasm/vendor-wit.sh --check    only check (CI): exit 1 on drift
set -euo pipefail
cd "$(dirname "$0")"

WASMTIME_VERSION="48.0.8"
CURRENT="wit/since_v0.1.0"
DEPS=(io clocks random filesystem sockets cli http)

src=""
for dir in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/wasmtime-wasi-http-"$WASMTIME_VERSION"/wit/deps; do
  [ -d "$dir" ] && src="$dir"
done
if [ -z "$src" ]; then
  echo "wasmtime-wasi-http $WASMTIME_VERSION sources not found; run \`cargo fetch\` first" >&2
  exit 1
fi

check=0
[ "${1:-}" = "--check" ] && check=1
status=0
for name in "${DEPS[@]}"; do
  want="$src/$name.wit"
  have="$CURRENT/deps/$name.wit"
  if [ "$check" = 1 ] || [ -f "$have" ] && [ "${1:-}" != "--force" ]; then
    if ! cmp -s "$want" "$have"; then
      echo "drift: $have differs from wasmtime-wasi-http $WASMTIME_VERSION ($want)" >&2
      status=1
    fi
  else
    mkdir -p "$CURRENT/deps"
    cp "$want" "$have"
    echo "vendored $have"
  fi
done
exit "$status"
