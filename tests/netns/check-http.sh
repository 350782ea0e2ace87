# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/check-http.sh: HTTP_GET and SSL_GET against real servers in a
# network namespace (python3 http.server, plain and behind TLS) on a veth
# link, halbd in another namespace. The real server comes up; a missing page
# (404), a changed page (digest), dropped packets (nftables), a stopped
# server and a page that no longer matches its url's `regex` (a second
# server, the status line behind 140 KB that arrive in many reads) each take
# it out of its virtual server within the bound its timers give, asserted on
# timestamps; restoring brings it back. A reload with a regex that does not
# compile is refused and changes nothing. `halbctl genhash` prints the md5sum
# of the served file. Needs root, python3, openssl (the
# certificate), nft.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
for tool in python3 openssl nft md5sum; do
    command -v $tool >/dev/null 2>&1 || skip "needs $tool"
done
: "${HALBCTL:=$top_builddir/src/halbctl}"

ns_new lb || fail "namespace lb"
ns_new web || fail "namespace web"
ns_link lb veth0 web veth1 || fail "veth lb <-> web"
ns lb ip addr add 192.0.2.1/24 dev veth0
ns web ip addr add 192.0.2.2/24 dev veth1
ns web ip addr add 192.0.2.3/24 dev veth1

# ---- the real servers ------------------------------------------------------
WWW=$TMP/www
mkdir -p "$WWW"
printf 'healthy\n' >"$WWW/health"
printf 'sick\n' >"$TMP/sick"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=web \
    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" >/dev/null 2>&1 || fail "openssl req"

