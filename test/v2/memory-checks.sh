#!/bin/sh
# Memory checks for the cgroup v2 VM: per-test peak windows on a real v2 cgroup, and the facts the verdicts
# rest on, each made to happen for real: a budget kill, and the machine running out of memory (the kernel's
# global OOM killer) with no budget and with a budget above the VM's RAM. Busybox sh, run as root; prints
# "CHECK name PASS|FAIL detail" lines. Needs Node and, in /project, packages/core with its dependencies and
# the launcher package, as test/v2/run.mjs stages them. Hook it into the VM tier by running it from the VM's
# test script (`sh /project/test/v2/memory-checks.sh`), or alone:
#   node test/v2/run.mjs test/v2/memory-checks.sh
# The host-OOM checks fill the VM's RAM on purpose: run them in a VM of their own or last.
# pivot_root(2) is refused on the initramfs root: re-run under a moved bind of it, as in-vm.sh does.
if [ -z "$TESTCELL_V2_REROOTED" ]; then
  exec unshare -m sh -c 'mkdir -p /mnt/reroot && mount --rbind / /mnt/reroot && cd /mnt/reroot && mount --move . / && exec chroot . env TESTCELL_V2_REROOTED=1 /bin/sh "$0"' "$0"
fi
NODE=$(command -v node || echo /usr/bin/node)
CORE=/project/packages/core/dist
CG=${V2_CGROOT:-/sys/fs/cgroup}
LEAK='const a=[];for(;;)a.push(Buffer.alloc(1<<20,1))'
check() { if [ "$2" = ok ]; then echo "CHECK $1 PASS $3"; else echo "CHECK $1 FAIL $3"; fi; }
field() { awk -v k="$2" '$1==k{print $2}' "$1"; }
cd /tmp || exit 1

# --- per-test peak windows: a shell in a fresh v2 cgroup writes files to a tmpfs (charged to the writer,
# uncharged on removal); the tracker must see each window's own peak. Kernels >= 6.12 reset memory.peak per
# open file (v2-peak-reset); older ones fall back to the peak of memory.current samples (v2-sampled).
mkdir -p /tmp/peak-shm && mount -t tmpfs tmpfs /tmp/peak-shm
cat > /tmp/peak-windows.mjs <<EOS
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { openPeakTracker, memoryFiles } from '$CORE/cgroup/peak.js'
import { MemorySampler } from '$CORE/cgroup/sampler.js'
const MiB = 1 << 20
const dir = '$CG/testcell-peak-windows'
mkdirSync(dir)
const shell = spawn('/bin/sh', ['-c', 'while read -r line; do eval "\$line"; echo done; done'])
let out = ''
shell.stdout.on('data', (d) => (out += d))
writeFileSync(dir + '/cgroup.procs', String(shell.pid))
const run = async (cmd) => { const n = out.length; shell.stdin.write(cmd + '\n'); while (!out.slice(n).includes('done')) await new Promise((r) => setTimeout(r, 5)) }
const tracker = openPeakTracker(2, dir)
const sampler = new MemorySampler(memoryFiles(2, dir).current, { onSample: (b) => tracker.observe(b) })
const result = {}
tracker.reset()
result.mode = tracker.mode
await run('head -c ' + 40 * MiB + ' /dev/zero > /tmp/peak-shm/a')
sampler.sample()
await run('rm /tmp/peak-shm/a')
result.first = tracker.read()
tracker.reset()
await run('head -c ' + 10 * MiB + ' /dev/zero > /tmp/peak-shm/b')
sampler.sample()
await run('rm /tmp/peak-shm/b')
result.second = tracker.read()
tracker.reset()
result.idle = tracker.read()
// Without a sample in between, only the per-fd reset sees a short-lived peak.
await run('head -c ' + 20 * MiB + ' /dev/zero > /tmp/peak-shm/c; rm /tmp/peak-shm/c')
result.unsampled = tracker.read()
result.highest = tracker.highest
result.samples = sampler.samples().values.length
tracker.close(); sampler.stop()
shell.kill('SIGKILL')
await new Promise((r) => shell.once('close', r))
console.log(JSON.stringify(result))
EOS
out=$($NODE /tmp/peak-windows.mjs 2>&1)
rmdir $CG/testcell-peak-windows 2>/dev/null
umount /tmp/peak-shm
j() { echo "$out" | $NODE -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{try{console.log(JSON.parse(s).$1)}catch{console.log('')}})"; }
MiB=1048576
mode=$(j mode); first=$(j first); second=$(j second); idle=$(j idle); unsampled=$(j unsampled); highest=$(j highest)
echo "INFO peak windows on $(uname -r): $out"
[ -n "$first" ] && [ "$first" -ge $((40 * MiB)) ] && [ "$second" -ge $((10 * MiB)) ] && [ "$second" -lt $((30 * MiB)) ] \
  && [ "$idle" -lt $((8 * MiB)) ] && [ "$highest" -ge $((40 * MiB)) ] \
  && check v2_peak_windows ok "mode=$mode first=$first second=$second idle=$idle" || check v2_peak_windows no "$out"
