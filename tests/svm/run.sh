#!/usr/bin/env bash
# tests/svm/run.sh [PATTERN] -- the end-to-end tier (tests/run.sh e2e) inside an
# emulated AMD-V host, where /dev/kvm is SVM KVM as on users' machines
# (tests/svm/l1run.sh).  Time limits are stretched: everything in L1 runs under TCG.
set -u
cd "$(dirname "$0")/../.." || exit 1
export B=${B:-build} E2E_TIMEOUT=${E2E_TIMEOUT:-300} GDB_TIMEOUT=${GDB_TIMEOUT:-200}
# e2e/watch_lock: every increment is an exit or two, 10^6 a vCPU take ~10 min here
export WATCH_LOCK_N=${WATCH_LOCK_N:-100000}
echo "svm: the end-to-end tests inside an emulated AMD-V host (QEMU TCG, kvm-amd)"
tests/svm/l1run.sh -t "${SVM_TIMEOUT:-3600}" -e B -e E2E_TIMEOUT -e GDB_TIMEOUT -e LINUX_GUEST -e LINUX_TINY \
	-e WATCH_LOCK_N -e COND_CPUS \
	-- tests/run.sh "${1:-e2e}"
