#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/check-unsendable.sh: probes that cannot be sent or set up, as
# keepalived 2.2.7 treats them (issue 12). halbd runs in namespace "lb".
# 1. No route to the real server (2001:db8::53: lb has no IPv6 route at
#    all): connect()/send() fail with "Network is unreachable"; every
#    network checker kind (DNS, TCP, HTTP, SSL, SMTP, UDP, PING) counts that
#    as a failed attempt and its real server leaves the pool within
#    (retry + 1) attempts. The variant where it must not: the route and the
#    servers appear (namespace "srv6") and every one is added back.
# 2. bindto an address lb does not have: keepalived reschedules the attempt
#    after delay_loop without a verdict ("socket bind failed. Rescheduling."),
#    so the TCP_CHECK's real server stays in; its UDP_CHECK twin (keepalived's
#    udp_bind_connect counts the same bind failure) leaves. The address added
#    to lb -> the UDP one comes back.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
command -v python3 >/dev/null 2>&1 || skip "needs python3"
command -v openssl >/dev/null 2>&1 || skip "needs openssl"

ns_new lb >/dev/null || fail "namespace lb"
ns_new srv >/dev/null || fail "namespace srv"
ns_new srv6 >/dev/null || fail "namespace srv6"
ns_link lb eth0 srv eth0 || fail "veth lb <-> srv"
ns_link lb eth6 srv6 eth0 || fail "veth lb <-> srv6"
ns lb ip addr add 203.0.113.1/24 dev eth0
ns srv ip addr add 203.0.113.2/24 dev eth0
# srv6 holds the real server's address from the start; lb gets no IPv6
# address nor route to it until part 1's variant.
ns srv6 ip addr add 2001:db8:6::53/64 dev eth0 nodad

openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=rs.example.test -days 2 \
    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" >/dev/null 2>&1 || fail "certificate"
# Every kind's server on 2001:db8:6::53 (srv6), and TCP/UDP ones on
# 203.0.113.2 (srv): DNS (the query echoed with QR set: NOERROR), HTTP and
# TLS (a 200 to anything), SMTP (220/250/221), UDP echo, TCP accept.
cat >"$TMP/servers.py" <<'PY'
import socket, selectors, ssl, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
sel = selectors.DefaultSelector()
def bound(kind, port):
    s = socket.socket(fam, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[1], port))
    if kind == socket.SOCK_STREAM: s.listen(16)
    return s
tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); tls.load_cert_chain(sys.argv[2], sys.argv[3])
for port, role in ((53, "dns"), (5353, "echo")):
    sel.register(bound(socket.SOCK_DGRAM, port), selectors.EVENT_READ, role)
for port, role in ((80, "http"), (443, "https"), (25, "smtp"), (8080, "tcp")):
    sel.register(bound(socket.SOCK_STREAM, port), selectors.EVENT_READ, role)
print("listening", flush=True)
OK = b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"
while True:
    for key, _ in sel.select():
        s, role = key.fileobj, key.data
        try:
            if role == "dns":
                d, a = s.recvfrom(512); s.sendto(d[:2] + bytes([d[2] | 0x80, d[3] & 0xf0]) + d[4:], a)
            elif role == "echo":
                d, a = s.recvfrom(2048); s.sendto(d, a)
            else:
                c, _ = s.accept(); c.settimeout(2)
                if role == "https": c = tls.wrap_socket(c, server_side=True)
                if role in ("http", "https"): c.recv(4096); c.sendall(OK)
                if role == "smtp":
                    c.sendall(b"220 rs ESMTP\r\n"); f = c.makefile("rb")
                    for line in f:
                        if line.startswith(b"HELO"): c.sendall(b"250 hi\r\n")
                        elif line.startswith(b"QUIT"): c.sendall(b"221 bye\r\n"); break
                c.close()
        except (OSError, ssl.SSLError):
            pass
PY
ns_bg srv "$TMP/srv.log" python3 "$TMP/servers.py" 203.0.113.2 "$TMP/cert.pem" "$TMP/key.pem"
wait_log "$TMP/srv.log" "listening" 20
ns_bg srv6 "$TMP/srv6.log" python3 "$TMP/servers.py" 2001:db8:6::53 "$TMP/cert.pem" "$TMP/key.pem"
wait_log "$TMP/srv6.log" "listening" 20
logs_on_failure "$TMP/srv.log" "$TMP/srv6.log"

# delay_loop 1, connect_timeout 1, retry 1, delay_before_retry 1. Not alpha:
# every real server starts in the pool.
T='connect_timeout 1
            retry 1
            delay_before_retry 1'
