#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/netns/check-kinds.sh: the checker kinds against real servers in a
# namespace ("srv", 203.0.113.2), probed by halbd in another ("lb", 203.0.113.1):
# PING_CHECK, UDP_CHECK (python3 echo), SMTP_CHECK (python3 responder),
# MISC_CHECK (a script whose exit code the test sets) and FILE_CHECK (a
# track file the test rewrites, with notify_up/notify_down scripts and
# omega's notify_down at TERM). Up at start; the
# server's link goes down -> each real server is removed within
# connect_timeout + retry x delay_before_retry + delay_loop (checked on the
# log timestamps); link up -> added back. No IPVS: asserts on the check log.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/netns/lib.sh"
netns_require
command -v python3 >/dev/null 2>&1 || skip "needs python3"

ns_new lb >/dev/null
ns_new srv >/dev/null
ns_link lb eth0 srv eth0
ns lb ip addr add 203.0.113.1/24 dev eth0
ns srv ip addr add 203.0.113.2/24 dev eth0

cat >"$TMP/servers.py" <<'PY'
import socket, selectors
sel = selectors.DefaultSelector()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("203.0.113.2", 5353))
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(("203.0.113.2", 2525)); t.listen(8)
sel.register(u, selectors.EVENT_READ, "udp"); sel.register(t, selectors.EVENT_READ, "listen")
print("listening", flush=True)
bufs = {}
while True:
    for key, _ in sel.select():
        s = key.fileobj
        if key.data == "udp":
            d, a = s.recvfrom(2048); s.sendto(d, a)
        elif key.data == "listen":
            c, _ = s.accept(); c.sendall(b"220 srv ESMTP\r\n"); bufs[c] = b""; sel.register(c, selectors.EVENT_READ, "smtp")
        else:
            d = s.recv(2048)
            if not d:
                sel.unregister(s); s.close(); continue
            bufs[s] += d
            while b"\r\n" in bufs[s]:
                line, bufs[s] = bufs[s].split(b"\r\n", 1)
                if line.startswith(b"HELO"): s.sendall(b"250 hi\r\n")
                elif line == b"QUIT": s.sendall(b"221 bye\r\n")
                else: s.sendall(b"500 ?\r\n")
PY
ns_bg srv "$TMP/servers.log" python3 "$TMP/servers.py"
# Bound before halbd starts: a first probe refused by a python3 still
# starting (seconds on a loaded machine) would be the removal timed below.
wait_log "$TMP/servers.log" "listening" 20

echo 0 >"$TMP/code"
printf '#!/bin/sh\nexit $(cat %s/code)\n' "$TMP" >"$TMP/misc.sh"
chmod 755 "$TMP/misc.sh"

# delay_loop 1, connect_timeout 1, retry 1, delay_before_retry 1: removed at
# most 1 + 1 x (1 + 1) + 1 = 4 s after the link goes down (+0.5 s slack).
cat >"$TMP/halbd.conf" <<EOF2
global_defs {
    lvs_backend ipvs
}
virtual_server 203.0.113.100 80 {
    protocol TCP
    delay_loop 1
    real_server 203.0.113.2 80 {
        PING_CHECK {
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }
    }
    real_server 203.0.113.2 5353 {
        UDP_CHECK {
            connect_timeout 1
            retry 1
            delay_before_retry 1
            payload 68616c6264
            require_reply 68616c6264
        }
    }
    real_server 203.0.113.2 2525 {
        SMTP_CHECK {
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }
    }
    real_server 203.0.113.3 80 {
        MISC_CHECK {
            misc_path "$TMP/misc.sh"
            misc_timeout 2
        }
    }
}
track_file tf {
    file "$TMP/tf"
    weight 0
}
virtual_server 203.0.113.101 80 {
    protocol TCP
    omega
    real_server 203.0.113.4 80 {
        notify_up "$TMP/note.sh up"
        notify_down "$TMP/note.sh down"
        FILE_CHECK {
            track_file tf
        }
    }
}
EOF2
printf '#!/bin/sh\necho "$1" >> "%s/notes"\n' "$TMP" >"$TMP/note.sh"
chmod 755 "$TMP/note.sh"
echo 0 >"$TMP/tf"
ns_bg lb "$TMP/halbd.log" "$HALBD" -n -l -D -f "$TMP/halbd.conf" -p "$TMP/halbd.pid" --control-socket "$TMP/halbd.ctl"