start_http() {
    ns_bg web "$TMP/http.log" python3 -m http.server 80 --bind 192.0.2.2 --directory "$WWW"
    HTTP_PID=$BG_PID
}
start_http
# The regex case's server: /status is 140 KB of filler, then the status line.
status_page() {
    { i=0; while [ $i -lt 3200 ]; do echo "filler line $i, nothing to see here......."; i=$((i + 1)); done
      echo "status: $1"; } >"$WWW/status.new" && mv "$WWW/status.new" "$WWW/status"
}
status_page healthy
ns_bg web "$TMP/http3.log" python3 -m http.server 80 --bind 192.0.2.3 --directory "$WWW"
# HTTPS: the same server behind TLS (a proper 404 for a missing page,
# which `openssl s_server -WWW` does not give).
ns_bg web "$TMP/https.log" python3 -c '
import functools, http.server, ssl, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.ThreadingHTTPServer(("192.0.2.2", 443), handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
server.socket = ctx.wrap_socket(server.socket, server_side=True)
server.serve_forever()
' "$WWW" "$TMP/cert.pem" "$TMP/key.pem"
# Listening and answering: halbctl itself is the probe.
port_open() { ns lb "$HALBCTL" genhash -s 192.0.2.2 -p "$1" -u /health -t 1 $2 >/dev/null 2>&1; }
wait_until 10 "http.server listening" port_open 80
wait_until 10 "second http.server listening" ns lb "$HALBCTL" genhash -s 192.0.2.3 -p 80 -u /status -t 1
wait_until 10 "https server listening" port_open 443 --ssl

# ---- halbctl genhash ---------------------------------------------------------
DIGEST=$(md5sum <"$WWW/health" | cut -d' ' -f1)
expect_status 0 "genhash http" -- ns lb "$HALBCTL" genhash --server 192.0.2.2 --port 80 --url /health
[ "$(cat "$TMP/out")" = "$DIGEST" ] || fail "genhash http: '$(cat "$TMP/out")', md5sum says $DIGEST"
expect_status 0 "genhash https" -- ns lb "$HALBCTL" genhash --ssl --sni web --server 192.0.2.2 --port 443 --url /health
[ "$(cat "$TMP/out")" = "$DIGEST" ] || fail "genhash https: '$(cat "$TMP/out")', md5sum says $DIGEST"
expect_status 0 "genhash keepalived flags" -- ns lb "$HALBCTL" genhash -s 192.0.2.2 -p 80 -u /health -P 1.1
[ "$(cat "$TMP/out")" = "$DIGEST" ] || fail "genhash -P 1.1: '$(cat "$TMP/out")', md5sum says $DIGEST"

# expect_status (tests/lib.sh) turns errexit on; this test records its
# failures itself and must reach finish (and a clean exit trap) regardless.
set +e

# ---- halbd ---------------------------------------------------------------------
# delay_loop 1, connect_timeout 1, retry 1, delay_before_retry 1: a failure is
# seen at the next attempt (<= delay_loop), which with its retry lasts at most
# (retry + 1) x connect_timeout + retry x delay_before_retry.
BOUND_MS=$(( (1 + 2 * 1 + 1 * 1) * 1000 + 1000 ))  # + 1 s for scheduling and log polling
cat >"$TMP/halbd.conf" <<EOF
global_defs {
    lvs_backend ipvs
}
virtual_server 192.0.2.100 80 {
    delay_loop 1
    protocol TCP
    real_server 192.0.2.2 80 {
        HTTP_GET {
            url {
                path /health
                digest $DIGEST
            }
            connect_timeout 1
            retry 1
            delay_before_retry 1
            alpha
        }
    }
}
virtual_server 192.0.2.100 443 {
    delay_loop 1
    protocol TCP
    real_server 192.0.2.2 443 {
        SSL_GET {
            url {
                path /health
                status_code 200
            }
            connect_timeout 1
            retry 1
            delay_before_retry 1
            alpha
        }
    }
}
virtual_server 192.0.2.100 8080 {
    delay_loop 1
    protocol TCP
    real_server 192.0.2.3 80 {
        HTTP_GET {
            url {
                path /status
                regex "^status: (healthy|degraded)$"
                regex_options multiline
            }
            connect_timeout 1
            retry 1
            delay_before_retry 1
            alpha
        }
    }
}
EOF
halbd_bg lb "$TMP/halbd.conf"

HTTP_RS="[192.0.2.2]:80"
HTTPS_RS="[192.0.2.2]:443"
count() { log_count "$LOG" "$1"; }
# wait_more TEXT SECS: wait until LOG holds one more line with TEXT than when
# mark() was called for it; the time it took is in $TOOK (ms).
mark() { MARK_T=$(now_ms); MARK_HTTP_ADD=$(count "adding $HTTP_RS"); MARK_HTTP_DEL=$(count "removing $HTTP_RS")
    MARK_HTTPS_ADD=$(count "adding $HTTPS_RS"); MARK_HTTPS_DEL=$(count "removing $HTTPS_RS"); }
wait_more() {  # TEXT BASE SECS
    wait_count "$LOG" "$1" $(($2 + 1)) "$3" || return 1
    TOOK=$(($(now_ms) - MARK_T))
}
within_bound() { within_ms "$1" "$TOOK" "$BOUND_MS"; }  # WHAT

mark
wait_more "adding $HTTP_RS to VS [192.0.2.100]:80" "$MARK_HTTP_ADD" 10 || :
wait_more "adding $HTTPS_RS to VS [192.0.2.100]:443" "$MARK_HTTPS_ADD" 10 || :
grep -qF "HTTP GET http://192.0.2.2:80/health succeeded; adding $HTTP_RS" "$LOG" || fail "HTTP_GET up line"
grep -qF "SSL GET https://192.0.2.2:443/health succeeded; adding $HTTPS_RS" "$LOG" || fail "SSL_GET up line"

# 1. The page disappears: 404 on both.
mark
mv "$WWW/health" "$TMP/health.saved"
wait_more "removing $HTTP_RS" "$MARK_HTTP_DEL" 15 && within_bound "HTTP_GET 404 -> removed"
wait_more "removing $HTTPS_RS" "$MARK_HTTPS_DEL" 15 && within_bound "SSL_GET 404 -> removed"
grep -qF "HTTP GET http://192.0.2.2:80/health failed: status 404 (expected 200-299)" "$LOG" || fail "404 detail (HTTP)"
grep -qF "SSL GET https://192.0.2.2:443/health failed: status 404 (expected 200)" "$LOG" || fail "404 detail (SSL)"
mark
mv "$TMP/health.saved" "$WWW/health"
wait_more "adding $HTTP_RS" "$MARK_HTTP_ADD" 15 || :
wait_more "adding $HTTPS_RS" "$MARK_HTTPS_ADD" 15 || :

# 2. The page changes: the digest of HTTP_GET fails, SSL_GET (status only) stays.
mark
cp "$TMP/sick" "$WWW/health.new" && mv "$WWW/health.new" "$WWW/health"
wait_more "removing $HTTP_RS" "$MARK_HTTP_DEL" 15 && within_bound "HTTP_GET digest -> removed"
sick=$(md5sum <"$TMP/sick" | cut -d' ' -f1)
grep -qF "failed: digest $sick does not match $DIGEST" "$LOG" || fail "digest detail"
[ "$(count "removing $HTTPS_RS")" = "$MARK_HTTPS_DEL" ] || fail "SSL_GET removed on a body change"
mark
printf 'healthy\n' >"$WWW/health.new" && mv "$WWW/health.new" "$WWW/health"
wait_more "adding $HTTP_RS" "$MARK_HTTP_ADD" 15 || :

# 3. The server's packets are dropped: both time out.
mark
ns web nft -f - <<EOF || fail "nft drop rule"
table inet halbdtest {
    chain in {
        type filter hook input priority 0;
        tcp dport { 80, 443 } drop
    }
}
EOF
wait_more "removing $HTTP_RS" "$MARK_HTTP_DEL" 15 && within_bound "HTTP_GET dropped -> removed"
wait_more "removing $HTTPS_RS" "$MARK_HTTPS_DEL" 15 && within_bound "SSL_GET dropped -> removed"
grep -qF "HTTP GET http://192.0.2.2:80/health timed out after 1s (connecting)" "$LOG" || fail "timeout detail"
mark
ns web nft delete table inet halbdtest
wait_more "adding $HTTP_RS" "$MARK_HTTP_ADD" 15 || :
wait_more "adding $HTTPS_RS" "$MARK_HTTPS_ADD" 15 || :

# 4. The web server stops: refused.
mark
kill -TERM "$HTTP_PID"
wait_more "removing $HTTP_RS" "$MARK_HTTP_DEL" 15 && within_bound "HTTP_GET stopped -> removed"
grep -qF "HTTP GET http://192.0.2.2:80/health refused" "$LOG" || fail "refused detail"
mark
start_http
wait_more "adding $HTTP_RS" "$MARK_HTTP_ADD" 15 || :

# 5. regex: the status line changes -> removed; back -> added, both within
# the bound. (Case 3 dropped this server's packets too: wait until it is up.)
RX_RS="[192.0.2.3]:80"
RX='^status: (healthy|degraded)$'
rx_up() { [ "$(count "adding $RX_RS")" -gt "$(count "removing $RX_RS")" ]; }
wait_until 15 "regex real server up" rx_up
grep -qF "HTTP GET http://192.0.2.3:80/status succeeded; adding $RX_RS to VS [192.0.2.100]:8080" "$LOG" ||
    fail "regex up line"
MARK_T=$(now_ms); base=$(count "removing $RX_RS")
status_page failing
wait_more "removing $RX_RS" "$base" 15 && within_bound "HTTP_GET regex no longer matches -> removed"
grep -qF "HTTP GET http://192.0.2.3:80/status failed: regex '$RX' does not match the body" "$LOG" || fail "regex detail"
MARK_T=$(now_ms); base=$(count "adding $RX_RS")
status_page degraded
wait_more "adding $RX_RS" "$base" 15 && within_bound "HTTP_GET regex matches again -> added"

# 6. A reload with a regex that does not compile is refused: the running
# configuration (and its regex) stays.
cp "$TMP/halbd.conf" "$TMP/halbd.good"
sed 's/regex "^status: (healthy|degraded)\$"/regex "status: (healthy"/' "$TMP/halbd.good" >"$TMP/halbd.conf"
line=$(grep -n 'regex "status: (healthy"' "$TMP/halbd.conf" | cut -d: -f1)
[ -n "$line" ] || fail "bad regex not written"
base=$(count "reload refused")
kill -HUP "$(cat "$TMP/halbd.pid")"
wait_count "$LOG" "reload refused" $((base + 1)) 10 || :
grep -qF "halbd.conf:$line:23: error: invalid regex 'status: (healthy': missing closing parenthesis" "$LOG" ||
    fail "bad regex error at file:line:col"
MARK_T=$(now_ms); base=$(count "removing $RX_RS")
status_page failing  # still checked with the running configuration's regex
wait_more "removing $RX_RS" "$base" 15 && within_bound "after the refused reload, the regex still applies"
cp "$TMP/halbd.good" "$TMP/halbd.conf"

finish
