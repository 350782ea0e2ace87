#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/vrrp-track.sh: VRRP tracking and notifications on a real kernel.
# Namespaces a and b run halbd (b with the higher priority), c is a client;
# two bridges: sw (eth0) and sw2 (eth1). Checks: track_interface and the
# instance's own link going down hand the VIP over; a failing vrrp_script
# lowers the priority so that the backup preempts; a script timeout kills
# the script and counts as a failure; notify_master runs as the configured
# user; vrrp_notify_fifo lines match keepalived's byte for byte; a sync
# group moves both instances when only one link fails; enable_script_security
# refuses a world-writable script; vrrp_track_process (a copy of sleep under
# a name of its own started and killed) moves the priority; an instance
# removed by a reload with notify_deleted says DELETED on the FIFO; an
# interface missing at start keeps its instance in FAULT until it appears. Only 192.0.2.0/24, 198.51.100.0/24
# and 203.0.113.0/24 inside our namespaces.
set -u
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
command -v keepalived >/dev/null 2>&1 || skip "needs keepalived"
id nobody >/dev/null 2>&1 || skip "needs user nobody"

ns_bridge sw
ns_bridge sw2
for s in sw sw2; do ip -n "$NS_PREFIX-$s" link set br0 type bridge mcast_snooping 0; done
for n in a b c; do
    ns_new $n
    ns_port sw $n eth0
done
for n in a b; do ns_port sw2 $n eth1; done
ip -n "$NS_PREFIX-a" addr add 192.0.2.1/24 dev eth0
ip -n "$NS_PREFIX-b" addr add 192.0.2.2/24 dev eth0
ip -n "$NS_PREFIX-c" addr add 192.0.2.10/24 dev eth0
ip -n "$NS_PREFIX-a" addr add 198.51.100.1/24 dev eth1
ip -n "$NS_PREFIX-b" addr add 198.51.100.2/24 dev eth1
chmod 755 "$TMP"  # scripts run as nobody must reach their files
mkdir -m 1777 "$TMP/res"

logs_on_failure "$TMP/*/halbd.log" "$TMP/*.log"

# conf FILE PRIORITY GLOBAL_LINES INSTANCE_LINES [TOP_LINES]: one instance VI_1 on eth0.
conf() {
    cat >"$1" <<CONF
global_defs {
    router_id $(basename "$1" .conf)
    vrrp_version 3
$3
}
${5:-}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 31
    priority $2
    advert_int 0.1
$4
    virtual_ipaddress {
        192.0.2.100/24
    }
}
CONF
}

echo "== track_interface and the instance's own interface"
conf "$TMP/a.conf" 100 "" ""
conf "$TMP/b1.conf" 200 "" "    track_interface {
        eth1
    }"
start_halbd a "$TMP/a.conf"
start_halbd b "$TMP/b1.conf"
holds b a 192.0.2.100
ip -n "$NS_PREFIX-b" link set eth1 down
holds a b 192.0.2.100
wait_log "$TMP/b/halbd.log" "MASTER -> FAULT (track_interface eth1 down)" 5
ip -n "$NS_PREFIX-b" link set eth1 up
holds b a 192.0.2.100
wait_log "$TMP/b/halbd.log" "track_interface eth1 down recovered" 5
ip -n "$NS_PREFIX-b" link set eth0 down
wait_log "$TMP/b/halbd.log" "MASTER -> FAULT (interface eth0 down)" 5
wait_until 5 "b removes the VIP in FAULT" lacks_vip b 192.0.2.100
wait_until 5 "a takes the VIP" has_vip a 192.0.2.100
ip -n "$NS_PREFIX-b" link set eth0 up
holds b a 192.0.2.100
stop_halbd b

