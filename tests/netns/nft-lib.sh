# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/nft-lib.sh: the topology of the nftables-backend tests
# (sourced after tests/netns/lib.sh). A client namespace `cl` with 100 source
# addresses (203.0.113.1-100) reaches VIP 192.0.2.10 on `lb`, which runs
# halbd (NAT) and routes to three real servers rs1-rs3 (198.51.100.11-13,
# default route back through lb) on a bridge. Each real server runs
# `nftpeer.py serve`: it greets every connection with its name and answers
# each line with its name again, so a client sees which server it reached
# and whether an established connection still works. IPv6 mode (nft-dr6.sh):
# RS_BIND=:: makes the servers listen on IPv6 too, and NFTPEER_SRC (a Python
# format of the client number, default "203.0.113.%d") names the clients'
# source addresses; a VIP with a ':' is reached over IPv6.
#
#   nft_topology              build it, start the three servers
#   nft_client ARGS...        run nftpeer.py (client side) in cl
#   rs_stop N / rs_start N    stop / restart real server N's process
#   slot_dests PORT           the real server of each slot of service
#                             192.0.2.10:PORT, one per line (the slots live in
#                             maps shared by many services)
PEER=$TMP/nftpeer.py
cat >"$PEER" <<'PY'
import socket, sys, threading, time, select, os
SRC = os.environ.get("NFTPEER_SRC", "203.0.113.%d")
def family(addr): return socket.AF_INET6 if ":" in addr else socket.AF_INET
def serve(name, port, addr="0.0.0.0"):
    s = socket.socket(family(addr)); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port)); s.listen(1024)
    def one(c):
        try:
            c.sendall((name + "\n").encode())
            f = c.makefile("rb")
            for line in f:
                c.sendall((name + "\n").encode())
        except OSError:
            pass
        finally:
            c.close()
    while True:
        c, _ = s.accept()
        threading.Thread(target=one, args=(c,), daemon=True).start()
def connect(src, vip, port, timeout=3):
    c = socket.socket(family(vip)); c.settimeout(timeout)
    c.bind((src, 0)); c.connect((vip, port))
    f = c.makefile("rb")
    return c, f, f.readline().decode().strip()
def dist(vip, port, n, nsrc, timeout=3):
    # n connections, round-robin over nsrc source addresses, each given
    # timeout seconds; "src server" lines (server ERROR on failure)
    bad = 0
    for i in range(n):
        src = SRC % (i % nsrc + 1)
        try:
            c, f, who = connect(src, vip, port, timeout); c.close()
        except OSError as e:
            who = "ERROR"
        print(src, who)
    sys.stdout.flush()
def hold(vip, port, k, ctl):
    # k established connections; on each line of the file ctl ("ping"),
    # every connection is asked once more; prints "conn i server reply"
    conns = []
    for i in range(k):
        conns.append(connect(SRC % (i + 1), vip, port))
    print("OPEN", " ".join(w for _, _, w in conns)); sys.stdout.flush()
    seen = 0
    while True:
        with open(ctl) as fh:
            lines = fh.read().split()
        if "quit" in lines: return
        while seen < len(lines):
            seen += 1
            out = []
            for c, f, who in conns:
                try:
                    c.sendall(b"ping\n"); r = f.readline().decode().strip() or "CLOSED"
                except OSError:
                    r = "ERROR"
                out.append("%s=%s" % (who, r))
            print("PING%d" % seen, " ".join(out)); sys.stdout.flush()
        time.sleep(0.05)
def loop(vip, port, src, until):
    # new connections until the file `until` exists; prints counts at the end
    good = bad = 0
    import os
    while not os.path.exists(until):
        try:
            c, f, who = connect(src, vip, port); c.close(); good += 1
            if good == 1: print("UP"); sys.stdout.flush()
        except OSError:
            bad += 1
    print("LOOP", good, bad); sys.stdout.flush()
cmd = sys.argv[1]
if cmd == "serve": serve(sys.argv[2], int(sys.argv[3]), *sys.argv[4:5])
elif cmd == "dist": dist(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]),
                         float(sys.argv[6]) if len(sys.argv) > 6 else 3)
