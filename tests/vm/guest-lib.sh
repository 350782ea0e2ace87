# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/vm/guest-lib.sh: helpers for the scripts that run inside the VM
# (sourced there from /test/guest-lib.sh; each VM test copies it in with
# --file). POSIX sh: the guest's /bin/sh is dash.
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
bad() { failed=$((failed + 1)); echo "not ok - $1"; }
# check DESCRIPTION command...: passes if the command succeeds.
check() {
    what=$1
    shift
    if "$@" >/tmp/out 2>&1; then ok "$what"; else
        bad "$what"
        sed 's/^/    | /' /tmp/out
    fi
}
# poll SECONDS command...: retry every 0.2 s until the command succeeds.
# (Another process's progress cannot be waited on from here: a bounded poll.)
poll() {
    tries=$(($1 * 5))
    shift
    while [ "$tries" -gt 0 ]; do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.2
        tries=$((tries - 1))
    done
    return 1
}
# director_net REAL_IP...: client netns -- c0/c1 -- this netns (the
# director, VIP 203.0.113.10 on a dummy link) -- r0/r1 -- a "reals" netns
# holding each REAL_IP/24. Documentation ranges only; the VM has no NIC.
director_net() (
    set -e
    sysctl -qw net.ipv4.ip_forward=1
    ip netns add client
    ip netns add reals
    ip link add c0 type veth peer name c1
    ip link add r0 type veth peer name r1
    ip link set c1 netns client
    ip link set r1 netns reals
    ip link add vip0 type dummy
    ip addr add 203.0.113.10/32 dev vip0
    ip link set vip0 up
    ip addr add 192.0.2.1/24 dev c0
    ip link set c0 up
    ip addr add 198.51.100.1/24 dev r0
    ip link set r0 up
    ip -n client link set lo up
    ip -n client addr add 192.0.2.2/24 dev c1
    ip -n client link set c1 up
    ip -n client route add default via 192.0.2.1
    ip -n reals link set lo up
    for a in "$@"; do ip -n reals addr add "$a/24" dev r1; done
    ip -n reals link set r1 up
    ip -n reals route add default via 198.51.100.1
)
