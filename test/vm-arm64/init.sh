#!/bin/sh
# PID 1 of the arm64 VM (test/vm-arm64/run.mjs): mounts what a Linux host has, a pure cgroup v2 hierarchy with
# memory and pids for children, loads overlayfs, runs checks.sh and powers off. Everything goes to the console.
export PATH=/bin:/sbin:/usr/bin HOME=/root TERM=dumb
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
echo '+memory +pids' > /sys/fs/cgroup/cgroup.subtree_control
grep -qw overlay /proc/filesystems || insmod /lib/modules/overlay.ko
echo "vm-arm64: kernel $(uname -r) $(uname -m), $(grep -c ^processor /proc/cpuinfo) vCPU, up $(cut -d' ' -f1 /proc/uptime) s"
/bin/sh /vm/checks.sh
echo "vm-arm64: DONE after $(cut -d' ' -f1 /proc/uptime) s"
sync
poweroff -f