echo "== vrrp_script: failure lowers the priority, the backup preempts; timeout kills"
conf "$TMP/b2.conf" 200 "" "    track_script {
        chk
        slow
    }" "vrrp_script chk {
    script \"/usr/bin/test -f $TMP/ok\"
    interval 1
    weight -150
}
vrrp_script slow {
    script \"/bin/sleep \$SLEEP\"
    interval 1
    timeout 1
    weight -20
}"
touch "$TMP/ok"
sed "s|\\\$SLEEP|0|" "$TMP/b2.conf" >"$TMP/b2fast.conf"
sed "s|\\\$SLEEP|30|" "$TMP/b2.conf" >"$TMP/b2slow.conf"
start_halbd b "$TMP/b2fast.conf"
holds b a 192.0.2.100
rm -f "$TMP/ok"
wait_log "$TMP/b/halbd.log" "vrrp_script chk: up -> down (1 consecutive failure, last: exit status 1)" 5
wait_log "$TMP/b/halbd.log" "VI_1: priority 200 -> 50 (tracking: track_script chk down -150)" 5
holds a b 192.0.2.100
touch "$TMP/ok"
wait_log "$TMP/b/halbd.log" "priority 50 -> 200" 5
holds b a 192.0.2.100
stop_halbd b
start_halbd b "$TMP/b2slow.conf"
wait_log "$TMP/b/halbd.log" "vrrp_script slow: timed out after 1.00s, killed" 5
wait_log "$TMP/b/halbd.log" "vrrp_script slow: unknown -> down" 5
wait_log "$TMP/b/halbd.log" "priority 200 -> 180 (tracking: track_script slow down -20)" 5
# Processes of namespace b running NAME (pgrep alone would see the whole host).
ns_running() { for p in $(ip netns pids "$NS_PREFIX-$1"); do cat /proc/$p/comm 2>/dev/null; done | grep -cx "$2"; }
at_most() { [ "$(ns_running "$1" "$2")" -le "$3" ]; }  # NODE NAME N
# The next run may have started; the killed one must not linger past its grace.
wait_until 4 "at most one sleep (the killed one is gone)" at_most b sleep 1
stop_halbd b
wait_until 3 "no script left running after stop" at_most b sleep 0

echo "== notify scripts, vrrp_notify_fifo (keepalived's format), enable_script_security"
cat >"$TMP/notify.sh" <<'SH'
#!/bin/sh
# notify_master: who ran me and with what
echo "$(id -un) $*" >>"$1"
SH
cat >"$TMP/notify-all.sh" <<'SH'
#!/bin/sh
out=$1; shift
echo "$*" >>"$out"
SH
chmod 755 "$TMP/notify.sh" "$TMP/notify-all.sh"
cp "$TMP/notify.sh" "$TMP/insecure.sh"; chmod 777 "$TMP/insecure.sh"
conf "$TMP/b3.conf" 200 "    script_user nobody
    enable_script_security
    vrrp_notify_fifo $TMP/b.fifo" "    notify_master \"$TMP/notify.sh $TMP/res/master x\"
    notify \"$TMP/notify-all.sh $TMP/res/all\"
    notify_backup \"$TMP/insecure.sh $TMP/res/insecure\"
    track_script {
        ins
    }" "vrrp_script ins {
    script $TMP/insecure.sh
}"
stop_halbd a
start_halbd b "$TMP/b3.conf"
wait_until 5 "notify_master wrote its file" test -s "$TMP/res/master"

[ "$(cat "$TMP/res/master")" = "nobody $TMP/res/master x" ] && ok || fail "notify_master output: $(cat "$TMP/res/master")"
wait_until 5 "notify got BACKUP then MASTER" sh -c "[ \$(wc -l <$TMP/res/all) -ge 2 ]"
printf 'INSTANCE VI_1 BACKUP 200\nINSTANCE VI_1 MASTER 200\n' >"$TMP/expect.all"
cmp -s "$TMP/expect.all" "$TMP/res/all" && ok || { fail "notify arguments"; cat "$TMP/res/all" >&2; }
grep -q "notify_backup $TMP/insecure.sh $TMP/res/insecure: insecure script (enable_script_security)" "$TMP/b/halbd.log" && ok ||
    fail "no refusal line for the insecure notify script"
grep -q "vrrp_script ins: $TMP/insecure.sh: insecure script (enable_script_security)" "$TMP/b/halbd.log" && ok ||
    fail "no refusal line for the insecure vrrp_script"
