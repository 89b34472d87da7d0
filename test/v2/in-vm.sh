#!/bin/sh
# Runs inside the cgroup v2 VM (test/v2/run.sh): the v2 driver and the launcher's clone3 path, for real.
# Busybox sh; prints "CHECK name PASS|FAIL detail" lines that the VM runner counts.
# The VM's root is the initramfs, where pivot_root(2) is refused (EINVAL) as on no real host: move a bind
# of it over / in a private mount namespace first, as switch_root-style tools do, then run the checks there.
if [ -z "$TESTCELL_V2_REROOTED" ]; then
  exec unshare -m sh -c 'mkdir -p /mnt/reroot && mount --rbind / /mnt/reroot && cd /mnt/reroot && mount --move . / && exec chroot . env TESTCELL_V2_REROOTED=1 /bin/sh "$0"' "$0"
fi
NODE=$(command -v node || echo /usr/bin/node)
TESTCELL="$NODE /project/packages/core/bin/testcell.js"
LEAK='const a=[];for(;;)a.push(Buffer.alloc(1<<20,1))'
check() { if [ "$2" = ok ]; then echo "CHECK $1 PASS $3"; else echo "CHECK $1 FAIL $3"; fi; }
json() { $NODE -e "const r=require('$1');console.log(r.$2)"; }
cd /tmp

$TESTCELL doctor > doctor.out 2>&1; rc=$?
grep -q 'cgroup v2' doctor.out && [ $rc = 0 ] && check v2_doctor ok "$(tail -n1 doctor.out)" || check v2_doctor no "rc=$rc $(cat doctor.out)"

$TESTCELL run --memory 64MiB --result-json /tmp/oom.json -- $NODE -e "$LEAK" > oom.out 2> oom.err; rc=$?
peak=$(json /tmp/oom.json peakMemoryBytes); oom=$(json /tmp/oom.json oomKilled)
grep -q 'killed: memory limit 64 MiB exceeded (peak' oom.err && [ $rc = 137 ] && [ "$oom" = true ] \
  && check v2_memory_kill_verdict ok "rc=$rc $(cat oom.err)" || check v2_memory_kill_verdict no "rc=$rc oom=$oom $(cat oom.err)"
[ "$peak" -gt 50000000 ] && [ "$peak" -le 67108864 ] && check v2_peak ok "peak=$peak" || check v2_peak no "peak=$peak"

$TESTCELL run --memory 64MiB -- sh -c 'kill -9 $$' 2> kill.err; rc=$?
[ $rc = 137 ] && ! grep -q memory kill.err && check v2_plain_sigkill_not_oom ok "rc=$rc" || check v2_plain_sigkill_not_oom no "rc=$rc $(cat kill.err)"

out=$($TESTCELL run --memory 64MiB -- cat /proc/self/cgroup 2>&1)
echo "$out" | grep -q '^0::/testcell-[0-9]*-[0-9a-f]*$' && check v2_payload_born_in_cgroup ok "$out" || check v2_payload_born_in_cgroup no "$out"

out=$($TESTCELL run --pids-limit 16 -- sh -c 'i=0; while [ $i -lt 200 ]; do sleep 5 & i=$((i+1)); done 2>/dev/null; echo started; kill -9 -1' 2>&1); rc=$?
! echo "$out" | grep -q started && [ $rc != 0 ] && check v2_pids_limit ok "rc=$rc" || check v2_pids_limit no "rc=$rc $out"

# Rootless with a delegated cgroup, as systemd's Delegate= gives one: uid 1000 owns P, its own process lives
# in P/session, so testcell finds P (the parent of its own cgroup) and creates the container's cgroup there.
P=/sys/fs/cgroup/testcell-delegated
mkdir -p $P/session && chown -R 1000:1000 $P
cat > /tmp/rootless.js <<EOS
const fs = require('fs'), { spawnSync } = require('child_process')
fs.writeFileSync('$P/session/cgroup.procs', String(process.pid))
process.setgid(1000); process.setuid(1000)
const run = (args) => spawnSync(process.execPath, ['/project/packages/core/bin/testcell.js', 'run', ...args], { encoding: 'utf8', cwd: '/tmp', env: { ...process.env, HOME: '/tmp' } })
const oom = run(['--memory', '64MiB', '--', process.execPath, '-e', '$LEAK'])
const ok = run(['--memory', '64MiB', '--', 'sh', '-c', 'id -u; cat /proc/self/cgroup'])
console.log(JSON.stringify({ oom: [oom.status, oom.stderr.trim()], ok: [ok.status, ok.stdout.trim(), ok.stderr.trim()] }))
EOS
out=$($NODE /tmp/rootless.js 2>&1)
echo "$out" | grep -q '"oom":\[137,"testcell: killed: memory limit 64 MiB exceeded (peak' && check v2_rootless_delegated_memory_kill ok "$out" || check v2_rootless_delegated_memory_kill no "$out"
echo "$out" | grep -q '"ok":\[0,"0\\n0::/testcell-delegated/testcell-' && check v2_rootless_payload_in_delegated_cgroup ok "$out" || check v2_rootless_payload_in_delegated_cgroup no "$out"
rmdir $P/session 2>/dev/null; rmdir $P 2>/dev/null

left=$(ls -d "$V2_CGROOT"/../testcell-* /sys/fs/cgroup/testcell-* 2>/dev/null)
[ -z "$left" ] && check v2_no_cgroup_left ok "" || check v2_no_cgroup_left no "$left"
exit 0
