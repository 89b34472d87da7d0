#!/bin/sh
# Runs inside the arm64 VM as root (busybox sh): the packed packages as npm installed them for arm64, in
# /project. Prints "CHECK name PASS|FAIL detail" lines that the runner counts.
# The VM's root is the initramfs, where pivot_root(2) is refused (EINVAL): move a bind of it over / in a private
# mount namespace first, as switch_root-style tools do (as test/v2/in-vm.sh does).
if [ -z "$VM_REROOTED" ]; then
  exec unshare -m sh -c 'mkdir -p /mnt/reroot && mount --rbind / /mnt/reroot && cd /mnt/reroot && mount --move . / && exec chroot . env VM_REROOTED=1 /bin/sh "$0"' "$0"
fi
NODE=/opt/node/bin/node
TESTCELL="$NODE /project/node_modules/@testcell/core/bin/testcell.js"
LAUNCHER=/project/node_modules/@testcell/launcher-linux-arm64/testcell-launcher
LEAK='const a=[];for(;;)a.push(Buffer.alloc(1<<20,1))'
check() { if [ "$2" = ok ]; then echo "CHECK $1 PASS $3"; else echo "CHECK $1 FAIL $3"; fi; }
cd /tmp

out=$($NODE -p 'process.arch + " " + process.version' 2>&1)
[ "${out%% *}" = arm64 ] && check arm64_node ok "$out" || check arm64_node no "$out"

out=$(cd /project && $NODE --input-type=module -e "import('@testcell/core').then((c) => console.log(c.locateLauncher()))" 2>&1)
[ "$out" = "$LAUNCHER" ] && check arm64_launcher_from_platform_package ok "$out" || check arm64_launcher_from_platform_package no "$out"

$TESTCELL doctor > doctor.out 2>&1; rc=$?
[ $rc = 0 ] && grep -q "$LAUNCHER" doctor.out && check arm64_doctor ok "$(tail -n1 doctor.out)" || check arm64_doctor no "rc=$rc $(cat doctor.out)"

out=$($TESTCELL run -- sh -c 'echo pid $$ on $(hostname); ls /sys/class/net' 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q '^pid 2 on testcell-' && [ "$(echo "$out" | tail -n1)" = lo ] \
  && check arm64_namespaces ok "$(echo $out)" || check arm64_namespaces no "rc=$rc $out"

$TESTCELL run --memory 64MiB --result-json /tmp/oom.json -- $NODE -e "$LEAK" > oom.out 2> oom.err; rc=$?
peak=$($NODE -p "require('/tmp/oom.json').peakMemoryBytes" 2>&1)
grep -q 'killed: memory limit 64 MiB exceeded (peak' oom.err && [ $rc = 137 ] && [ "$peak" -le 67108864 ] \
  && check arm64_memory_cap ok "rc=$rc peak=$peak $(cat oom.err)" || check arm64_memory_cap no "rc=$rc peak=$peak $(cat oom.err)"

left=$(ls -d /sys/fs/cgroup/testcell-* 2>/dev/null)
[ -z "$left" ] && check arm64_no_cgroup_left ok "" || check arm64_no_cgroup_left no "$left"

# The seccomp filter against a real arm64 kernel (qemu-user cannot load seccomp filters).
/vm/seccomp-tests > seccomp.tap 2>&1; rc=$?
sed -n 's/^ok [0-9]* - \(.*\)/CHECK arm64_seccomp PASS \1/p; s/^not ok [0-9]* - \(.*\)/CHECK arm64_seccomp FAIL \1/p' seccomp.tap
grep -q '^ok ' seccomp.tap && [ $rc = 0 ] || check arm64_seccomp_tests no "rc=$rc $(tail -n 5 seccomp.tap)"
exit 0
