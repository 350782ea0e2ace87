#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/fuzz/run-libfuzzer.sh SECONDS [TARGET]: builds a fuzz target
# (config, the default, vrrp_packet, ctl_request, http_response or sync_message) with clang's libFuzzer and
# ASan/UBSan, and fuzzes for SECONDS (default 60) starting from its corpus;
# new crashing inputs land in tests/fuzz/crashes/. FUZZ_TIMEOUT (seconds per
# input, default 10) may be raised on a loaded machine.
# Needs: apt-get install clang libclang-rt-dev (or the -14 versions on Debian 12).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
out=${FUZZ_BUILD:-/tmp/halbd-fuzz}
mkdir -p "$out" "$top/tests/fuzz/crashes"
cxx=${CXX:-clang++}
flags="-std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I$top/src"
target=${2:-config}
case $target in
    config) srcs="$(ls "$top"/src/config/*.cc) $top/src/net/address.cc $top/src/core/result.cc" libs="-lpcre2-8" seeds="$top/tests/fuzz/corpus/config/* $top/etc/examples/*.conf" ;;
    vrrp_packet) srcs="$top/src/vrrp/packet.cc $top/src/vrrp/drop.cc $top/src/net/address.cc" seeds="$top/tests/fuzz/corpus/vrrp/*" ;;
    ctl_request) srcs="$top/src/ctl/protocol.cc $top/src/ctl/json.cc $top/src/core/result.cc" seeds="$top/tests/fuzz/corpus/ctl/*" ;;
    http_response) srcs="$top/src/check/http_response.cc $top/src/check/http_regex.cc $top/src/config/regex.cc $top/src/core/result.cc $top/src/net/address.cc"
        seeds="$top/tests/fuzz/corpus/http/*" libs="-lcrypto -lpcre2-8" ;;
    sync_message) srcs="$(ls "$top"/src/sync/ftfw_wire.cc "$top"/src/sync/ftfw_ct_codec.cc "$top"/src/sync/exp_codec.cc "$top"/src/sync/ftfw_session.cc "$top"/src/sync/aead.cc) $top/src/core/result.cc"
        seeds="$top/tests/fuzz/corpus/sync/*" libs="-lnetfilter_conntrack -lcrypto" ;;
    *) echo "run-libfuzzer.sh: unknown target $target (config, vrrp_packet, ctl_request, http_response, sync_message)" >&2; exit 2 ;;
esac
mkdir -p "$out/corpus-$target"
# shellcheck disable=SC2086
$cxx $flags -DSYSCONFDIR='"/etc"' -DRUNSTATEDIR='"/run"' $srcs "$top/tests/fuzz/${target}_fuzz.cc" -o "$out/${target}_fuzz" ${libs:-}
# shellcheck disable=SC2086
cp $seeds "$out/corpus-$target/" 2>/dev/null || true
"$out/${target}_fuzz" -max_total_time="$secs" -max_len=65536 -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 \
    -artifact_prefix="$top/tests/fuzz/crashes/" "$out/corpus-$target"