[ ! -e "$TMP/res/insecure" ] && ok || fail "the insecure script ran"
# The FIFO keeps what was written before a reader came (halbd opens it read-write).
timeout 2 cat "$TMP/b.fifo" >"$TMP/b.fifo.out" 2>/dev/null
stop_halbd b
# keepalived with the same instance and FIFO, as the reference for the format.
conf "$TMP/ka.conf" 200 "    vrrp_notify_fifo $TMP/ka.fifo" ""
mkfifo "$TMP/ka.fifo"
( exec 3<>"$TMP/ka.fifo"; timeout 6 cat <&3 >"$TMP/ka.fifo.out" ) &
FIFO_READER=$!
ns_bg a "$TMP/ka.log" keepalived -n -l -D -P -f "$TMP/ka.conf" -p "$TMP/ka.pid" -r "$TMP/ka.vpid" -i kaa
KA=$BG_PID
wait_until 8 "keepalived reports MASTER on its FIFO" grep -q MASTER "$TMP/ka.fifo.out"
kill -TERM $KA; wait $KA 2>/dev/null
wait $FIFO_READER 2>/dev/null
head -n 2 "$TMP/ka.fifo.out" >"$TMP/ka.lines"
head -n 2 "$TMP/b.fifo.out" >"$TMP/b.lines"
printf 'INSTANCE "VI_1" BACKUP 200\nINSTANCE "VI_1" MASTER 200\n' >"$TMP/expect.fifo"
cmp -s "$TMP/expect.fifo" "$TMP/b.lines" && ok || { fail "halbd FIFO lines"; cat "$TMP/b.fifo.out" >&2; }
cmp -s "$TMP/ka.lines" "$TMP/b.lines" && ok || { fail "halbd and keepalived FIFO lines differ"; cat "$TMP/ka.fifo.out" >&2; }

echo "== vrrp_sync_group: one link fails, both instances move"
sync_conf() {  # FILE PRIORITY
    cat >"$1" <<CONF
global_defs {
    router_id $(basename "$1" .conf)
    vrrp_version 3
    vrrp_notify_fifo $TMP/$(basename "$1" .conf).fifo
    notify_fifo $TMP/$(basename "$1" .conf)-all.fifo
    notify_fifo_script "$TMP/reader.sh $TMP/res/reader-$(basename "$1" .conf)"
}
vrrp_sync_group VG_1 {
    group {
        VI_1
        VI_2
    }
    notify "$TMP/notify-all.sh $TMP/res/group-$(basename "$1" .conf)"
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 41
    priority $2
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.100/24
    }
}
vrrp_instance VI_2 {
    interface eth1
    virtual_router_id 42
    priority $2
    advert_int 0.1
    virtual_ipaddress {
        198.51.100.100/24
    }
}
CONF
}
cat >"$TMP/reader.sh" <<'SH'
#!/bin/sh
# notify_fifo_script: OUT FIFO (halbd appends the FIFO path)
exec cat "$2" >>"$1"
SH
chmod 755 "$TMP/reader.sh"
sync_conf "$TMP/sa.conf" 100
sync_conf "$TMP/sb.conf" 200
rm -f "$TMP/sb.fifo"
start_halbd a "$TMP/sa.conf"
start_halbd b "$TMP/sb.conf"
holds b a 192.0.2.100
holds b a 198.51.100.100
ip -n "$NS_PREFIX-b" link set eth1 down
holds a b 198.51.100.100
holds a b 192.0.2.100   # eth0 is fine, but the group moves together
wait_log "$TMP/b/halbd.log" "VI_2: MASTER -> FAULT (interface eth1 down)" 5
wait_until 5 "group notify FAULT" grep -qx "GROUP VG_1 FAULT 0" "$TMP/res/group-sb"
ip -n "$NS_PREFIX-b" link set eth1 up
holds b a 198.51.100.100
holds b a 192.0.2.100
timeout 1 cat "$TMP/sb.fifo" >"$TMP/sb.fifo.out" 2>/dev/null
grep -qx 'GROUP "VG_1" FAULT 0' "$TMP/sb.fifo.out" && ok || { fail "no GROUP FAULT line on the FIFO"; cat "$TMP/sb.fifo.out" >&2; }
grep -qx 'INSTANCE "VI_1" FAULT 200' "$TMP/sb.fifo.out" && ok || fail "no VI_1 FAULT line on the FIFO"
grep -qx 'GROUP "VG_1" FAULT 0' "$TMP/res/reader-sb" && ok || { fail "notify_fifo_script did not read the GROUP line"; cat "$TMP/res/reader-sb" >&2; }
stop_halbd b
stop_halbd a
wait_until 3 "notify_fifo_script stopped with halbd (a)" at_most a cat 0
wait_until 3 "notify_fifo_script stopped with halbd (b)" at_most b cat 0

