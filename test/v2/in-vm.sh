#!/bin/sh
# Runs inside the cgroup v2 VM (test/v2/run.mjs): the v2 driver and the launcher's clone3 path, for real.
# Busybox sh; prints "CHECK name PASS|FAIL detail" lines that the runner counts.
# The VM's root is the initramfs, where pivot_root(2) is refused (EINVAL) as on no real host: move a bind
# of it over / in a private mount namespace first, as switch_root-style tools do, then run the checks there.
if [ -z "$TESTCELL_V2_REROOTED" ]; then
  exec unshare -m sh -c 'mkdir -p /mnt/reroot && mount --rbind / /mnt/reroot && cd /mnt/reroot && mount --move . / && exec chroot . env TESTCELL_V2_REROOTED=1 /bin/sh "$0"' "$0"
fi
NODE=/usr/bin/node
TESTCELL="$NODE /project/node_modules/@testcell/core/bin/testcell.js"
CG=/sys/fs/cgroup
LEAK='const a=[];for(;;)a.push(Buffer.alloc(1<<20,1))'
check() { if [ "$2" = ok ]; then echo "CHECK $1 PASS $3"; else echo "CHECK $1 FAIL $3"; fi; }
json() { $NODE -e "const r=require('$1');console.log(r.$2)"; }
cd /tmp
echo "INFO kernel $(uname -r), cgroup: $(grep cgroup /proc/mounts | tr '\n' ' ')"

[ "$(cat /proc/self/cgroup)" = "0::/" ] && ! grep -q ' cgroup ' /proc/mounts && check v2_pure_unified_hierarchy ok "$(cat $CG/cgroup.controllers)" ||
  check v2_pure_unified_hierarchy no "$(cat /proc/self/cgroup) $(grep cgroup /proc/mounts)"

# Nothing enabled the controllers for the root's children yet: the doctor must not, and neither may a run.
before=$(cat $CG/cgroup.subtree_control)
$TESTCELL doctor > doctor0.out 2>&1
$TESTCELL run --memory 64MiB -- true > refused.out 2>&1; rc=$?
after=$(cat $CG/cgroup.subtree_control)
[ -z "$before" ] && [ -z "$after" ] && check v2_doctor_and_runs_never_write_the_root_cgroup ok "subtree_control stays empty" ||
  check v2_doctor_and_runs_never_write_the_root_cgroup no "before='$before' after='$after'"
[ $rc = 125 ] && grep -q 'never changes the root cgroup' refused.out && check v2_root_without_controllers_refuses_cap_with_reason ok "$(cat refused.out)" ||
  check v2_root_without_controllers_refuses_cap_with_reason no "rc=$rc $(cat refused.out)"

# What an init system does at boot (systemd does this on every v2 host).
echo "+memory +pids" > $CG/cgroup.subtree_control

$TESTCELL doctor > doctor.out 2>&1; rc=$?
grep -q 'cgroup v2 under the root cgroup' doctor.out && [ $rc = 0 ] && check v2_doctor ok "$(tail -n1 doctor.out)" || check v2_doctor no "rc=$rc $(cat doctor.out)"

$TESTCELL run --memory 64MiB --result-json /tmp/oom.json -- $NODE -e "$LEAK" > oom.out 2> oom.err; rc=$?
peak=$(json /tmp/oom.json peakMemoryBytes); oom=$(json /tmp/oom.json oomKilled)
grep -q 'killed: memory limit 64 MiB exceeded (peak' oom.err && [ $rc = 137 ] && [ "$oom" = true ] \
  && check v2_memory_kill_verdict ok "rc=$rc $(cat oom.err)" || check v2_memory_kill_verdict no "rc=$rc oom=$oom $(cat oom.err)"
[ "$peak" -gt 50000000 ] && [ "$peak" -le 67108864 ] && check v2_peak ok "peak=$peak" || check v2_peak no "peak=$peak"

$TESTCELL run --memory 64MiB -- sh -c 'kill -9 $$' 2> kill.err; rc=$?
[ $rc = 137 ] && ! grep -q memory kill.err && check v2_plain_sigkill_not_oom ok "rc=$rc" || check v2_plain_sigkill_not_oom no "rc=$rc $(cat kill.err)"

out=$($TESTCELL run --memory 64MiB -- cat /proc/self/cgroup 2>&1)
echo "$out" | grep -q '^0::/testcell-[0-9]*-[0-9a-f]*$' && check v2_payload_born_in_cgroup ok "$out" || check v2_payload_born_in_cgroup no "$out"

