#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# bench/soak.sh: the soak of issue 11 ("Hardening"). One halbd pair (a: 150,
# b: 100, VRRPv2 with PASS authentication) on a bridge, with track scripts,
# notify scripts and health checks (TCP_CHECK, MISC_CHECK) against real
# servers in a third namespace, is attacked for DURATION seconds at once by
# HUP storms (valid and invalid edits in turn), control-socket floods
# (halbctl loops and malformed requests), forged adverts from a fourth
# namespace, and scripts that fail, hang past their timeout or leave a
# `sleep &` behind. bench/soak.py samples each node every second and prints
# the figures; the exit status is 1 when a bound fails (see bench/README.md).
# Root; only 192.0.2.0/24 inside its own namespaces.
#
#   DURATION=600 bench/soak.sh          # defaults: ADVERT=1 FORGE_PPS=1000 CTL_LOOPS=2
#   HALBD=/path/to/src/halbd KEEP=1 DURATION=60 bench/soak.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/..}
: "${HALBD:=$here/../src/halbd}"
: "${HALBCTL:=$(dirname "$HALBD")/halbctl}"
: "${NS_PREFIX:=soak$$}"
: "${DURATION:=600}" "${ADVERT:=1}" "${FORGE_PPS:=1000}" "${CTL_LOOPS:=2}" "${GARBAGE_RATE:=50}"
: "${HUP_PERIOD:=0.2}" "${BASE:=8}" "${SETTLE:=12}" "${QUIET:=5}" "${FD_SLACK:=2}" "${PROC_SLACK:=2}" "${NICE:=0}"
export HALBD
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
[ -x "$HALBD" ] || skip "no halbd at $HALBD (set HALBD)"
[ -x "$HALBCTL" ] || skip "no halbctl at $HALBCTL (set HALBCTL)"
for c in python3 tcpdump; do command -v $c >/dev/null 2>&1 || skip "needs $c"; done
id nobody >/dev/null 2>&1 || skip "needs user nobody"
# The interpreter itself: a wrapper (pyenv's shim) costs seconds per start on a busy machine.
PY=$(python3 -c 'import sys; print(sys.executable)')
SOAK="$PY $here/soak.py"
keep() { [ "${KEEP:-0}" = 1 ] && cp -r "$TMP" "$TMP.kept" && echo "kept $TMP.kept" >&2; :; }
on_exit keep

