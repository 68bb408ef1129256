#!/bin/sh
# The command line (conformance/main*.c) and the reporters (report*.c), issue 12:
#  1. every option held to a Lambda limit takes the number from contract.h:
#     the limit itself is accepted, one past it refused with a message that
#     states contract.h's value, and the --help texts state the same range;
#  2. `kdaout help CMD` prints exactly `kdaout CMD --help`, every --help
#     exits 0 with its Usage line, and an unknown command exits 2;
#  3. the sources: main*.c and report*.c each under 600 lines (STYLE) and
#     opening with a paragraph that names the file, and no Lambda limit
#     (900 s, 10240 MB) written as a literal in the command line.
# Nothing is served: every case stops at option parsing (bounded: 10 s each).
#   tests/integration/cli.sh KDAOUT SOURCE_ROOT
set -u
kdaout=${1:?usage: cli.sh KDAOUT SOURCE_ROOT}
root=${2:?usage: cli.sh KDAOUT SOURCE_ROOT}
case $kdaout in /*) ;; *) kdaout=$(pwd)/$kdaout ;; esac
cd "$root" || exit 1
passed=0 failed=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# The limits, read from contract.h (a #define NAME NUMBER line each).
limit() { sed -n "s/^#define $1 \([0-9][0-9]*\)\$/\1/p" emulator/delivery/contract.h; }
tmin=$(limit KDO_FUNCTION_TIMEOUT_MIN_S) tmax=$(limit KDO_FUNCTION_TIMEOUT_MAX_S)
mmin=$(limit KDO_FUNCTION_MEMORY_MIN_MB) mmax=$(limit KDO_FUNCTION_MEMORY_MAX_MB)
for v in "$tmin" "$tmax" "$mmin" "$mmax"; do
    [ -n "$v" ] || { echo "FAIL: a function limit is missing from contract.h"; exit 1; }
done

# run EXPECTED_RC ARG...: kdaout ARG..., its stdout+stderr in $tmp/all.
run() {
    want=$1
    shift
    timeout 10 "$kdaout" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    cat "$tmp/out" "$tmp/err" >"$tmp/all"
    if [ "$rc" -ne "$want" ]; then
        bad "kdaout $*: exit $rc, expected $want"; sed 's/^/    /' "$tmp/all" | head -5; return 1
    fi
    return 0
}
# says TEXT DESCRIPTION: the last run printed TEXT.
says() {
    if grep -qF -- "$1" "$tmp/all"; then ok; else
        bad "$2: no \"$1\" in:"; sed 's/^/    /' "$tmp/all" | head -5
    fi
}

# 1. Limits.  conform stops at the missing --endpoint once --timeout passes.
run 2 conform --timeout "$tmax" && says "--endpoint URL is required" "conform --timeout $tmax"
run 2 conform --timeout "$tmin" && says "--endpoint URL is required" "conform --timeout $tmin"
run 2 conform --timeout $((tmax + 1)) &&
    says "--timeout expects seconds from $tmin to $tmax" "conform --timeout $((tmax + 1))"
run 2 conform --timeout 0.5 && says "from $tmin to $tmax" "conform --timeout 0.5"
# host stops at the missing runtime command once its options pass.
run 2 host --timeout "$tmax" --memory "$mmax" && says "no runtime command" "host at the limits"
run 2 host --timeout "$tmin" --memory "$mmin" && says "no runtime command" "host at the floors"
run 2 host --timeout $((tmax + 1)) -- true && says "from $tmin to $tmax" "host --timeout"
run 2 host --memory $((mmin - 1)) -- true && says "MB from $mmin to $mmax" "host --memory low"
run 2 host --memory $((mmax + 1)) -- true && says "MB from $mmin to $mmax" "host --memory high"
# fake-lambda would serve: only the refusals are run.
run 2 fake-lambda --timeout $((tmax + 1))s && says "between ${tmin}s and ${tmax}s" "fake --timeout"
run 2 fake-lambda --memory $((mmax + 1)) && says "between $mmin and $mmax" "fake --memory high"
run 2 fake-lambda --memory $((mmin - 1)) && says "between $mmin and $mmax" "fake --memory low"
run 0 conform --help && says "for a reply, $tmin to $tmax seconds" "conform --help"
run 0 host --help && says "Timeout in seconds, $tmin to $tmax" "host --help"
run 0 fake-lambda --help && says "whole seconds, $tmin-$tmax" "fake-lambda --help"

# 2. Help and dispatch.
for cmd in run conform host fake-lambda; do
    if run 0 "$cmd" --help; then
        cp "$tmp/out" "$tmp/own"
        says "Usage: kdaout $cmd" "$cmd --help"
        if run 0 help "$cmd" && cmp -s "$tmp/own" "$tmp/out"; then ok; else
            bad "kdaout help $cmd differs from kdaout $cmd --help"
        fi
    fi
done
for cmd in validate schema; do
    run 0 "$cmd" --help && says "Usage: kdaout $cmd" "$cmd --help"
done
run 0 help && says "Usage: kdaout COMMAND" "help"
run 0 version && says "kdaout " "version"
run 2 no-such-command && says "unknown command \"no-such-command\"" "unknown command"

# 3. The sources.
for f in conformance/main*.c conformance/report*.c; do
    n=$(wc -l <"$f")
    if [ "$n" -le 600 ]; then ok; else bad "$f: $n lines (STYLE: under ~600; split it)"; fi
    name=$(basename "$f")
    if [ "$(sed -n 1p "$f")" = "/*" ] && sed -n 2p "$f" | grep -qF " * $name -- "; then ok; else
        bad "$f: does not open with a comment naming it (\" * $name -- what it holds\")"
    fi
done
# A Lambda limit as a literal, outside comments: the code and its messages
# must say KDO_FUNCTION_*_{MIN,MAX}_* (contract.h) instead.
if grep -HnE "(^|[^0-9.])($tmax|$mmax)([^0-9]|$)" conformance/main*.c |
        grep -vE '^[^:]*:[0-9]+:\s*(/?\*|//)' >"$tmp/lit"; then
    bad "a Lambda limit written as a literal in the command line (use contract.h's names):"
    sed 's/^/    /' "$tmp/lit"
else
    ok
fi

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
