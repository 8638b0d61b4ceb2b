// `npm test`: the whole suite in one command. The unit project runs on the
// host; then kernel-lab guests run the e2e project (tests that need a
// kernel with ESP, namespaces, strongSwan). Both always run, so one report
// shows every failure; the exit status is non-zero if either failed, and a
// lab that cannot start (no QEMU, no kernel image) is a failure, never a skip.
//
//   node --import tsx test/lab/run-suite.ts [vitest args for both projects...]

import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabSetupError } from './guest-image.js';
import { runInLab } from './run.js';
import { e2eFiles, loadDurations, parseFileDurations, splitIntoShards, type Shard } from './e2e-shards.js';
import { PrefixedLines } from './prefixed-stream.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const vitest = join('node_modules', '.bin', 'vitest');
// A filter (`npm test -- test/config`) may match files of one project only:
// the other then has nothing to run, which is not a failure.
const extraArgs = process.argv.length > 2 ? ['--passWithNoTests', ...process.argv.slice(2)] : [];

// vitest leaves one core free by default: on this 2-core machine that is
// one worker, and the unit project took ~225 s instead of ~175 s.
function runUnit(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(vitest, ['run', '--project', 'unit', '--maxWorkers=2', ...extraArgs], { cwd: root, stdio: 'inherit' });
    child.on('error', () => resolve(127));
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

const started = performance.now();
const unitStatus = await runUnit();
const unitSeconds = (performance.now() - started) / 1000;

// Without a filter the e2e files are split between two guests booted side
// by side (TCG runs each on one of the host's two cores); a filter runs in one.
const guestCount = extraArgs.length > 0 ? 1 : Number(process.env.NODESWAN_LAB_GUESTS ?? 2);
const shards: Shard[] =
  guestCount > 1
    ? splitIntoShards(e2eFiles(root), loadDurations(root), guestCount)
    : [{ files: [], estimatedSeconds: 0 }];

let e2eStatus = 0;
let e2eSeconds = 0;
const bootSeconds: string[] = [];
const measured: Record<string, number> = {};
const e2eStarted = performance.now();
const results = await Promise.all(
  shards.map(async (shard, index) => {
    const label = shards.length > 1 ? `[lab ${index + 1}] ` : '';
    const out = new PrefixedLines(label, process.stdout);
    const err = new PrefixedLines(label, process.stderr);
    if (label) process.stdout.write(`${label}${shard.files.length} files, about ${shard.estimatedSeconds} s: ${shard.files.join(' ')}\n`);
    try {
      const result = await runInLab({
        command: [vitest, 'run', '--project', 'e2e', ...extraArgs, ...shard.files],
        cwd: root,
        timeoutSeconds: 1200,
        stdout: out,
        stderr: err,
      });
      Object.assign(measured, parseFileDurations(out.text + err.text));
      bootSeconds.push(result.bootSeconds?.toFixed(1) ?? '?');
      return result.status;
    } catch (error) {
      if (!(error instanceof LabSetupError)) throw error;
      err.write(`${error.message}\n`);
      return 125;
    } finally {
      out.flushPartial();
      err.flushPartial();
    }
  }),
);
e2eSeconds = (performance.now() - e2eStarted) / 1000;
e2eStatus = results.find((status) => status === 125) ?? results.find((status) => status !== 0) ?? 0;
if (Object.keys(measured).length > 0) {
  process.stdout.write('\ne2e files by duration in the lab (s):\n');
  for (const [file, seconds] of Object.entries(measured).sort((a, b) => b[1] - a[1])) {
    process.stdout.write(`  ${String(seconds).padStart(5)}  ${file}\n`);
  }
}

const verdict = (status: number) => (status === 0 ? 'passed' : status === 125 ? 'LAB FAILED' : 'FAILED');
process.stdout.write(
  `\nnodeswan test suite: unit ${verdict(unitStatus)} (${unitSeconds.toFixed(0)} s), ` +
    `e2e in the kernel lab ${verdict(e2eStatus)} (${e2eSeconds.toFixed(0)} s, ${shards.length} guest(s), boot ${bootSeconds.join('/') || '?'} s)\n`,
);
process.exitCode = unitStatus !== 0 ? unitStatus : e2eStatus;
