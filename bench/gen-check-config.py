#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
"""gen-check-config.py: write the configuration of the health-check
benchmarks to stdout: N real servers at 127.x.y.z:80 (1,000 per virtual
server 10.a.b.1:80), each with one TCP_CHECK or HTTP_GET at the given
delay_loop. With ADVERT_INT, also one VRRP instance VI_1 on interface
vrrp0 (priority 255: master at once) with that advert_int, so that advert
lateness can be measured while the checks run.
Used by bench/check-tcp.sh and bench/vrrp-lateness.sh.

Usage: gen-check-config.py N DELAY tcp|http [ADVERT_INT]
"""

import sys


def main() -> None:
    if len(sys.argv) not in (4, 5) or sys.argv[3] not in ("tcp", "http"):
        sys.stderr.write("usage: gen-check-config.py N DELAY tcp|http [ADVERT_INT]\n")
        sys.exit(2)
    n, delay, kind = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    per_vs = 1000
    out = ["global_defs {\n    router_id bench\n    vrrp_version 3\n}\n"]
    if len(sys.argv) == 5:
        out.append(
            "vrrp_instance VI_1 {\n    state MASTER\n    interface vrrp0\n"
            "    virtual_router_id 51\n    priority 255\n    advert_int %s\n"
            "    virtual_ipaddress {\n        192.0.2.100/24\n    }\n}\n" % sys.argv[4])
    if kind == "http":
        check = ("HTTP_GET {\n            url {\n                path /\n"
                 "                status_code 200\n            }\n            connect_timeout 3\n        }")
    else:
        check = "TCP_CHECK {\n            connect_timeout 3\n        }"
    for v in range((n + per_vs - 1) // per_vs):
        out.append("virtual_server 10.%d.%d.1 80 {\n    protocol TCP\n    delay_loop %s\n"
                   % (v // 256, v % 256, delay))
        for i in range(v * per_vs, min(n, (v + 1) * per_vs)):
            a = i // 254
            addr = "127.%d.%d.%d" % (1 + a // 256, a % 256, i % 254 + 1)
            out.append("    real_server %s 80 {\n        %s\n    }\n" % (addr, check))
        out.append("}\n")
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main()
