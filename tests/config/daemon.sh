#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# The daemon's life cycle: start in the foreground with a pid file, HUP with
# a broken file (errors logged with file:line:col, running configuration kept),
# HUP with a valid file (new generation), HUP with a file that defines nothing
# (refused: it would stop everything), USR1 state dump (never through a file
# planted in the pid directory), TERM stops cleanly and removes the pid file;
# a second instance is refused. -P: the virtual server (so that the file
# defines something) is never programmed. Waits on log lines, never on fixed
# sleeps.
. "$top_srcdir/tests/lib.sh"

conf=$TMP/halbd.conf
log=$TMP/halbd.log
pidf=$TMP/halbd.pid
vs='virtual_server 192.0.2.1 80 {
    protocol TCP
    real_server 192.0.2.2 80 {
    }
}'
cat >"$conf" <<CONF
global_defs {
    router_id first
    lvs_backend ipvs
}
$vs
CONF

"$HALBD" -n -G -P -g "$log" -p "$pidf" -f "$conf" &
daemon=$!
on_exit "kill -9 $daemon 2>/dev/null || true"

# wait_log TEXT: waits (max 20 s) until the log has a line containing TEXT.
wait_log() {
    if timeout 20 sh -c 'until [ -f "$1" ]; do sleep 0.01; done; tail -n +1 -f "$1" | grep -q -m1 -F -- "$2"' _ "$log" "$1"; then
        ok
    else
        fail "log never showed '$1'"
        sed 's/^/    | /' "$log" >&2 || true
    fi
}

wait_log "started with configuration $conf (generation 1)"
[ "$(cat "$pidf")" = "$daemon" ] && ok || fail "pid file does not hold the daemon's pid"

expect_status 1 "a second instance is refused" -- "$HALBD" -n -G -p "$pidf" -f "$conf"
expect_output_has "$daemon" "refusal names the running pid"

cat >"$conf" <<'CONF'
global_defs {
    router_id second
    bogus_keyword 1
}
CONF
kill -HUP "$daemon"
wait_log "$conf:3:5: error: unknown keyword 'bogus_keyword'"
wait_log "reload refused: 1 error(s) in $conf; configuration generation 1 stays in force"
kill -0 "$daemon" && ok || fail "daemon died on a broken reload"

cat >"$conf" <<CONF
global_defs {
    router_id third
    lvs_backend ipvs
}
$vs
CONF
kill -HUP "$daemon"
wait_log "configuration reloaded from $conf (generation 2"

# An empty file would stop every instance: refused, generation 2 stays.
cp "$conf" "$TMP/third.conf"
: >"$conf"
kill -HUP "$daemon"
wait_log "$conf: error: the configuration defines nothing"
wait_log "reload refused: 1 error(s) in $conf; configuration generation 2 stays in force"
cp "$TMP/third.conf" "$conf"

# A file planted at the dump's old temporary name (and held open) must not
# receive the dump (passwords included).
: >"$TMP/halbd.data.tmp0"
chmod 666 "$TMP/halbd.data.tmp0"
exec 3<"$TMP/halbd.data.tmp0"
kill -USR1 "$daemon"
wait_log "state dump written to $TMP/halbd.data"
grep -q "router_id third" "$TMP/halbd.data" && ok || fail "state dump lacks the reloaded config"
[ -z "$(cat <&3)" ] && ok || fail "the planted temporary file received the dump"
exec 3<&-
[ "$(stat -c %a "$TMP/halbd.data")" = 600 ] && ok || fail "state dump is not 0600"

kill -TERM "$daemon"
set +e
wait "$daemon"
st=$?
set -e
[ "$st" = 0 ] && ok || fail "TERM: exit status $st"
grep -q "received SIGTERM, stopping" "$log" && ok || fail "TERM not logged"
[ ! -e "$pidf" ] && ok || fail "pid file left behind"
finish
