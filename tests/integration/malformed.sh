#!/bin/sh
# The malformed-scenario corpus (tests/data/scenario-malformed/): every file,
# with `kdaout validate` and with `kdaout run`, must be refused cleanly --
# exit status 2, a FILE:LINE:COL: position (line and column >= 1) and a
# message, no crash (status < 128, no AddressSanitizer report).  Two cases too
# big to commit are generated into a temporary folder: a row over 512 KB and a
# 100,000-deep nesting, which must also be refused quickly (< 2 s, generous;
# the time is printed).  Finally the bundled scenarios and examples validate.
#   tests/integration/malformed.sh KDAOUT SOURCE_ROOT
set -u
kdaout=${1:?usage: malformed.sh KDAOUT SOURCE_ROOT}
root=${2:?usage: malformed.sh KDAOUT SOURCE_ROOT}
case $kdaout in /*) ;; *) kdaout=$(pwd)/$kdaout ;; esac
cd "$root" || exit 1
passed=0 failed=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# check FILE COMMAND [OPTION...]: runs `kdaout COMMAND OPTION... FILE`
# (bounded: 20 s), asserts a clean refusal.
check() {
    file=$1 cmd=$2
    shift 2
    timeout 20 "$kdaout" "$cmd" "$@" "$file" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    cat "$tmp/out" "$tmp/err" >"$tmp/all"
    if [ "$rc" -ge 128 ] || grep -q AddressSanitizer "$tmp/all"; then
        bad "$cmd $file: crashed (exit $rc)"; sed 's/^/    /' "$tmp/all" | head -20; return
    fi
    if [ "$rc" -ne 2 ]; then
        bad "$cmd $file: exit $rc, expected 2"; sed 's/^/    /' "$tmp/all" | head -5; return
    fi
    # FILE:LINE:COL: message, with LINE and COL >= 1 and a non-empty message;
    # a header "# refused in: NAME" names the file beside it that is at fault
    # (the application's SQL), whose position the message must give instead.
    at=$file
    beside=$(sed -n 's/^# refused in: //p' "$file" 2>/dev/null | head -1)
    [ -n "$beside" ] && at=$(dirname "$file")/$beside
    pos=$(grep -F -- "$at:" "$tmp/all" | head -1)
    rest=${pos#*"$at":}
    line=${rest%%:*}; rest=${rest#*:}
    col=${rest%%:*}; msg=${rest#*:}
    case "$line$col" in ''|*[!0-9]*) bad "$cmd $file: no FILE:LINE:COL: in: $pos"; return ;; esac
    if [ "$line" -lt 1 ] || [ "$col" -lt 1 ]; then
        bad "$cmd $file: position $line:$col is not >= 1:1"; return
    fi
    if [ -z "$(printf '%s' "$msg" | tr -d ' ')" ]; then
        bad "$cmd $file: no message after $file:$line:$col:"; return
    fi
    ok
}

n=0
for f in tests/data/scenario-malformed/*.yaml; do
    n=$((n + 1))
    check "$f" validate
    check "$f" run
done
[ "$n" -ge 20 ] && ok || bad "only $n files in tests/data/scenario-malformed/"

# A row one byte over KDA's 512 KB in-application row limit.
{
    printf 'application:\n  input:\n    - at: 1s\n      row: "'
    head -c 524289 /dev/zero | tr '\0' x
    printf '"\n'
} >"$tmp/row-over-512kb.yaml"
check "$tmp/row-over-512kb.yaml" validate
check "$tmp/row-over-512kb.yaml" run

# 100,000 nested flow sequences: refused by the depth limit, quickly.
{
    printf 'name: deep\nexpect: '
    head -c 100000 /dev/zero | tr '\0' '['
    head -c 100000 /dev/zero | tr '\0' ']'
    printf '\n'
} >"$tmp/deep-100000.yaml"
for cmd in validate run; do
    t0=$(date +%s%N)
    check "$tmp/deep-100000.yaml" $cmd
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    echo "deep-100000.yaml: kdaout $cmd refused it in $ms ms"
    [ "$ms" -lt 2000 ] && ok || bad "kdaout $cmd took $ms ms on a 100,000-deep nesting (limit 2000)"
done

# Row files a scenario may not read, made here (git keeps no FIFO): a FIFO
# in the scenario's folder is refused at once -- not read, which would block
# until a writer came -- and a device is refused even where --allow-path
# lets the scenario read.  Each refusal points at the `file:` value.
mkfifo "$tmp/rows.fifo"
printf 'application:\n  input:\n    - {file: rows.fifo}\n' >"$tmp/row-file-fifo.yaml"
printf 'application:\n  input:\n    - {file: /dev/zero}\n' >"$tmp/row-file-device.yaml"
for cmd in validate run; do
    check "$tmp/row-file-fifo.yaml" $cmd
    grep -q "row-file-fifo.yaml:3:14: .*is a FIFO, not a regular file" "$tmp/all" && ok ||
        bad "$cmd: the FIFO's refusal: $(cat "$tmp/all")"
    check "$tmp/row-file-device.yaml" $cmd --allow-path /dev
    grep -q "row-file-device.yaml:3:14: /dev/zero is a device" "$tmp/all" && ok ||
        bad "$cmd: the device's refusal: $(cat "$tmp/all")"
done
# --allow-path lets the files outside the scenario's folder in.
m=tests/data/scenario-malformed
if "$kdaout" validate --allow-path tests/data/rows $m/row-file-parent-dir.yaml \
       $m/row-file-symlink-out.yaml >"$tmp/out" 2>&1; then ok; else
    bad "--allow-path tests/data/rows did not let the rows in:"; sed 's/^/    /' "$tmp/out"
fi
"$kdaout" validate --allow-path /nonexistent/kdaout $m/row-file-folder.yaml >"$tmp/out" 2>&1
[ $? -eq 2 ] && grep -q "allow-path /nonexistent/kdaout" "$tmp/out" && ok ||
    bad "--allow-path of a missing folder: $(cat "$tmp/out")"

# The good files validate.
if "$kdaout" validate scenarios/ scenarios/examples/ >"$tmp/out" 2>&1; then ok; else
    bad "kdaout validate scenarios/ scenarios/examples/ failed:"; sed 's/^/    /' "$tmp/out" | grep -v ': ok$' | head -20
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
