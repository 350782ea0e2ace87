#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/run.sh: the project's one test command, for a fresh Debian 12 machine
# as root (and for developers). It installs missing build and test
# dependencies with apt-get (those of the qemu VM tests too), bootstraps,
# then runs three builds:
#   1. build/release: -O2 -g1 -Werror, `make check` without the unit tests
#      (config and root tests: netns tests in parallel, the VM tests in one
#      shared boot). -g1 keeps line tables for backtraces at 3/4 of -g's
#      compile time.
#   2. build/asan:    -O0 -g1 -fsanitize=address,undefined (-O0 halves its
#                     compile time), `make check` without the root/netns
#                     tests (they need the release binaries only): the unit
#                     tests run here, once, under the sanitizers.
#                     It compiles at nice 19 while stage 1's tests run: those
#                     mostly wait on timers, and a niced compiler only takes
#                     the CPU they leave idle.
#   3. the Debian package (tests/package.sh, built with build/release's
#      compile lines: it tests the packaging, not the compiler flags, and
#      ccache serves its compiles) and `make distcheck` from build/release
#      (the tarball builds with the release flags, installs and passes the
#      non-unit tests; the unit tests already ran in stage 2)
# Compiles go through ccache when it is installed (CI installs it), with
# CCACHE_BASEDIR=$top and CCACHE_NOHASHDIR=1: distcheck's tree sits two
# levels below its sources as build/release does, so its objects are the
# release tree's, taken from the cache instead of compiled a second time.
# Each stage's start is printed with the seconds since the start (+Ns).
# It lists every skipped test with its reason (tests/summary.sh), then ends
# with one line "N passed, N failed, N skipped" (GoogleTest cases and TAP
# results counted one by one). With CI=true a root, netns or VM test that
# skips is a failure: here every package is installed and we are root.
# Environment: HALBD_SKIP_ASAN=1 / HALBD_SKIP_DISTCHECK=1 skip stages 2/3;
# HALBD_CHECK_JOBS: tests run at once (default: 2 per core; most of them wait
# on timers and daemons, the VM suite takes one core all along).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
t0=$(date +%s)
stage() { echo "== $* (+$(($(date +%s) - t0))s)"; }
jobs=$(nproc 2>/dev/null || echo 2)

# Build and test dependencies, by Debian package name.
packages="build-essential autoconf automake autoconf-archive libtool pkg-config
  libnl-3-dev libnl-genl-3-dev libnl-route-3-dev libmnl-dev libipset-dev
  libnetfilter-conntrack-dev libnftables-dev libnftnl-dev libssl-dev libpcre2-dev libboost-program-options-dev
  libgtest-dev libgmock-dev libsystemd-dev python3-prometheus-client
  debhelper dpkg-dev lintian rpm fakeroot
  keepalived ipvsadm iproute2 groff-base man-db time
  python3 tcpdump nftables openssl iputils-ping iputils-arping dnsmasq
  conntrack conntrackd bird2 frr ipset iptables ccache
  qemu-system-x86 busybox-static cpio kmod xz-utils zstd"

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "tests/run.sh: missing packages:$missing (run as root to install them)" >&2
        exit 1
    fi
    echo "== installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # keepalived is only a reference peer and a config oracle: never start it.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
    rm -f /usr/sbin/policy-rc.d
fi

stage bootstrap
autoreconf -fi >/dev/null 2>&1 || autoreconf -fi

passed=0
failed=0
skipped=0
SKIP_LIST=$top/build/skipped.txt
CI_SKIP_LIST=$top/build/skipped-under-ci.txt
mkdir -p build
: >"$SKIP_LIST"
: >"$CI_SKIP_LIST"
. "$top/tests/summary.sh"
# Build first (-j per core), then run the tests with more at once: most of
# them wait on timers and daemons, not on a CPU.
check_jobs=${HALBD_CHECK_JOBS:-$((jobs * 2))}
status=0

cxx=g++
if command -v ccache >/dev/null; then
    cxx="ccache g++"
    export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$top}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
fi

stage "release build"
mkdir -p build/release
# The unit tests run in the sanitizer tree; here only if that one is skipped.
units=--disable-unit-tests
[ "${HALBD_SKIP_ASAN:-0}" = 1 ] && units=--enable-unit-tests
(cd build/release && "$top/configure" -q --enable-werror $units CXX="$cxx" CXXFLAGS="-O2 -g1" >/dev/null && make -s -j"$jobs" >/dev/null) || exit 1
(cd build/release && make -s -j"$jobs" check TESTS= >/dev/null) || exit 1

asan_pid=""
san="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
if [ "${HALBD_SKIP_ASAN:-0}" != 1 ]; then
    stage "sanitizer build (address, undefined), niced, beside the release tests"
    mkdir -p build/asan
    (cd build/asan && nice -n 19 "$top/configure" -q --enable-werror --disable-root-tests \
        CXX="$cxx" CXXFLAGS="-O0 -g1 $san" LDFLAGS="$san" >/dev/null &&
        nice -n 19 make -s -j"$jobs" >/dev/null &&
        nice -n 19 make -s -j"$jobs" check TESTS= >/dev/null) >build/asan-build.log 2>&1 &
    asan_pid=$!
fi

stage "release tests"
(cd build/release && make -s -j"$check_jobs" check) || status=1
tally build/release release

# The .deb built from the tarball, installed here, its init script run,
# purged (tests/package.sh; under a minute with the release tree's objects in ccache).
if [ "${HALBD_SKIP_PACKAGE:-0}" != 1 ] && [ "$(id -u)" = 0 ] && command -v dpkg-buildpackage >/dev/null; then
    stage "debian package"
    if sh tests/package.sh build/release >build/package.log 2>&1; then
        passed=$((passed + 1))
        echo "PASS: debian package"
    else
        tail -40 build/package.log || true
        echo "FAIL: debian package"
        failed=$((failed + 1))
        status=1
    fi
fi

if [ -n "$asan_pid" ]; then
    stage "sanitizer tests (waiting for its build)"
    if ! wait "$asan_pid"; then
        tail -40 build/asan-build.log
        echo "FAIL: sanitizer build"
        exit 1
    fi
    (cd build/asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        make -s -j"$check_jobs" check) || status=1
    tally build/asan asan
fi

if [ "${HALBD_SKIP_DISTCHECK:-0}" != 1 ] && [ "$status" = 0 ]; then
    stage distcheck
    if (cd build/release && make -s -j"$jobs" distcheck \
            DISTCHECK_CONFIGURE_FLAGS="--enable-werror --disable-root-tests --disable-unit-tests CXX='$cxx' CXXFLAGS='-O2 -g1'" \
            >"$top/build/distcheck.log" 2>&1); then
        passed=$((passed + 1))
        echo "PASS: make distcheck"
    else
        tail -40 "$top/build/distcheck.log" || true
        echo "FAIL: make distcheck"
        failed=$((failed + 1))
        status=1
    fi
fi

for log in build/release/test-suite.log build/asan/test-suite.log; do
    [ -f "$log" ] && grep -q '^# FAIL: *[1-9]\|^# ERROR: *[1-9]' "$log" && cat "$log"
done
if [ -s "$SKIP_LIST" ]; then
    echo "== skipped ($(wc -l <"$SKIP_LIST")), with the reason:"
    sed 's/^/SKIP: /' "$SKIP_LIST"
fi
if [ -s "$CI_SKIP_LIST" ]; then
    echo "== skipped under CI=true, counted as failed ($(wc -l <"$CI_SKIP_LIST")):"
    sed 's/^/FAIL: skipped: /' "$CI_SKIP_LIST"
    status=1
fi
stage done
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