elif cmd == "hold": hold(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
elif cmd == "loop": loop(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
PY

nft_topology() {
    ns_new cl || return 1
    ns_new lb || return 1
    ns_link cl eth0 lb eth0 || return 1
    ns cl ip addr add 192.0.2.2/24 dev eth0
    for i in $(seq 1 100); do ns cl ip addr add 203.0.113.$i/32 dev eth0; done
    ns cl ip route add 198.51.100.0/24 via 192.0.2.1
    ns lb ip addr add 192.0.2.1/24 dev eth0
    ns lb ip addr add 192.0.2.10/32 dev eth0
    ns lb ip route add 203.0.113.0/24 via 192.0.2.2
    ns lb sysctl -qw net.ipv4.ip_forward=1
    ns_bridge sw || return 1
    ns_port sw lb eth1 || return 1
    ns lb ip addr add 198.51.100.1/24 dev eth1
    for n in 1 2 3; do
        ns_new rs$n || return 1
        ns_port sw rs$n eth0 || return 1
        ns rs$n ip addr add 198.51.100.1$n/24 dev eth0
        ns rs$n ip route add default via 198.51.100.1
        rs_start $n
    done
    for n in 1 2 3; do
        wait_until 10 "rs$n listening" ns lb python3 -c "import socket; socket.create_connection(('198.51.100.1$n', 8080), 1)"
    done
}

rs_start() {
    ns_bg rs$1 "$TMP/rs$1.log" python3 "$PEER" serve rs$1 8080 "${RS_BIND:-0.0.0.0}"
    eval "RS$1=\$BG_PID"
}
rs_stop() { eval "kill \$RS$1"; }

nft_client() { ns cl python3 "$PEER" "$@"; }
slot_dests() { nft_slot_dests lb 192.0.2.10 "$1"; }

# count FILE SERVER: lines of a dist output naming SERVER
count() { grep -c " $2\$" "$1" || true; }

# The DR tests (nft-dr.sh, nft-dr6.sh): lb runs halbd with a DR service
# VIP:8080 over rs1-rs3; these are their common steps and assertions.
#   dr_conf VIP REAL...  $TMP/halbd.conf: lvs_backend nftables, mh, lb_kind DR,
#                        a TCP_CHECK every second on each REAL (port 8080)
#   dr_spread VIP        300 connections from 100 clients: each server gets
#                        15-55%, none fails, one server per client; the
#                        client -> server map in $TMP/map1
#   dr_rs2_gone VIP      (rs2 has left) 200 more: none fails or reaches rs2,
#                        at most 3 clients of rs1/rs3 move (Maglev)
#   dr_rs3_refuses VIP   (rs3 lacks the VIP) 40 clients: rs3's fail, rs1's work
#   dr_slots_are MAP RE EXPECTED  the real servers (matching grep RE) of slot
#                        map MAP in table netdev halbd are EXPECTED (sorted,
#                        space-separated)
#   dr_netdev RULE       table netdev halbd has one ingress chain, on eth0,
#                        and a rule matching RULE (a grep RE)
dr_conf() {
    _vip=$1; shift
    {
        printf 'global_defs {\n  router_id lb\n  lvs_backend nftables\n}\n'
        printf 'virtual_server %s 8080 {\n  delay_loop 1\n  lb_algo mh\n  lb_kind DR\n  protocol TCP\n' "$_vip"
        for _r in "$@"; do
            printf '  real_server %s 8080 {\n    TCP_CHECK {\n      connect_timeout 1\n      retry 0\n    }\n  }\n' "$_r"
        done
        printf '}\n'
    } >"$TMP/halbd.conf"
}
dr_spread() {
    nft_client dist "$1" 8080 300 100 >"$TMP/d1.out"
    for _n in 1 2 3; do
        _c=$(count "$TMP/d1.out" rs$_n)
        echo "  rs$_n: $_c of 300"
        [ "$_c" -ge 45 ] && [ "$_c" -le 165 ] && ok || fail "rs$_n got $_c of 300 connections"
    done
    _e=$(grep -c ERROR "$TMP/d1.out")
    [ "$_e" = 0 ] && ok || fail "$_e connection(s) failed"
    # Each client's server, from three rounds: one server per client.
    _split=$(sort -u "$TMP/d1.out" | awk '{print $1}' | uniq -d | wc -l)
    [ "$_split" = 0 ] && ok || fail "$_split client(s) reached more than one server"
    sort -u "$TMP/d1.out" >"$TMP/map1"
}
dr_rs2_gone() {
    nft_client dist "$1" 8080 200 100 >"$TMP/d2.out"
    _e=$(grep -c ERROR "$TMP/d2.out")
    [ "$_e" = 0 ] && ok || fail "$_e connection(s) failed after rs2 left"
    [ "$(count "$TMP/d2.out" rs2)" = 0 ] && ok || fail "connections still reach rs2"
    _moved=$(sort -u "$TMP/d2.out" | join "$TMP/map1" - | awk '$2 != "rs2" && $2 != $3' | wc -l)
    echo "  clients of rs1/rs3 that moved: $_moved of $(awk '$2 != "rs2"' "$TMP/map1" | wc -l)"
    # Maglev's bound, as in nft-schedulers.sh: a few slots of the others move.
    [ "$_moved" -le 3 ] && ok || fail "$_moved client(s) of rs1/rs3 moved when rs2 left"
}
dr_rs3_refuses() {
    nft_client dist "$1" 8080 40 40 0.5 >"$TMP/d3.out"
    _e=$(grep -c ERROR "$TMP/d3.out"); _r1=$(count "$TMP/d3.out" rs1)
    echo "  failed: $_e of 40 (rs1 answered $_r1)"
    [ "$_e" -ge 8 ] && [ "$_r1" -ge 8 ] && [ $((_e + _r1)) = 40 ] && ok ||
        fail "rs3's clients should fail, rs1's not ($_e failed, rs1 $_r1)"
}
dr_slots_are() {
    [ "$(ns lb nft list map netdev halbd "$1" 2>/dev/null | grep -o "$2" | sort -u | tr '\n' ' ' | sed 's/ $//')" = "$3" ]
}
dr_netdev() {
    ns lb nft list table netdev halbd >"$TMP/netdev.txt"
    [ "$(grep -c 'hook ingress device "eth0"' "$TMP/netdev.txt")" = 1 ] && ok || fail "ingress chain on eth0: $(cat "$TMP/netdev.txt")"
    grep -q "$1" "$TMP/netdev.txt" && ok || fail "DR rule: $(cat "$TMP/netdev.txt")"
}
