#!/usr/bin/env bash
# kdaout host under load and against misbehaving runtimes (issue #10):
# concurrent invocations in order, the invocation after a timeout, idle and
# slowloris connections, a runtime that leaves a setsid child on its stdout,
# results over the limit, a 1 GiB line of output, 413 on Content-Length and
# ambiguous framing.  The checks are in host/robust.mjs (Node.js, real
# sockets on 127.0.0.1).  Usage: host-robust.sh KDAOUT SOURCE_ROOT
set -u
kdaout=$1
root=$2
skip=77 # meson's SKIP, when it cannot run here; in CI that is a failure
if [ "${CI:-}" = "true" ]; then skip=1; fi
if ! command -v node >/dev/null || ! node -e 'if (typeof fetch !== "function") process.exit(1)'; then
    echo "host-robust: SKIP: Node.js 18+ (with fetch) is needed for the test runtime"
    exit $skip
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node "$root/tests/integration/host/robust.mjs" "$kdaout" "$tmp"
