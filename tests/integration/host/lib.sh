# Shared by host.sh and ric.sh (sourced; needs $kdaout): a scratch folder,
# ok / not_ok counters, and a `kdaout host` started per handler.
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
n=0
# start_host HANDLER TIMEOUT RUNTIME-COMMAND...: stops the previous host, starts
# kdaout host with handlers.HANDLER, and sets $url and $log.
start_host() {
    local handler=$1 timeout=$2
    shift 2
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    n=$((n + 1))
    log="$tmp/host.$n.err"
    "$kdaout" host --timeout "$timeout" --handler "handlers.$handler" -- "$@" \
        >"$tmp/host.$n.out" 2>"$log" &
    pid=$!
    for _ in $(seq 1 200); do
        url=$(sed -n 's/^listening on //p' "$tmp/host.$n.out")
        [ -n "$url" ] && return 0
        sleep 0.05
    done
    echo "kdaout host did not start"; cat "$log"; exit 1
}
conform() { "$kdaout" conform --endpoint "$url" --function kdaout-hosted --no-colour "$@" >"$tmp/out.txt" 2>&1; }
