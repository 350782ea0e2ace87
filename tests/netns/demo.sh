#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/demo.sh: the README's demo (contrib/demo.sh --ci) on the build
# tree's binaries, so CI plays what a newcomer sees (issue 15). It must pass
# every act (a real server dies and returns, the master dies under a running
# session, the old master preempts), and it must fail act 2 without
# conntrack_sync (the session is reset): the demo's verdicts can fail. It
# cleans every namespace and process up, also when stopped half-way (Ctrl-C).
set -u
. "$top_srcdir/tests/lib.sh"
require_root
for tool in ip nft conntrack python3; do command -v $tool >/dev/null 2>&1 || skip "needs $tool"; done
: "${HALBCTL:=$top_builddir/src/halbctl}"
DEMO=$top_srcdir/contrib/demo.sh
export HALBD HALBCTL
export DEMO_PREFIX="hdemo$$"
leftover() { ip netns list | grep -c "^$DEMO_PREFIX-" || true; }
on_exit 'for n in $(ip netns list | sed -n "s/^\($DEMO_PREFIX-[^ ]*\).*/\1/p"); do ip netns pids $n | xargs -r kill -KILL; ip netns del $n; done'

run() {  # run NAME ARGS...: the demo's output in $TMP/NAME, its status in $rc
    _name=$1; shift
    "$DEMO" --ci "$@" >"$TMP/$_name" 2>&1
    rc=$?
    sed 's/^/  | /' "$TMP/$_name"
}
has() { if grep -q -- "$2" "$TMP/$1"; then ok; else fail "$1: no line '$2'"; fi; }

echo "== --print-config: a configuration both nodes load"
"$DEMO" --print-config >"$TMP/demo.conf" && ok || fail "--print-config failed"
for n in lb1 lb2; do
    "$HALBD" -t -f "$TMP/demo.conf" -i $n >"$TMP/t-$n" 2>&1 && ok \
        || fail "halbd -t -i $n refuses the demo's configuration: $(cat "$TMP/t-$n")"
done
grep -q "lvs_backend nftables" "$TMP/demo.conf" && grep -q "^conntrack_sync" "$TMP/demo.conf" && ok \
    || fail "the demo's configuration lacks the nftables backend or conntrack_sync"
"$DEMO" --print-config --no-sync | grep -q conntrack_sync && fail "--no-sync still syncs" || ok

echo "== with conntrack_sync: every act holds"
run sync --no-build
[ "$rc" = 0 ] && ok || fail "demo --ci exited $rc"
for a in 0 1 2 3 4; do has sync "^PASS act $a: "; done
has sync "^PASS act 2: master killed: lb2 MASTER in [0-9]* ms, session survived"
[ "$(grep -c '^FAIL' "$TMP/sync")" = 0 ] && ok || fail "a FAIL line with sync"
[ "$(leftover)" = 0 ] && ok || fail "namespaces left behind: $(ip netns list | grep "^$DEMO_PREFIX-")"

echo "== without conntrack_sync: the master's death resets the session"
run nosync --no-build --no-sync
[ "$rc" = 1 ] && ok || fail "demo --ci --no-sync exited $rc, expected 1"
has nosync "^PASS act 0: "
has nosync "^PASS act 1: "
has nosync "^FAIL act 2: .*session BROKEN"
[ "$(leftover)" = 0 ] && ok || fail "namespaces left behind after --no-sync"

for sig in INT; do  # Ctrl-C (TERM takes the same trap)
    echo "== stopped by $sig in act 1: everything is removed"
    # A background job of a script starts with INT ignored: give it back.
    env --default-signal=INT "$DEMO" --ci --no-build >"$TMP/$sig" 2>&1 &
    pid=$!
    i=0
    until grep -q "^act 1:" "$TMP/$sig" || [ $i -ge 1200 ]; do sleep 0.1; i=$((i + 1)); done
    grep -q "^act 1:" "$TMP/$sig" && ok || fail "$sig: the demo never reached act 1"
    [ "$(leftover)" -gt 0 ] && ok || fail "$sig: no namespaces while the demo runs"
    pids=$(for n in $(ip netns list | sed -n "s/^\($DEMO_PREFIX-[^ ]*\).*/\1/p"); do ip netns pids $n; done)
    [ -n "$pids" ] && ok || fail "$sig: no processes in the demo's namespaces"
    kill -$sig $pid
    wait $pid
    rc=$?
    want=$((128 + $(kill -l $sig)))
    [ "$rc" = "$want" ] && ok || fail "$sig: exit status $rc, expected $want"
    [ "$(leftover)" = 0 ] && ok || fail "$sig: namespaces left behind: $(ip netns list | grep "^$DEMO_PREFIX-")"
    gone() { for p in $pids; do [ -z "$(ps -o stat= -p "$p" | grep -v Z)" ] || return 1; done; }
    i=0; while ! gone && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    alive=""; for p in $pids; do [ -n "$(ps -o stat= -p "$p" | grep -v Z)" ] && alive="$alive $p"; done
    [ -z "$alive" ] && ok || fail "$sig: processes left behind:$alive"
done
finish
