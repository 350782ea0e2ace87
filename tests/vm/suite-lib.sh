# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 halbd developers
# tests/vm/suite-lib.sh: one VM boot shared by several VM tests (sourced by
# tests/vm/run-in-vm.sh after lib.sh). Booting costs 5-15 s under TCG and a
# test needs a fresh kernel state only per network namespace, so the suite
# (`run-in-vm.sh --suite TEST...`, what `make check` runs as tests/vm/suite.tap)
# starts every TEST as usual with HALBD_VM_SUITE set; each one's run-in-vm.sh
# call stages its files and waits (vm_suite_join) instead of booting; the
# suite boots once with all of them, each test in its own namespaces
# (lib.sh's /init), hands every test its output and status, and reports one
# TAP result per test from the test's own exit status.
# shellcheck shell=bash

# vm_suite_join SCRIPT: in a test run by the suite; stages this run's overlay
# under $HALBD_VM_SUITE/$HALBD_VM_SUITE_NAME, tells the suite, waits for the
# shared boot, prints this test's output and returns its status.
vm_suite_join() {
    local dir=$HALBD_VM_SUITE name=$HALBD_VM_SUITE_NAME st
    [ -e "$dir/$name.root" ] && { vm_note "$name: one VM run per test in a shared boot"; return 2; }
    if [ "${HALBD_VM_EXTRA_MODULES:-}" != "$(cat "$dir/extra-modules")" ]; then
        vm_note "$name: HALBD_VM_EXTRA_MODULES differs from the suite's; set it for the whole suite"
        return 2
    fi
    VM_BASE=$(cat "$dir/base")
    vm_overlay_stage "$dir/$name.root" "$1" || return 1
    echo "${HALBD_VM_TIMEOUT:-300}" >"$dir/$name.limit"
    mkfifo "$dir/$name.done"
    echo "ready $name" >"$dir/events"
    read -r _ <"$dir/$name.done"
    cat "$dir/$name.out" 2>/dev/null
    st=$(cat "$dir/$name.status" 2>/dev/null || echo 125)
    vm_note "shared boot: $name ran $(cat "$dir/$name.secs" 2>/dev/null || echo "?")s; script exit status $st"
    return "$st"
}

