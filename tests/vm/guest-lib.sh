# tests/vm/guest-lib.sh: helpers for the scripts that run inside the VM
# (sourced there from /test/guest-lib.sh; each VM test copies it in with
# --file). POSIX sh: the guest's /bin/sh is dash.
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
bad() { failed=$((failed + 1)); echo "not ok - $1"; }
# check DESCRIPTION command...: passes if the command succeeds.
check() {
    what=$1
    shift
    if "$@" >/tmp/out 2>&1; then ok "$what"; else
        bad "$what"
        sed 's/^/    | /' /tmp/out
    fi
}
# poll SECONDS command...: retry every 0.2 s until the command succeeds.
# (Another process's progress cannot be waited on from here: a bounded poll.)
poll() {
    tries=$(($1 * 5))
    shift
    while [ "$tries" -gt 0 ]; do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.2
        tries=$((tries - 1))
    done
    return 1
}
