#!/bin/sh
# tests/fuzz/run-libfuzzer.sh SECONDS: builds the configuration fuzz target
# with clang's libFuzzer and ASan/UBSan, and fuzzes for SECONDS (default 60)
# starting from the corpus; new crashing inputs land in tests/fuzz/crashes/.
# Needs: apt-get install clang libclang-rt-dev (or the -14 versions on Debian 12).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
out=${FUZZ_BUILD:-/tmp/halbd-fuzz}
mkdir -p "$out" "$top/tests/fuzz/crashes" "$out/corpus"
cxx=${CXX:-clang++}
flags="-std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I$top/src"
srcs=$(ls "$top"/src/config/*.cc "$top"/src/net/*.cc)
# shellcheck disable=SC2086
$cxx $flags -DSYSCONFDIR='"/etc"' -DRUNSTATEDIR='"/run"' $srcs "$top/tests/fuzz/config_fuzz.cc" -o "$out/config_fuzz"
cp "$top"/tests/fuzz/corpus/config/* "$top"/etc/examples/*.conf "$out/corpus/" 2>/dev/null || true
"$out/config_fuzz" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$top/tests/fuzz/crashes/" "$out/corpus"