# vm_suite_merge ROOT DEST: copy a test's staged files (but its /test) into
# the shared overlay DEST; the same path from two tests must be the same file.
vm_suite_merge() {
    local root=$1 dest=$2 f
    while IFS= read -r f; do
        f=${f#./}
        if [ -d "$root/$f" ]; then
            mkdir -p "$dest/$f"
        elif [ -e "$dest/$f" ]; then
            cmp -s "$root/$f" "$dest/$f" || { vm_note "two tests bring different /$f"; return 1; }
        else
            cp -a "$root/$f" "$dest/$f"
        fi
    done < <(cd "$root" && find . -mindepth 1 -path ./test -prune -o -print | LC_ALL=C sort)
}

# vm_suite_reason LOG: why a test skipped (its last "SKIP: ..." or "vm: ..." line).
vm_suite_reason() {
    local why
    why=$(grep -E '^(SKIP: |vm: )' "$1" | tail -n 1)
    why=${why#SKIP: }
    printf '%s\n' "${why:-exit status 77}"
}

# vm_suite_prepare: host tools, kernel and base image, once for the suite.
vm_suite_prepare() {
    if [ "$(uname -m)" != x86_64 ]; then
        vm_note "only x86_64 hosts are supported (the kernel package is amd64)"
        return 77
    fi
    vm_cache_dir || return 77
    vm_host_tools || return $?
    vm_kernel || return $?
    vm_base_image || return 1
}

# vm_suite TEST...: the suite itself; TAP on stdout.
vm_suite() {
    local dir here t n=0 kind name pending rc limit total=0 prep=0 st why
    here=$HALBD_VM_LIBDIR
    dir=$(mktemp -d "${TMPDIR:-/tmp}/halbd-vm-suite.XXXXXX")
    VM_RUN_DIR=$dir
    VM_SUITE_DIR=$dir  # for the trap, which runs after this function returned
    # Released on any exit, so that no waiting test hangs make check.
    trap 'for t in "$VM_SUITE_DIR"/*.done; do [ -p "$t" ] && { echo 125 >"${t%.done}.status"; echo go >"$t"; }; done 2>/dev/null
          rm -rf "$VM_SUITE_DIR"' EXIT
    echo "1..$#"
    local t0
    t0=$(vm_now)
    vm_suite_prepare 2>"$dir/prep.err"
    prep=$?
    cat "$dir/prep.err" >&2
    if [ "$prep" != 0 ]; then
        why=$(grep '^vm: ' "$dir/prep.err" | tail -n 1)
        for t in "$@"; do
            n=$((n + 1))
            if [ "$prep" = 77 ]; then echo "ok $n - tests/vm/$t # SKIP ${why:-no VM here}"
            else echo "not ok $n - tests/vm/$t (${why:-VM preparation failed})"; fi
        done
        return 0
    fi
    echo "$VM_BASE" >"$dir/base"
    echo "${HALBD_VM_EXTRA_MODULES:-}" >"$dir/extra-modules"
    mkfifo "$dir/events"
    exec 3<>"$dir/events"
    for t in "$@"; do
        (
            HALBD_VM_SUITE=$dir HALBD_VM_SUITE_NAME=$t sh "$here/$t" >"$dir/$t.log" 2>&1 3<&-
            echo "exit $t $?" >"$dir/events"
        ) &
    done
    # Each test either joins (ready) or ends without a VM (exit: a skip or a
    # host-side failure).
    pending=$#
    while [ "$pending" -gt 0 ] && read -r -t 900 kind name <&3; do
        case $kind in
            ready) echo "$name" >>"$dir/joined" ;;
            exit) echo "${name#* }" >"$dir/${name%% *}.rc" ;;
        esac
        pending=$((pending - 1))
    done
    if [ -s "$dir/joined" ]; then
        mkdir -p "$dir/overlay/suite"
        : >"$dir/overlay/suite/list"
        for t in "$@"; do  # in the suite's order, not in the order they joined
            grep -qxF "$t" "$dir/joined" || continue
            limit=$(cat "$dir/$t.limit")
            total=$((total + limit))
            vm_suite_merge "$dir/$t.root" "$dir/overlay" || prep=1
            mv "$dir/$t.root/test" "$dir/overlay/suite/$t"
            echo "$t $limit" >>"$dir/overlay/suite/list"
        done
        if [ "$prep" = 0 ] && vm_cpio "$dir/overlay" "$dir/overlay.cpio"; then
            cat "$VM_BASE" "$dir/overlay.cpio" >"$dir/initrd.img"
            vm_note "shared boot of $(wc -l <"$dir/joined") tests, prepared in $(vm_elapsed "$t0" "$(vm_now)")s"
            VM_BODY_DIR=$dir HALBD_VM_TIMEOUT=$((total + 120)) vm_boot "$dir/initrd.img" >"$dir/between.out"
            rc=$?
            vm_note "shared boot: boot-to-script ${VM_BOOT_SECS}s, VM total ${VM_TOTAL_SECS}s; status $rc"
            if [ -n "${HALBD_VM_KEEP_LOG:-}" ]; then cp "$dir/console.log" "$HALBD_VM_KEEP_LOG"; fi
        fi
        # Hand each joined test its output (a test the VM never reached: 125).
        while read -r t; do
            [ -s "$dir/$t.status" ] || echo 125 >"$dir/$t.status"
            echo go >"$dir/$t.done"
            rm -f "$dir/$t.done"
        done <"$dir/joined"
        pending=$(wc -l <"$dir/joined")
        while [ "$pending" -gt 0 ] && read -r -t 120 kind name <&3; do
            [ "$kind" = exit ] && { echo "${name#* }" >"$dir/${name%% *}.rc"; pending=$((pending - 1)); }
        done
    fi
    exec 3<&-
    for t in "$@"; do
        n=$((n + 1))
        st=$(cat "$dir/$t.rc" 2>/dev/null || echo "none")
        case $st in
            0) echo "ok $n - tests/vm/$t" ;;
            77) echo "ok $n - tests/vm/$t # SKIP $(vm_suite_reason "$dir/$t.log")" ;;
            *) echo "not ok $n - tests/vm/$t (exit status $st)" ;;
        esac
        sed 's/^/# /' "$dir/$t.log" 2>/dev/null
    done
    return 0
}
