# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# bench/check-lib.sh: the setup bench/check-tcp.sh and bench/vrrp-lateness.sh
# share, sourced after they set `here`, `work` (a fresh directory), `ns`
# (the namespace name) and KEEP (1: keep $work). Makes the namespace (lo
# up, a deep accept queue), raises the fd limit, picks the listener
# (check-listener.c when a compiler is there, else .py) and removes all of
# it on exit. halbd's pid goes in $hpid, the listener's in $lpid.
#
#   start_listener KIND PORT   run the listener in $ns, niced, until it says ready
#   stop_listener

listener="python3 $here/check-listener.py"
if ${CC:-cc} -O2 -o "$work/check-listener" "$here/check-listener.c" 2> /dev/null; then
	listener=$work/check-listener
fi
ip netns add "$ns" || die "cannot create network namespace"
ip netns exec "$ns" ip link set lo up
# 10,000 connects/s: a deep accept queue, and TIME-WAIT may overflow (harmless).
ip netns exec "$ns" sysctl -qw net.core.somaxconn=65535
# One fd per attempt in flight: as many as we may.
ulimit -n "$(ulimit -Hn)" 2> /dev/null
lpid= hpid=
cleanup() {
	[ -n "$hpid" ] && kill "$hpid" 2> /dev/null
	[ -n "$lpid" ] && kill "$lpid" 2> /dev/null
	wait 2> /dev/null
	ip netns del "$ns" 2> /dev/null
	[ "${KEEP:-0}" = 1 ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT INT TERM

# The listener stands for N remote hosts: it must not be the one starved of
# CPU on a shared machine (a full accept queue makes connects hang in SYN
# retransmits, and every hung connect holds one of halbd's fds).
start_listener() {
	ip netns exec "$ns" nice -n -10 $listener "$1" "$2" > "$work/listener.out" 2>&1 &
	lpid=$!
	_i=0
	while ! grep -q ready "$work/listener.out" 2> /dev/null && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
}
stop_listener() { kill "$lpid"; wait "$lpid" 2> /dev/null; lpid=; }
