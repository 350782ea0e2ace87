# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/config/initscript-lib.sh: what the two init script tests share
# (sourced after tests/lib.sh, with $conf, $log and $pidf set).
#   good ID       write a loadable configuration with router_id ID to $conf
#   wait_log TEXT wait (20 s at most) until halbd's $log shows TEXT
#   alive PID     PID runs and is not a zombie (a container's pid 1 may never
#                 reap the double-forked daemon)
on_exit "[ -s $pidf ] && kill \$(cat $pidf) 2>/dev/null || true"
good() { printf 'global_defs {\n    router_id %s\n}\nvirtual_server 192.0.2.1 80 {\n    protocol TCP\n    real_server 192.0.2.2 80 {\n    }\n}\n' "$1" >"$conf"; }
wait_log() {
    if timeout 20 sh -c 'until grep -qF -- "$2" "$1" 2>/dev/null; do sleep 0.02; done' _ "$log" "$1"; then ok; else
        fail "log never showed '$1'"
        sed 's/^/    | /' "$log" >&2
    fi
}
alive() { [ -r "/proc/$1/status" ] && ! grep -q '^State:.*Z' "/proc/$1/status"; }
