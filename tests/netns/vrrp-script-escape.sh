#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/vrrp-script-escape.sh: scripts cannot escape halbd (issue 11).
# A vrrp_script leaving `sleep &` and a setsid child behind at every run
# leaves nothing after several runs (the setsid one only where halbd has
# cgroups); halbd killed with SIGKILL while a script runs leaves no script
# behind (PR_SET_PDEATHSIG), and the next start kills what the dead one's
# script left in its cgroup. Namespace a only; 192.0.2.0/24.
set -u
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
[ -x /usr/bin/setsid ] && command -v nsenter >/dev/null || skip "needs setsid and nsenter"

ns_new a
ip -n "$NS_PREFIX-a" link add eth0 type veth peer name eth1
ip -n "$NS_PREFIX-a" link set eth0 up
ip -n "$NS_PREFIX-a" link set eth1 up
ip -n "$NS_PREFIX-a" addr add 192.0.2.1/24 dev eth0
chmod 755 "$TMP"
# Markers: sleep durations no other process uses.
M=1000$$
cat >"$TMP/leak.sh" <<EOF
#!/bin/sh
/bin/sleep $M.1 >/dev/null 2>&1 &
/usr/bin/setsid /bin/sleep $M.2 >/dev/null 2>&1 &
echo run >>"$TMP/runs"
exit 0
EOF
cat >"$TMP/long.sh" <<EOF
#!/bin/sh
/usr/bin/setsid /bin/sleep $M.3 >/dev/null 2>&1 &
exec /bin/sleep $M.4
EOF
chmod 755 "$TMP/leak.sh" "$TMP/long.sh"
# How many of marker N run ("slee[p]" keeps the checking shell out).
count() { pgrep -c -f "slee[p] $M.$1" || true; }
at_most() { [ "$(count "$1")" -le "$2" ]; }
reap_markers() { for p in $(pgrep -f "slee[p] $M"); do kill -KILL "$p" 2>/dev/null || :; done; }
on_exit reap_markers

# start_halbd through nsenter: `ip netns exec` remounts /sys, which hides
# the cgroup2 mount that halbd puts its scripts' cgroups in.
start_here() {
    mkdir -p "$TMP/a"
    nsenter --net="/run/netns/$NS_PREFIX-a" "$HALBD" -n -l -D -G -P -f "$1" -p "$TMP/a/halbd.pid" \
        >"$TMP/a/halbd.log" 2>&1 &
    H_a=$!
    _bg_pids="$_bg_pids $H_a"
    wait_log "$TMP/a/halbd.log" "started with configuration" 5
}

# conf FILE SCRIPTS...: one instance tracking the given vrrp_scripts.
conf() {
    f=$1; shift
    {
        printf 'global_defs {\n    router_id a\n}\n'
        for s in "$@"; do
            printf 'vrrp_script %s {\n    script "%s/%s.sh"\n    interval 1\n    timeout 100\n}\n' "$s" "$TMP" "$s"
        done
        printf 'vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 31\n'
        printf '    priority 100\n    advert_int 1\n    track_script {\n'
        for s in "$@"; do printf '        %s\n' "$s"; done
        printf '    }\n    virtual_ipaddress {\n        192.0.2.100/24\n    }\n}\n'
    } >"$f"
}
conf "$TMP/both.conf" leak long
conf "$TMP/leak.conf" leak

echo "== what a check script leaves behind dies with each run"
start_here "$TMP/both.conf"
wait_until 20 "5 runs of leak.sh" sh -c '[ "$(wc -l <"$1")" -ge 5 ]' sh "$TMP/runs"
wait_until 3 "at most the current run's sleep & (was one per run)" at_most 1 1
if grep -qF "scripts run in their own cgroups" "$TMP/a/halbd.log"; then
    CGROUPS=1
    wait_until 3 "at most the current run's setsid child" at_most 2 1
else
    CGROUPS=0
    echo "  no cgroups for scripts here: setsid children are not followed"
fi

echo "== kill -9 of halbd leaves no script behind"
wait_until 5 "long.sh running" sh -c '[ "$(pgrep -c -f "slee[p] $1")" -eq 1 ]' sh "$M.4"
stop_halbd a KILL
wait_until 5 "the script died with halbd" at_most 4 0
if [ "$CGROUPS" = 1 ]; then
    [ "$(count 3)" -eq 1 ] && ok || fail "expected long.sh's setsid child to outlive a halbd killed with SIGKILL"
    start_here "$TMP/leak.conf"
    wait_log "$TMP/a/halbd.log" "killed what scripts of 1 earlier halbd run left in" 10
    wait_until 5 "the next start killed the setsid child" at_most 3 0
    stop_halbd a
    wait_until 3 "no script cgroup left after a clean stop" sh -c '! ls "$1" | grep -q "^halbd-script\.$2\."' sh "$(sed -n 's/.*own cgroups under //p' "$TMP/a/halbd.log" | head -1)" "$H_a"
fi
[ "$(count 4)" -eq 0 ] && ok || fail "long.sh ran again"
finish
