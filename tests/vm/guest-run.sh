#!/bin/bash
# Runs inside the test VM: one test script from the checkout, its output to
# the console and to /results/log, its exit status to /results/status.  The
# host side (run-vm.sh) reads both after the VM powers off.
test=$1
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export XST_PROJECT=/project XST_RESULTS=/results
export XST_BUILD=${XST_BUILD:-/project/build}
[ -r /results/env ] && . /results/env
mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mountpoint -q /dev/pts || mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mountpoint -q /dev/shm || mount -t tmpfs tmpfs /dev/shm
# bash process substitution needs /dev/fd, which devtmpfs lacks.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
echo "XST-GUEST-START $test"
cd /tmp
bash "/project/$test" 2>&1 | tee /results/log
rc=${PIPESTATUS[0]}
echo "$rc" >/results/status
sync
echo "XST-GUEST-END rc=$rc"
