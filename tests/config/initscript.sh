#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# The Debian LSB init script (contrib/init.d/halbd.debian) run for real, as
# /etc/init.d/halbd would run, with its paths pointed into the test's
# directory: start (forks, pid file), start again (already running: 0),
# status 0, reload of a broken file refused by halbd -t (non-zero, daemon
# and generation kept), reload of a good file (generation 2), restart
# refused for a broken file, stop, status 3 (LSB: not running), start of a
# broken file fails. Root (start-stop-daemon, halbd's sockets); Debian only.
# The Red Hat script is run by tests/config/initscript-redhat.sh.
. "$top_srcdir/tests/lib.sh"
require_root
command -v start-stop-daemon >/dev/null || skip "needs start-stop-daemon"
[ -r /lib/lsb/init-functions ] || skip "needs /lib/lsb/init-functions"

conf=$TMP/halbd.conf
log=$TMP/halbd.log
pidf=$TMP/halbd.pid
echo "DAEMON_ARGS=\"-P -G -g $log -p $pidf --control-socket $TMP/halbd.ctl -f $conf\"" >"$TMP/default"
sed -e "s|^DAEMON=.*|DAEMON=$HALBD|" -e "s|^PIDFILE=.*|PIDFILE=$pidf|" \
    -e "s|/etc/default/halbd|$TMP/default|g" "$top_srcdir/contrib/init.d/halbd.debian" >"$TMP/halbd.init"
chmod +x "$TMP/halbd.init"
# Not under systemd here: the LSB functions must not hand over to systemctl.
export _SYSTEMCTL_SKIP_REDIRECT=1
init() { "$TMP/halbd.init" "$@"; }
. "$top_srcdir/tests/config/initscript-lib.sh"

good first
expect_status 0 "start" -- init start
wait_log "started with configuration $conf (generation 1)"
pid=$(cat "$pidf")
kill -0 "$pid" && ok || fail "no daemon behind the pid file"
expect_status 0 "start while running (LSB: success)" -- init start
[ "$(cat "$pidf")" = "$pid" ] && ok || fail "a second start replaced the daemon"
expect_status 0 "status while running" -- init status

printf 'global_defs {\n    bogus_keyword 1\n}\n' >"$conf"
expect_status 1 "reload of a broken file" -- init reload
expect_output_has "$conf:2:5: error: unknown keyword 'bogus_keyword'" "reload names file:line:col"
expect_status 1 "restart with a broken file" -- init restart
expect_output_has "configuration invalid, not restarting" "restart says why"
kill -0 "$pid" && ok || fail "the daemon died on a refused reload/restart"

good second
expect_status 0 "reload of a good file" -- init reload
wait_log "configuration reloaded from $conf (generation 2"
if grep -q "reload refused" "$log"; then fail "halbd saw the broken file"; else ok; fi

expect_status 0 "stop" -- init stop
if alive "$pid"; then fail "daemon still running after stop"; else ok; fi
[ ! -e "$pidf" ] && ok || fail "pid file left after stop"
expect_status 3 "status when stopped (LSB 3)" -- init status
expect_status 0 "stop when stopped (LSB: success)" -- init stop

printf 'vrrp_instance {\n' >"$conf"
expect_status 1 "start with a broken file" -- init start
expect_status 3 "status after a failed start" -- init status
finish