rs6() {  # PORT CHECK-BLOCK
    printf '    real_server 2001:db8:6::53 %s {\n        %s {\n            %s\n%s        }\n    }\n' "$1" "$2" "$T" "$3"
}
{
    printf 'virtual_server 2001:db8:6::100 80 {\n    delay_loop 1\n    lb_algo rr\n    protocol TCP\n'
    rs6 53 DNS_CHECK '            type A
            name www.example.test
'
    rs6 8080 TCP_CHECK ''
    rs6 80 HTTP_GET '            url {
                path /
                status_code 200
            }
'
    rs6 443 SSL_GET '            url {
                path /
                status_code 200
            }
'
    rs6 25 SMTP_CHECK ''
    rs6 5353 UDP_CHECK '            payload 68616c6264
            require_reply 68616c6264
'
    rs6 1 PING_CHECK ''
    printf '}\n'
    cat <<EOF
virtual_server 203.0.113.100 80 {
    delay_loop 1
    lb_algo rr
    protocol TCP
    real_server 203.0.113.2 8080 {
        TCP_CHECK {
            bindto 203.0.113.99
            $T
        }
    }
    real_server 203.0.113.2 5353 {
        UDP_CHECK {
            bindto 203.0.113.99
            $T
        }
    }
}
EOF
} >"$TMP/halbd.conf"
halbd_bg lb "$TMP/halbd.conf"
wait_log "$LOG" "started with configuration" 10 || finish

# ---- 1. no route: every kind's real server leaves --------------------------------
for port in 53 8080 80 443 25 5353 1; do
    wait_log "$LOG" "removing [2001:db8:6::53]:$port from VS" 15
done
# The cause named, not a timeout: the probe could not be sent.
[ "$(grep -F '[2001:db8:6::53]' "$LOG" | grep -F 'removing' | grep -cF 'Network is unreachable')" = 7 ] && ok ||
    fail "every removal names 'Network is unreachable'"
grep -qF "DNS_CHECK [2001:db8:6::53]:53 A www.example.test failed: Network is unreachable" "$LOG" && ok ||
    fail "DNS_CHECK's unreachable failure"
# The forwarding table (IPVS, or nftables where the kernel has none; halbctl
# ipvs lists either) keeps no destination of the IPv6 service.
ns_ipvs() { ns lb "$HALBCTL" -s "$TMP/halbd.ctl" ipvs; }
ns_ipvs >"$TMP/ipvs.0"; cat "$TMP/ipvs.0"
if grep -qF -- "-> [2001:db8:6::53]:" "$TMP/ipvs.0"; then fail "a destination left in the pool"; else ok; fi

# The variant where they must stay: the route exists and the servers answer.
ns lb ip addr add 2001:db8:6::1/64 dev eth6 nodad
for port in 53 8080 80 443 25 5353 1; do
    wait_log "$LOG" "adding [2001:db8:6::53]:$port to VS" 15
done
ns_ipvs >"$TMP/ipvs.1"; cat "$TMP/ipvs.1"
[ "$(grep -cF -- "-> [2001:db8:6::53]:" "$TMP/ipvs.1")" = 7 ] && ok || fail "7 destinations in the pool"

# ---- 2. bindto not local ------------------------------------------------------------
# The TCP_CHECK is rescheduled every delay_loop and stays in; the log says so
# once (then at debug level, -D). The UDP_CHECK is removed after its retry.
KEPT="TCP connect to 203.0.113.2:8080 not attempted: bind to 203.0.113.99:0: Cannot assign requested address; state kept (up), next attempt in 1s"
wait_log "$LOG" "removing [203.0.113.2]:5353 from VS" 10
wait_count "$LOG" "$KEPT" 5 15
[ "$(log_count "$LOG" "removing [203.0.113.2]:8080")" = 0 ] && ok || fail "TCP_CHECK with a non-local bindto removed its server"
[ "$(grep -F "$KEPT" "$LOG" | grep -c ' warning: ')" = 1 ] && ok || fail "one warning for the bind failure"
# Attempts keep delay_loop apart (not retried after delay_before_retry):
# 5 attempts span >= 4 s.
first=$(grep -F "$KEPT" "$LOG" | head -1 | cut -d' ' -f2 | awk -F: '{ print $1 * 3600 + $2 * 60 + $3 }')
fifth=$(grep -F "$KEPT" "$LOG" | sed -n 5p | cut -d' ' -f2 | awk -F: '{ print $1 * 3600 + $2 * 60 + $3 }')
echo "  5 bind-failed attempts over $(awk -v a="$first" -v b="$fifth" 'BEGIN { print b - a }') s"
awk -v a="$first" -v b="$fifth" 'BEGIN { exit !(b - a >= 3.9) }' && ok || fail "bind-failed attempts closer than delay_loop"
ns_ipvs | grep -qF -- "-> 203.0.113.2:8080" && ok || fail "203.0.113.2:8080 not in the pool"

# The address becomes local: the UDP one is probed and added back.
ns lb ip addr add 203.0.113.99/24 dev eth0
wait_log "$LOG" "adding [203.0.113.2]:5353 to VS" 10

finish
