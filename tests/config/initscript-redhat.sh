#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# The Red Hat SysV init script (contrib/init.d/halbd.redhat) run for real,
# its paths pointed into the test's directory: start, start again (0),
# status 0, reload of a broken file refused by halbd -t (6, daemon kept),
# restart refused likewise, reload of a good file (generation 2), stop,
# status 3, stop again (0), reload when stopped (7), status 1 for a pid file
# whose daemon was killed, start of a broken file (6), an unknown action (2).
# Debian has no /etc/rc.d/init.d/functions: a minimal stand-in written here
# (daemon, killproc, status with initscripts' exit codes) replaces it, in
# this test only; the script itself runs unchanged but for its paths. Root.
. "$top_srcdir/tests/lib.sh"
require_root
command -v bash >/dev/null || skip "needs bash (the script's shell)"

conf=$TMP/halbd.conf
log=$TMP/halbd.log
pidf=$TMP/halbd.pid
echo "DAEMON_ARGS=\"-P -G -g $log -p $pidf --control-socket $TMP/halbd.ctl -f $conf\"" >"$TMP/sysconfig"
echo "PIDFILE=$pidf" >>"$TMP/sysconfig"

# The stand-in for initscripts' functions: only what the script calls.
cat >"$TMP/functions" <<'FUNCS'
# pid_of PIDFILE: the live pid it names (0), 1 pid file but no process, 3 no file.
pid_of() {
	[ -f "$1" ] || return 3
	read -r _pid <"$1" 2>/dev/null
	[ -n "$_pid" ] && [ -d "/proc/$_pid" ] && ! grep -q '^State:.*Z' "/proc/$_pid/status" 2>/dev/null || return 1
	echo "$_pid"
}
# daemon [--pidfile=FILE] PROG ARGS...: run PROG unless FILE names a live one.
daemon() {
	_pf=""
	case "$1" in --pidfile=*) _pf=${1#--pidfile=}; shift ;; esac
	[ -n "$_pf" ] && pid_of "$_pf" >/dev/null && return 0
	"$@"
}
# killproc -p FILE [-d SECS] PROG [-SIG]: signal, or TERM then KILL after SECS.
killproc() {
	_pf=""; _delay=3; _sig=""
	while [ $# -gt 0 ]; do
		case "$1" in
		-p) _pf=$2; shift 2 ;;
		-d) _delay=$2; shift 2 ;;
		-[A-Z]*) _sig=$1; shift ;;
		*) shift ;;
		esac
	done
	_pid=$(pid_of "$_pf") || { [ -n "$_sig" ] && return 1; return 7; }
	if [ -n "$_sig" ]; then kill "$_sig" "$_pid"; return; fi
	kill -TERM "$_pid"
	_n=0
	while [ -d "/proc/$_pid" ] && ! grep -q '^State:.*Z' "/proc/$_pid/status" 2>/dev/null && [ $_n -lt $((_delay * 10)) ]; do
		sleep 0.1; _n=$((_n + 1))
	done
	[ -d "/proc/$_pid" ] && kill -KILL "$_pid" 2>/dev/null
	rm -f "$_pf"
	return 0
}
# status -p FILE NAME: 0 running, 1 dead with a pid file, 3 stopped.
status() {
	_pid=$(pid_of "$2"); _st=$?
	case $_st in
	0) echo "$3 (pid $_pid) is running..." ;;
	1) echo "$3 dead but pid file exists" ;;
	*) echo "$3 is stopped" ;;
	esac
	return $_st
}
FUNCS

sed -e "s|^\. /etc/rc.d/init.d/functions|. $TMP/functions|" -e "s|^exec=.*|exec=$HALBD|" \
    -e "s|/etc/sysconfig/\$prog|$TMP/sysconfig|g" -e "s|^lockfile=.*|lockfile=$TMP/lock|" \
    "$top_srcdir/contrib/init.d/halbd.redhat" >"$TMP/halbd.init"
grep -q "^\. $TMP/functions" "$TMP/halbd.init" && grep -q "$TMP/sysconfig" "$TMP/halbd.init" && ok ||
    fail "the script's paths were not redirected (its layout changed?)"
chmod +x "$TMP/halbd.init"
init() { "$TMP/halbd.init" "$@"; }
. "$top_srcdir/tests/config/initscript-lib.sh"

good first
expect_status 0 "start" -- init start
wait_log "started with configuration $conf (generation 1)"
[ -f "$TMP/lock" ] && ok || fail "no lock file after start"
pid=$(cat "$pidf")
alive "$pid" && ok || fail "no daemon behind the pid file"
expect_status 0 "start while running" -- init start
[ "$(cat "$pidf")" = "$pid" ] && ok || fail "a second start replaced the daemon"
expect_status 0 "status while running" -- init status
expect_output_has "halbd (pid $pid) is running" "status names the pid"

printf 'global_defs {\n    bogus_keyword 1\n}\n' >"$conf"
expect_status 6 "reload of a broken file (LSB 6)" -- init reload
expect_output_has "$conf:2:5: error: unknown keyword 'bogus_keyword'" "reload names file:line:col"
expect_status 6 "restart with a broken file (LSB 6)" -- init restart
alive "$pid" && ok || fail "the daemon died on a refused reload/restart"
if grep -q "reload refused" "$log"; then fail "halbd saw the broken file"; else ok; fi

good second
expect_status 0 "reload of a good file" -- init reload
wait_log "configuration reloaded from $conf (generation 2"

expect_status 0 "stop" -- init stop
if alive "$pid"; then fail "daemon still running after stop"; else ok; fi
[ ! -e "$TMP/lock" ] && ok || fail "lock file left after stop"
expect_status 3 "status when stopped (LSB 3)" -- init status
expect_status 0 "stop when stopped" -- init stop
expect_status 7 "reload when stopped (LSB 7)" -- init reload

# A daemon killed without cleaning up: its pid file stays, status says 1.
: >"$log"
expect_status 0 "start again" -- init start
wait_log "started with configuration $conf (generation 1)"
pid=$(cat "$pidf")
kill -KILL "$pid"
timeout 10 sh -c 'while [ -r "/proc/$1/status" ] && ! grep -q "^State:.*Z" "/proc/$1/status"; do sleep 0.02; done' _ "$pid" && ok ||
    fail "the killed daemon did not go"
expect_status 1 "status with a stale pid file (LSB 1)" -- init status
rm -f "$pidf"

printf 'vrrp_instance {\n' >"$conf"
expect_status 6 "start with a broken file (LSB 6)" -- init start
expect_status 3 "status after a failed start" -- init status
expect_status 2 "an unknown action" -- init bogus
finish