echo "== vrrp_track_process moves the priority; notify_deleted on reload"
tp=halbdtp$$  # the process's name (comm) while it runs
cp /bin/sleep "$TMP/$tp"
tp_conf() {  # FILE WITH_VI_2
    conf "$1" 200 "    vrrp_notify_fifo $TMP/tp.fifo" "    track_process {
        tp
    }" "vrrp_track_process tp {
    process $tp
    weight -150
}"
    [ "$2" = yes ] && cat >>"$1" <<CONF
vrrp_instance VI_2 {
    interface eth1
    virtual_router_id 32
    priority 100
    advert_int 0.1
    notify_deleted
    virtual_ipaddress {
        198.51.100.100/24
    }
}
CONF
    :
}
tp_conf "$TMP/tp.conf" yes
rm -f "$TMP/tp.fifo"
start_halbd a "$TMP/a.conf"
start_halbd b "$TMP/tp.conf"
wait_log "$TMP/b/halbd.log" "track_process tp: 0 matching process(es) at start" 5
wait_log "$TMP/b/halbd.log" "VI_1: priority 200 -> 50" 5
holds a b 192.0.2.100
ns_bg b "$TMP/tp.log" "$TMP/$tp" 60
TP=$BG_PID
wait_log "$TMP/b/halbd.log" "track_process tp: down -> up (1 process(es)" 5
wait_log "$TMP/b/halbd.log" "priority 50 -> 200" 5
holds b a 192.0.2.100
kill -TERM $TP; wait $TP 2>/dev/null
wait_log "$TMP/b/halbd.log" "track_process tp: up -> down (0 process(es)" 5
holds a b 192.0.2.100
# VI_2 leaves the configuration: DELETED on the FIFO, not STOP/FAULT.
tp_conf "$TMP/tp.conf" no
kill -HUP "$H_b"
wait_log "$TMP/b/halbd.log" "VI_2: removed by reload; notified DELETED" 5
timeout 1 cat "$TMP/tp.fifo" >"$TMP/tp.fifo.out" 2>/dev/null
grep -qx 'INSTANCE "VI_2" DELETED 100' "$TMP/tp.fifo.out" && ok || { fail "no DELETED line on the FIFO"; cat "$TMP/tp.fifo.out" >&2; }
grep -q 'INSTANCE "VI_2" STOP' "$TMP/tp.fifo.out" && fail "STOP notified for a deleted instance" || ok
stop_halbd b
stop_halbd a

echo "== an interface missing at start: FAULT until it appears"
cat >"$TMP/late.conf" <<CONF
global_defs {
    router_id late
    vrrp_version 3
}
vrrp_instance VI_9 {
    interface eth2
    virtual_router_id 51
    priority 100
    advert_int 0.1
    virtual_ipaddress {
        203.0.113.100/24
    }
}
CONF
start_halbd b "$TMP/late.conf"
wait_log "$TMP/b/halbd.log" "VI_9: INIT -> FAULT (interface eth2" 5
ns_port sw2 b eth2
ip -n "$NS_PREFIX-b" addr add 203.0.113.2/24 dev eth2
wait_log "$TMP/b/halbd.log" "VRRP: listening on eth2" 5
wait_log "$TMP/b/halbd.log" "VI_9: FAULT -> BACKUP" 5
wait_until 10 "b takes the VIP on the late interface" has_vip b 203.0.113.100
stop_halbd b

finish
