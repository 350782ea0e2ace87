#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# global_defs startup_script / shutdown_script with the daemon (no root): the
# startup script ends before the first configuration is applied, the
# shutdown script runs after everything stopped and before "halbd stopped";
# a startup script that hangs is killed at startup_script_timeout and halbd
# starts anyway. Waits on log lines and files, never on fixed sleeps.
. "$top_srcdir/tests/lib.sh"

me=$(id -un)
vs='virtual_server 192.0.2.1 80 {
    protocol TCP
    real_server 192.0.2.2 80 {
    }
}'

# line_of TEXT: the line number of TEXT's first occurrence in $log (0: none).
line_of() { n=$(grep -nF -- "$1" "$log" | head -1 | cut -d: -f1); echo "${n:-0}"; }

# start NAME: runs halbd -n on $TMP/NAME.conf in the background.
start() {
    log=$TMP/$1.log
    "$HALBD" -n -P -G -g "$log" -p "$TMP/$1.pid" --control-socket "$TMP/$1.ctl" -f "$TMP/$1.conf" &
    daemon=$!
    on_exit "kill -9 $daemon 2>/dev/null || true"
}

# stop: TERM, then waits for the exit (status in $st).
stop() {
    kill -TERM "$daemon"
    set +e
    wait "$daemon"
    st=$?
    set -e
}

echo "== startup_script before the configuration, shutdown_script after the stop"
cat >"$TMP/ok.conf" <<CONF
global_defs {
    script_user $me
    startup_script "/bin/sh -c 'echo start >>$TMP/events'"
    shutdown_script "/bin/sh -c 'echo stop >>$TMP/events'"
}
$vs
CONF
start ok
wait_for 20 "started" grep -qF "started with configuration" "$log"
[ "$(cat "$TMP/events")" = start ] && ok || fail "startup_script did not run once before the start: $(cat "$TMP/events")"
s=$(line_of "startup_script /bin/sh -c 'echo start"); e=$(line_of "ended: exit status 0"); c=$(line_of "started with configuration")
[ "$s" -gt 0 ] && [ "$e" -gt "$s" ] && [ "$c" -gt "$e" ] && ok ||
    fail "startup_script did not start ($s) and end ($e) before the configuration was applied ($c)"
stop
[ "$st" = 0 ] && ok || fail "exit status $st"
[ "$(tr '\n' ' ' <"$TMP/events")" = "start stop " ] && ok || fail "events: $(cat "$TMP/events")"
d=$(line_of "shutdown_script /bin/sh -c 'echo stop"); h=$(line_of "halbd stopped")
[ "$d" -gt 0 ] && [ "$h" -gt "$d" ] && ok || fail "shutdown_script ($d) not before 'halbd stopped' ($h)"
grep -q "'startup_script' is recognised but not implemented" "$log" && fail "still warned as not implemented" || ok

echo "== a hanging startup_script is killed at its timeout"
cat >"$TMP/hang.conf" <<CONF
global_defs {
    script_user $me
    startup_script "/bin/sleep 30"
    startup_script_timeout 1
}
$vs
CONF
t0=$(date +%s)
start hang
wait_for 20 "started after the timeout" grep -qF "started with configuration" "$log"
took=$(($(date +%s) - t0))
[ "$took" -lt 10 ] && ok || fail "start took ${took}s"
grep -qF "startup_script /bin/sleep 30 ended: " "$log" && grep -F "startup_script /bin/sleep 30 ended: " "$log" | grep -q "timed out" &&
    ok || fail "the timeout kill is not logged"
stop
finish
