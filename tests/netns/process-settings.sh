#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/process-settings.sh: keepalived's per-process keywords on the
# one halbd process, read back from the kernel (/proc, chrt, ps): vrrp_ and
# checker_rt_priority give SCHED_RR at the higher of the two, reset on fork
# (a track script runs SCHED_OTHER, nice 0); vrrp_priority the nice value;
# vrrp_no_swap locked memory; vrrp_cpu_affinity the CPU set;
# vrrp_rlimit_rttime RLIMIT_RTTIME; umask the mask scripts inherit. A reload
# without them puts each back as halbd was started. Only 192.0.2.0/24 inside
# our namespaces.
set -u
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
command -v chrt >/dev/null || skip "needs chrt (util-linux)"

ns_new a
ns_new b
ns_link a eth0 b eth0
ip -n "$NS_PREFIX-a" addr add 192.0.2.1/24 dev eth0
logs_on_failure "$TMP/*/halbd.log"

# The track script records how it runs, one file per run.
cat >"$TMP/probe.sh" <<EOF2
#!/bin/sh
out=$TMP/probe.\$\$
{ echo "umask \$(umask)"; echo "nice \$(ps -o ni= -p \$\$ | tr -d ' ')"; chrt -p \$\$; } >"\$out.tmp"
mv "\$out.tmp" "\$out.done"
EOF2
chmod 755 "$TMP/probe.sh"

conf=$TMP/a.conf
write_conf() {
    cat >"$conf" <<CONF
global_defs {
    router_id a
    $1
}
vrrp_script probe {
    script "$TMP/probe.sh"
    interval 1
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 200
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.100/24
    }
    track_script {
        probe
    }
}
CONF
}
write_conf "vrrp_rt_priority 40
    checker_rt_priority 50
    vrrp_priority -5
    vrrp_no_swap
    vrrp_cpu_affinity 0
    vrrp_rlimit_rttime 2000000
    umask 077"
start_halbd a "$conf"
pid=$H_a
wait_until 5 "a holds the VIP" has_vip a 192.0.2.100

status() { sed -n "s/^$1:[[:space:]]*//p" "/proc/$pid/status"; }
probe_result() {
    rm -f "$TMP"/probe.*.done
    wait_until 5 "the track script ran" sh -c 'ls "$1"/probe.*.done' sh "$TMP"
    cat "$(ls "$TMP"/probe.*.done | head -1)"
}

echo "== configured"
chrt -p "$pid" >"$TMP/chrt"
grep -q "policy: SCHED_RR|SCHED_RESET_ON_FORK" "$TMP/chrt" && ok || fail "policy: $(cat "$TMP/chrt")"
grep -q "priority: 50$" "$TMP/chrt" && ok || fail "the higher of 40 and 50: $(cat "$TMP/chrt")"
nice_of() { awk '{print $19}' "/proc/$1/stat"; }  # ps shows "-" for a real-time process
[ "$(nice_of "$pid")" = -5 ] && ok || fail "nice $(nice_of "$pid")"
lck=$(status VmLck | awk '{print $1}')
[ "${lck:-0}" -gt 0 ] && ok || fail "memory not locked (VmLck ${lck:-?} kB)"
[ "$(status Cpus_allowed_list)" = 0 ] && ok || fail "CPUs $(status Cpus_allowed_list)"
# The soft limit (a reload may raise it again without CAP_SYS_RESOURCE).
grep -q "^Max realtime timeout *2000000 " "/proc/$pid/limits" && ok ||
    fail "RLIMIT_RTTIME: $(grep realtime "/proc/$pid/limits")"
[ "$(status Umask)" = 0077 ] && ok || fail "umask $(status Umask)"
probe_result >"$TMP/p1"
grep -q "^umask 0077$" "$TMP/p1" && ok || fail "the script's umask: $(cat "$TMP/p1")"
grep -q "^nice 0$" "$TMP/p1" && ok || fail "the script's nice value (reset on fork): $(cat "$TMP/p1")"
grep -q "policy: SCHED_OTHER" "$TMP/p1" && ok || fail "the script's policy (reset on fork): $(cat "$TMP/p1")"
grep -q "process: SCHED_RR priority 50" "$TMP/a/halbd.log" && ok || fail "the log says what changed"

echo "== reload without them: back as started"
write_conf ""
kill -HUP "$pid"
wait_until 5 "SCHED_OTHER again" sh -c 'chrt -p "$1" | grep -q "policy: SCHED_OTHER"' sh "$pid"
[ "$(nice_of "$pid")" = 0 ] && ok || fail "nice after reload $(nice_of "$pid")"
[ "$(status VmLck | awk '{print $1}')" = 0 ] && ok || fail "still locked: $(status VmLck)"
[ "$(status Cpus_allowed_list)" = "$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)" ] && ok ||
    fail "CPUs after reload $(status Cpus_allowed_list)"
[ "$(status Umask)" = 0022 ] && ok || fail "umask after reload $(status Umask)"
grep -q "^Max realtime timeout *unlimited " "/proc/$pid/limits" && ok ||
    fail "RLIMIT_RTTIME after reload: $(grep realtime "/proc/$pid/limits")"
grep -q "error: process" "$TMP/a/halbd.log" && fail "a setting was refused: $(grep "error: process" "$TMP/a/halbd.log")" || ok
has_vip a 192.0.2.100 && ok || fail "the VIP stayed through the reload"

stop_halbd a
finish
