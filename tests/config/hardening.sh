#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# Issue 11 at the command line, with the daemon: a daemonized halbd started
# with relative -f/-p/-g reloads its own file after chdir("/") and removes
# its pid file; TERM during a slow reload (a large include being parsed) ends
# the daemon at once instead of waiting for the reader. -P and a virtual
# server that is never programmed: nothing changes on the host. Waits on log
# lines and files, never on fixed sleeps.
. "$top_srcdir/tests/lib.sh"

vs='virtual_server 192.0.2.1 80 {
    protocol TCP
    real_server 192.0.2.2 80 {
    }
}'

echo "== relative paths, daemonized"
mkdir "$TMP/rel"
printf 'global_defs {\n    router_id rel\n}\n%s\n' "$vs" >"$TMP/rel/a.conf"
log=$TMP/rel/halbd.log
(cd "$TMP/rel" && "$HALBD" -P -G -g halbd.log -p halbd.pid --control-socket ctl -f a.conf)
wait_for 20 "daemonized halbd writes its pid file" test -s "$TMP/rel/halbd.pid"
pid=$(cat "$TMP/rel/halbd.pid")
on_exit "kill -9 $pid 2>/dev/null || true"
wait_for 20 "started with the absolute file" grep -qF "started with configuration $TMP/rel/a.conf (generation 1)" "$log"
kill -HUP "$pid"
wait_for 20 "a reload after chdir(/) reads the same file" \
    grep -qF "configuration reloaded from $TMP/rel/a.conf (generation 2" "$log"
kill -TERM "$pid"
wait_for 20 "the relative pid file is removed at stop" sh -c "! test -e '$TMP/rel/halbd.pid'"

echo "== TERM during a slow reload"
log=$TMP/slow.log
conf=$TMP/slow.conf
printf 'global_defs {\n    router_id slow\n}\n%s\n' "$vs" >"$conf"
"$HALBD" -n -P -G -g "$log" -p "$TMP/slow.pid" --control-socket "$TMP/slow.ctl" -f "$conf" &
daemon=$!
on_exit "kill -9 $daemon 2>/dev/null || true"
wait_for 20 "slow: started" grep -qF "started with configuration $conf" "$log"
# About 20 MB of virtual servers (195,000): seconds to parse, far more than
# the bound below, within the 64 MiB load limit.
awk 'BEGIN { for (a = 0; a < 3; a++) for (p = 1; p <= 65000; p++)
    printf "virtual_server 203.0.113.%d %d {\n    protocol TCP\n    real_server 198.51.100.1 %d {\n        weight 1\n    }\n}\n", a + 1, p, p }' \
    >"$TMP/big.inc"
printf 'include %s/big.inc\n%s\n' "$TMP" "$vs" >"$conf"
kill -HUP "$daemon"
wait_for 20 "slow: reload started" grep -qF "reloading configuration from $conf" "$log"
t0=$(($(date +%s%N) / 1000000))
kill -TERM "$daemon"
set +e
# Our child: once it exits it is a zombie (stat Z) until waited for.
timeout 30 sh -c 'until s=$(ps -o stat= -p "$1"); [ -z "$s" ] || [ "${s#Z}" != "$s" ]; do sleep 0.01; done' _ "$daemon"
wait "$daemon"
st=$?
set -e
took=$(($(date +%s%N) / 1000000 - t0))
echo "  TERM to exit during the reload: $took ms (bound 2000 ms)"
[ "$took" -le 2000 ] && ok || fail "TERM waited for the reload: $took ms"
[ "$st" = 0 ] && ok || fail "TERM during reload: exit status $st"
grep -qF "abandoning the configuration being read from $conf" "$log" && ok || fail "abandon not logged"
grep -qF "halbd stopped" "$log" && ok || fail "no clean stop logged"
grep -qF "configuration reloaded" "$log" && fail "the slow reload was applied after TERM" || ok
finish