# The LAN: a and b run halbd, r holds the real servers, x is the attacker.
ns_bridge sw
ip -n "$NS_PREFIX-sw" link set br0 type bridge mcast_snooping 0
for n in a:1 b:2 r:20 x:66; do
    ns_new ${n%:*}
    ns_port sw ${n%:*} eth0
    ip -n "$NS_PREFIX-${n%:*}" addr add 192.0.2.${n#*:}/24 dev eth0
done
ip -n "$NS_PREFIX-r" addr add 192.0.2.21/24 dev eth0

# Scripts run as nobody: each run leaves one byte in res/NAME (its count).
chmod 755 "$TMP"
S=$TMP/scripts R=$TMP/res
mkdir -m 755 "$S"
mkdir -m 1777 "$R"
script() { printf '#!/bin/sh\nprintf x >>%s/%s\n%s\n' "$R" "$1" "$2" >"$S/$1.sh"; chmod 755 "$S/$1.sh"; }
script ok 'exit 0'
script fail 'exit 1'
script hang 'sleep 3600'                   # past every timeout: must be killed, with its child
script fork 'sleep 300 & exit 0'           # leaves a child behind
script flaky 'exit $(($$ % 2))'
script notify 'sleep 0.5 & exit 1'

# track NAME WEIGHT [LINE]: a vrrp_script running $S/NAME.sh every second.
track() {
    printf 'vrrp_script chk_%s {\n    script "%s/%s.sh"\n    interval 1\n    weight %s\n' "$1" "$S" "$1" "$2"
    [ -z "${3:-}" ] || echo "    $3"
    echo "}"
}
# conf NODE PRIORITY WEIGHT [bad]: the variants a HUP storm switches between.
conf() {
    # bad: a VRID out of range is an error (priority 300 is only a warning
    # since halbd replaces it as keepalived does).
    prio=$2 vrid=51
    [ "${4:-}" = bad ] && vrid=300
    cat <<EOF
global_defs {
    router_id soak-$1
    # IPVS, as when the soak was written: on a kernel without it, auto would
    # pick nftables, which refuses the virtual servers' default wlc.
    lvs_backend ipvs
    vrrp_version 2
    script_user nobody
    enable_script_security
}
$(track ok -1)
$(track fail -10)
$(track hang -5 "timeout 1")
$(track fork -2)
$(track flaky -20)
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id $vrid
    priority $prio
    advert_int $ADVERT
    authentication {
        auth_type PASS
        auth_pass soakpass
    }
    virtual_ipaddress {
        192.0.2.100/24
    }
    track_script {
        chk_ok
        chk_fail
        chk_hang
        chk_fork
        chk_flaky
    }
    notify_master "$S/notify.sh master"
    notify_backup "$S/notify.sh backup"
    notify_fault "$S/notify.sh fault"
    notify "$S/hang.sh"
}
virtual_server 192.0.2.200 80 {
    delay_loop 1
    lvs_sched rr
    lvs_method NAT
    protocol TCP
    real_server 192.0.2.20 80 {
        weight $3
        TCP_CHECK {
            connect_timeout 1
        }
    }
    real_server 192.0.2.21 81 {
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
virtual_server 192.0.2.201 80 {
    delay_loop 1
    protocol TCP
    real_server 192.0.2.20 8080 {
        notify_up "$S/notify.sh up"
        notify_down "$S/notify.sh down"
        MISC_CHECK {
            misc_path "$S/flaky.sh"
            misc_timeout 1
        }
    }
    real_server 192.0.2.21 8080 {
        MISC_CHECK {
            misc_path "$S/fail.sh"
        }
    }
}
virtual_server 192.0.2.202 80 {
    delay_loop 1
    protocol TCP
    real_server 192.0.2.20 9090 {
        MISC_CHECK {
            misc_path "$S/hang.sh"
            misc_timeout 1
        }
    }
    real_server 192.0.2.21 9090 {
        MISC_CHECK {
            misc_path "$S/fork.sh"
        }
    }
}
EOF
}
for n in a:150 b:100; do
    node=${n%:*}
    mkdir -p "$TMP/$node"
    conf $node ${n#*:} 1 >"$TMP/$node/v1.conf"
    conf $node ${n#*:} 2 >"$TMP/$node/v2.conf"
    conf $node ${n#*:} 1 bad >"$TMP/$node/bad.conf"
    for v in v1 v2 bad; do
        "$HALBD" -t -f "$TMP/$node/$v.conf" >"$TMP/$node/$v.t" 2>&1
        st=$?
        case $v:$st in bad:1 | v?:0) ok ;; *)
            fail "halbd -t $node/$v.conf: status $st"
            cat "$TMP/$node/$v.t" >&2 ;;
        esac
    done
    cp "$TMP/$node/v1.conf" "$TMP/$node/halbd.conf"
done
[ "$fails" = 0 ] || { finish; exit 1; }
logs_on_failure "$TMP/*/halbd.log" "$TMP/*.log"

ns_bg r "$TMP/listener.log" $PY "$here/check-listener.py" tcp 80
wait_log "$TMP/listener.log" ready 20
# The adverts of a and b (not the attacker's) as the LAN sees them.
ns_bg sw "$TMP/tcpdump.log" tcpdump -i br0 -n -Z root -B 8192 -U -w "$TMP/vrrp.pcap" \
    'ip proto 112 and (src host 192.0.2.1 or src host 192.0.2.2)'
TCPDUMP=$BG_PID
wait_log "$TMP/tcpdump.log" "listening on" 10
for node in a b; do
    ns_bg $node "$TMP/$node/halbd.log" nice -n "$NICE" "$HALBD" -n -l -G -f "$TMP/$node/halbd.conf" \
        -p "$TMP/$node/halbd.pid" --control-socket "$TMP/$node/halbd.ctl"
    eval "H_$node=\$BG_PID"
    wait_log "$TMP/$node/halbd.log" "started with configuration" 10
done
holds a b 192.0.2.100
now() { date +%s.%3N; }
T_CONVERGED=$(now)

$SOAK sample "$TMP/samples" $((BASE + 2 * DURATION + SETTLE + 60)) \
    a:$NS_PREFIX-a:$TMP/a/halbd.pid b:$NS_PREFIX-b:$TMP/b/halbd.pid &
SAMPLER=$!
sleep "$BASE"
T_FLOOD=$(now)
end=$((${T_FLOOD%.*} + DURATION))
END=$end.${T_FLOOD#*.}

# (b) control-socket floods: halbctl in loops, malformed requests beside them.
ctl_loop() {
    _ok=0 _bad=0
    while [ "$(date +%s)" -lt $end ]; do
        for c in status vrrp checks dump; do
            if "$HALBCTL" --socket "$TMP/$1/halbd.ctl" "$c" >/dev/null 2>&1; then
                _ok=$((_ok + 1))
            else
                _bad=$((_bad + 1))
            fi
        done
    done
    printf 'ctl_ok %d\nctl_failed %d\n' $_ok $_bad >"$TMP/ctl-$1-$2.count"
}
flood_pids=""
bg() { "$@" & flood_pids="$flood_pids $!"; _bg_pids="$_bg_pids $!"; }
for node in a b; do
    eval "pid=\$H_$node"
    # (a) HUP storms: v1, bad, v2, bad, ... each renamed into place, then HUP.
    bg $SOAK hup "$pid" "$TMP/$node" "$HUP_PERIOD" "$END" "$TMP/hup-$node.count"
    i=0
    while [ $i -lt "$CTL_LOOPS" ]; do bg ctl_loop $node $i; i=$((i + 1)); done
    bg $SOAK garbage "$TMP/$node/halbd.ctl" "$GARBAGE_RATE" "$END" "$TMP/garbage-$node.count"
done
# (c) forged adverts, (d) the scripts fail all along (the configuration).
bg ns x $SOAK forge 192.0.2.66 51 soakpass "$FORGE_PPS" "$END" "$TMP/forge.count"
echo "soak: flooding for ${DURATION}s" >&2
for p in $flood_pids; do wait "$p"; done
T_SETTLE=$(now)
echo "soak: settling for ${SETTLE}s" >&2
sleep "$SETTLE"
kill -TERM "$SAMPLER"
wait "$SAMPLER" 2>/dev/null
T_END=$(now)

# Reloads as halbd counted them (generation - 1 applied, refused), VRRP's own figures.
for node in a b; do
    for c in status vrrp; do
        "$HALBCTL" --socket "$TMP/$node/halbd.ctl" --json $c >"$TMP/$node/$c.json" 2>&1
    done
    "$HALBCTL" --socket "$TMP/$node/halbd.ctl" dump >"$TMP/$node/dump" 2>&1
done
kill -TERM "$TCPDUMP"
wait "$TCPDUMP" 2>/dev/null
DROPPED=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$TMP/tcpdump.log")
{
    echo "ADVERT=$ADVERT DURATION=$DURATION QUIET=$QUIET FD_SLACK=$FD_SLACK PROC_SLACK=$PROC_SLACK"
    echo "T_CONVERGED=$T_CONVERGED T_FLOOD=$T_FLOOD T_SETTLE=$T_SETTLE T_END=$T_END NODES=a,b"
    echo "PCAP_DROPPED=${DROPPED:-0}"
    echo "LABEL=$(basename "$HALBD")@$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo ?)"
} >"$TMP/params"
# A clean stop, and nothing of halbd's left in its namespace afterwards.
for node in a b; do
    eval "pid=\$H_$node"
    kill -TERM "$pid"
    wait "$pid"
    st=$?
    sleep 0.5
    left=$(ip netns pids "$NS_PREFIX-$node" | wc -l)
    for p in $(ip netns pids "$NS_PREFIX-$node"); do
        c=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)
        echo "${c:-[$(cat "/proc/$p/comm" 2>/dev/null)]}"   # [comm]: a zombie
    done |
        sort | uniq -c | sort -rn >"$TMP/$node/left"
    U=$(echo $node | tr ab AB)
    echo "HALBD_${U}_EXIT=$st HALBD_${U}_EXIT_LEFT=$left" >>"$TMP/params"
done
$SOAK report "$TMP" | tee "$TMP/report"
[ "$(tail -1 "$TMP/report" | cut -c1-6)" = FAILED ] && fail "soak bounds" || ok
finish
