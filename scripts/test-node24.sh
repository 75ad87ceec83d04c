#!/usr/bin/env bash
# Runs the code-action packages' tests on Node 24, next to the main run on the machine's Node 20.
#
# Node 24 comes from the npm registry (the `node` package). The workspace is copied to a scratch
# directory and installed there with Node 24 first on PATH, so the install picks the isolated-vm
# line that fits Node 24 (7.x, a prebuilt binary) exactly as a user's install would, without
# touching the main checkout's node_modules (built for Node 20).
#
#   scripts/test-node24.sh            # uses a fresh temporary directory, removed afterwards
#   ACTKIT_NODE24_DIR=/tmp/n24 scripts/test-node24.sh   # keeps (and reuses) that directory
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${ACTKIT_NODE24_DIR:-}" ]; then
  work=$ACTKIT_NODE24_DIR
  mkdir -p "$work"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/actkit-node24.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi
log() { printf '\n[node24] %s\n' "$*"; }
# pnpm as scripts/setup.mjs left it: global, or project-local when a global install was not possible.
pnpm_bin=$(command -v pnpm || echo "$root/.tools/node_modules/.bin/pnpm")
pnpm() { "$pnpm_bin" "$@"; }

if [ ! -x "$work/node/node_modules/.bin/node" ]; then
  log "installing Node 24 from the npm registry"
  npm install --prefix "$work/node" --no-save --no-audit --no-fund --loglevel=error node@24 >/dev/null
fi
export PATH="$work/node/node_modules/.bin:$PATH"
case "$(node --version)" in
  v24.*) log "node $(node --version)" ;;
  *) echo "[node24] expected Node 24 on PATH, got $(node --version)"; exit 1 ;;
esac

log "copying the workspace to $work/repo"
mkdir -p "$work/repo"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$work/repo"

cd "$work/repo"
# No isolated-vm build on Node 24: 7.x loads its prebuilt binary without one (as for a user whose
# package manager runs no install scripts), and 5.x — for Node 18–22 only — need not be compiled.
node -e '
  const fs = require("fs");
  const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
  pkg.pnpm.onlyBuiltDependencies = pkg.pnpm.onlyBuiltDependencies.filter((n) => n !== "isolated-vm");
  (pkg.pnpm.ignoredBuiltDependencies ??= []).push("isolated-vm");
  fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2));
'
log "pnpm install with Node 24 (isolated-vm 7.x, prebuilt)"
# pnpm runs on the Node first on PATH, and checks each optional dependency's `engines` against it.
pnpm install --frozen-lockfile --reporter=append-only 2>&1 | grep -v -E '^\s*$|Progress|unmet peer|opentelemetry' || true
node -e "require.resolve('isolated-vm-7', { paths: ['packages/executor-local'] })" \
  || { echo '[node24] isolated-vm 7 was not installed'; exit 1; }

log "tests on Node 24"
pnpm --filter @actkit/code-actions --filter @actkit/executor-local --filter @actkit/executor-quickjs run test