wait_log "$TMP/halbd.log" "PING_CHECK to 203.0.113.2 succeeded" 10
wait_log "$TMP/halbd.log" "UDP_CHECK to 203.0.113.2:5353 succeeded" 10
wait_log "$TMP/halbd.log" "SMTP_CHECK to 203.0.113.2:2525 succeeded" 10

# Down: the server's link goes away (no reply, no ICMP error).
down_at=$(date +%s.%N)
ns srv ip link set eth0 down
wait_log "$TMP/halbd.log" "removing [203.0.113.2]:80 from VS" 10
wait_log "$TMP/halbd.log" "removing [203.0.113.2]:5353 from VS" 10
wait_log "$TMP/halbd.log" "removing [203.0.113.2]:2525 from VS" 10
# The bound, from the log timestamps (HH:MM:SS.mmm after the date).
for port in 80 5353 2525; do
    t=$(grep -F "removing [203.0.113.2]:$port from VS" "$TMP/halbd.log" | head -1 | cut -d' ' -f2)
    secs=$(echo "$t" | awk -F: '{ print $1 * 3600 + $2 * 60 + $3 }')
    down_secs=$(date -d "@${down_at%.*}" +%H:%M:%S | awk -F: '{ print $1 * 3600 + $2 * 60 + $3 }')
    late=$(awk -v a="$secs" -v b="$down_secs" -v f="0.${down_at#*.}" 'BEGIN { print a - (b + f) }')
    echo "port $port removed ${late}s after the link went down"
    if awk -v l="$late" 'BEGIN { exit !(l >= 0 && l <= 4.5) }'; then ok; else fail "port $port removed ${late}s after the link went down (bound 4.5s)"; fi
done

# Up again.
ns srv ip link set eth0 up
wait_log "$TMP/halbd.log" "adding [203.0.113.2]:80 to VS" 10
wait_log "$TMP/halbd.log" "adding [203.0.113.2]:5353 to VS" 10
wait_log "$TMP/halbd.log" "adding [203.0.113.2]:2525 to VS" 10

# MISC_CHECK: exit 1 -> removed (retry 0 by default), exit 0 -> added back.
echo 1 >"$TMP/code"
wait_log "$TMP/halbd.log" "MISC_CHECK $TMP/misc.sh exited 1; removing [203.0.113.3]:80 from VS" 10
echo 0 >"$TMP/code"
wait_log "$TMP/halbd.log" "MISC_CHECK $TMP/misc.sh succeeded; adding [203.0.113.3]:80 to VS" 10

# FILE_CHECK: a non-zero value (weight 0) -> removed at once (inotify), its
# notify_down runs; an atomic replace with 0 -> added back, notify_up runs.
echo 3 >"$TMP/tf"
wait_log "$TMP/halbd.log" "FILE_CHECK tf ($TMP/tf) value 3 (weight 0: non-zero is a failure); removing [203.0.113.4]:80 from VS" 5
echo 0 >"$TMP/tf.new" && mv "$TMP/tf.new" "$TMP/tf"
wait_log "$TMP/halbd.log" "FILE_CHECK tf ($TMP/tf) succeeded; adding [203.0.113.4]:80 to VS" 5
wait_log "$TMP/notes" "up" 5
# omega: TERM runs notify_down of the server that is up, and halbd waits for it.
kill -TERM "$BG_PID"
i=0; while kill -0 "$BG_PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
if [ "$(cat "$TMP/notes" 2>/dev/null | tr '\n' ' ')" = "down up down " ]; then
    ok
else
    fail "notify scripts: got '$(cat "$TMP/notes" 2>/dev/null | tr '\n' ' ')'"
fi

[ "$fails" = 0 ] || sed 's/^/    | /' "$TMP/halbd.log" | tail -40 >&2
finish