out=$($TESTCELL run --pids-limit 16 -- sh -c 'echo begun; i=0; while [ $i -lt 200 ]; do sleep 5 & i=$((i+1)); done 2>/dev/null; echo started; kill -9 -1' 2>&1); rc=$?
echo "$out" | grep -q begun && ! echo "$out" | grep -q started && [ $rc != 0 ] && check v2_pids_limit ok "rc=$rc" || check v2_pids_limit no "rc=$rc $out"

# Rootless in a cgroup delegated to uid 1000, as systemd's Delegate= gives one: the process lives in P itself,
# so testcell does the nesting step there (itself into P/supervisor, memory and pids for P's children).
P=$CG/testcell-delegated
mkdir -p $P && chown -R 1000:1000 $P
cat > /tmp/rootless.js <<EOS
const fs = require('fs'), { spawnSync } = require('child_process')
fs.writeFileSync('$P/cgroup.procs', String(process.pid))
process.setgid(1000); process.setuid(1000)
const run = (args) => spawnSync(process.execPath, ['/project/node_modules/@testcell/core/bin/testcell.js', 'run', ...args], { encoding: 'utf8', cwd: '/tmp', env: { ...process.env, HOME: '/tmp', USER: 'user' } })
const oom = run(['--memory', '64MiB', '--', process.execPath, '-e', '$LEAK'])
const ok = run(['--memory', '64MiB', '--', 'sh', '-c', 'id -u; cat /proc/self/cgroup'])
const text = (s) => String(s ?? '').trim()
console.log(JSON.stringify({ oom: [oom.status, text(oom.stderr)], ok: [ok.status, text(ok.stdout), text(ok.stderr)], error: String(oom.error ?? ok.error ?? '') }))
EOS
out=$($NODE /tmp/rootless.js 2>&1)
echo "$out" | grep -q '"oom":\[137,"testcell: killed: memory limit 64 MiB exceeded (peak' && check v2_rootless_delegated_memory_kill ok "$out" || check v2_rootless_delegated_memory_kill no "$out"
echo "$out" | grep -q '"ok":\[0,"0\\n0::/testcell-delegated/testcell-' && grep -qw memory $P/cgroup.subtree_control && [ -d $P/supervisor ] &&
  check v2_rootless_nesting_in_delegated_cgroup ok "$out; $P/cgroup.subtree_control: $(cat $P/cgroup.subtree_control)" ||
  check v2_rootless_nesting_in_delegated_cgroup no "$out; $(cat $P/cgroup.subtree_control); $(ls $P)"
sleep 0.2
rmdir $P/supervisor 2>/dev/null; rmdir $P 2>/dev/null

# An image root under a v2 memory cap: a busybox rootfs tarball (the VM's own static busybox), extracted into the
# layer store; the container is born in its v2 cgroup and a leak in the image is killed by the budget.
mkdir -p /tmp/bbroot/bin /tmp/bbroot/etc && cp /bin/busybox /tmp/bbroot/bin/busybox && ln -s busybox /tmp/bbroot/bin/sh && ln -s busybox /tmp/bbroot/bin/cat
echo 'NAME="testcell busybox"' > /tmp/bbroot/etc/os-release
tar -cf /tmp/bb.tar -C /tmp/bbroot .
out=$($TESTCELL run --image rootfs:/tmp/bb.tar --memory 64MiB -- sh -c 'cat /etc/os-release /proc/self/cgroup' 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q 'testcell busybox' && echo "$out" | grep -q '^0::/testcell-' && check v2_image_root_in_v2_cgroup ok "$out" || check v2_image_root_in_v2_cgroup no "rc=$rc $out"
$TESTCELL run --image rootfs:/tmp/bb.tar --memory 64MiB -- sh -c 'x=0123456789abcdef; while :; do x="$x$x"; done' > img-oom.out 2> img-oom.err; rc=$?
[ $rc = 137 ] && grep -q 'killed: memory limit 64 MiB exceeded' img-oom.err && check v2_image_leak_killed_by_budget ok "$(cat img-oom.err)" || check v2_image_leak_killed_by_budget no "rc=$rc $(cat img-oom.err)"

left=$(ls -d $CG/testcell-* 2>/dev/null)
[ -z "$left" ] && check v2_no_cgroup_left ok "" || check v2_no_cgroup_left no "$left"
exit 0