if [ "$mode" = v2-peak-reset ]; then
  [ "$unsampled" -ge $((20 * MiB)) ] && check v2_peak_reset_per_fd ok "unsampled=$unsampled" || check v2_peak_reset_per_fd no "$out"
else
  [ "$mode" = v2-sampled ] && check v2_peak_sampled_fallback ok "kernel $(uname -r) cannot reset memory.peak: sampled" || check v2_peak_sampled_fallback no "$out"
fi

# --- the facts behind the verdicts, made to happen: run a leaking node in cgroup $1 (its memory.max is $2)
# until something kills it, then classify from the exit status, memory.events and memory.peak alone.
verdict() {
  name=$1; max=$2; dir=$CG/testcell-$name
  mkdir $dir && echo 1 > $dir/memory.oom.group
  [ "$max" = none ] || { echo "$max" > $dir/memory.max; echo 0 > $dir/memory.swap.max 2>/dev/null; }
  # The leak volunteers as the OOM killer's first choice, as the heaviest process of a test file would be.
  timeout 300 sh -c "echo \$\$ > $dir/cgroup.procs; echo 1000 > /proc/self/oom_score_adj; exec $NODE -e '$LEAK'" > /dev/null 2>&1
  status=$?
  sleep 0.2
  oom=$(field $dir/memory.events oom); kills=$(field $dir/memory.events oom_kill); peak=$(cat $dir/memory.peak)
  limit=$([ "$max" = none ] && echo null || cat $dir/memory.max)
  rmdir $dir
  $NODE -e "
    import('$CORE/index.js').then(({ classifyEnd, describeVerdict }) => {
      const facts = { exitCode: null, signal: $status === 137 ? 'SIGKILL' : 'SIG' + ($status - 128), limitBytes: $limit, peakBytes: $peak, oomKills: $kills, limitOoms: $oom }
      const v = classifyEnd(facts)
      console.log(v.kind + ' | oom=$oom oom_kill=$kills status=$status | ' + describeVerdict(v, { file: 'tests/big.test.ts', test: 'loads it all' }))
    })"
}

out=$(verdict budget 64M)
echo "$out" | grep -q '^budget | .*killed: memory limit 64 MiB exceeded (peak 6[0-9]\.[0-9] MiB) while running tests/big.test.ts > loads it all$' \
  && check v2_verdict_budget ok "$out" || check v2_verdict_budget no "$out"

out=$(verdict host-nobudget none)
echo "$out" | grep -q "^host-oom | oom=0 .*the machine ran out of memory.*no memory budget" \
  && check v2_verdict_host_oom_without_budget ok "$out" || check v2_verdict_host_oom_without_budget no "$out"

out=$(verdict host-bigbudget 64G)
echo "$out" | grep -q "^host-oom | oom=0 .*the machine ran out of memory.*budget 64 GiB" \
  && check v2_verdict_host_oom_above_budget ok "$out" || check v2_verdict_host_oom_above_budget no "$out"

# --- the same through the product: a container without a budget fills the VM; the launcher reports
# memory.events with the exit, the result carries the counters, and the verdict is the machine's.
# (core finds the launcher in its platform package, as npm installed it)
$NODE /project/packages/core/bin/testcell.js run --result-json /tmp/hostoom.json -- /bin/sh -c "echo 1000 > /proc/self/oom_score_adj; exec $NODE -e '$LEAK'" > /dev/null 2> /tmp/hostoom.err
rc=$?
out=$($NODE -e "
  import('$CORE/index.js').then(({ classifyEnd, describeVerdict, factsFromResult }) => {
    const r = JSON.parse(require('fs').readFileSync('/tmp/hostoom.json', 'utf8'))
    const v = classifyEnd(factsFromResult(r))
    console.log(v.kind + ' | oom_kill=' + r.oomKillCount + ' oom=' + r.limitOomCount + ' signal=' + r.signal + ' | ' + describeVerdict(v))
  })" 2>&1)
echo "$out" | grep -q "^host-oom | oom_kill=[1-9][0-9]* oom=0 signal=SIGKILL | killed: the machine ran out of memory" && [ $rc = 137 ] && grep -q '^testcell: killed: the machine ran out of memory' /tmp/hostoom.err && ! grep -q 'exceeded' /tmp/hostoom.err \
  && check v2_host_oom_through_testcell_run ok "rc=$rc $out" || check v2_host_oom_through_testcell_run no "rc=$rc $out $(cat /tmp/hostoom.err)"

left=$(ls -d $CG/testcell-* 2>/dev/null)
[ -z "$left" ] && check v2_memory_checks_left_nothing ok "" || check v2_memory_checks_left_nothing no "$left"
exit 0
