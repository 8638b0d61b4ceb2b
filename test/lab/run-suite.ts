// `npm test`: the whole suite in one command. The unit project runs on the
// host; then one kernel-lab boot runs the e2e project (tests that need a
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

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const vitest = join('node_modules', '.bin', 'vitest');
// A filter (`npm test -- test/config`) may match files of one project only:
// the other then has nothing to run, which is not a failure.
const extraArgs = process.argv.length > 2 ? ['--passWithNoTests', ...process.argv.slice(2)] : [];

function runUnit(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(vitest, ['run', '--project', 'unit', ...extraArgs], { cwd: root, stdio: 'inherit' });
    child.on('error', () => resolve(127));
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

const started = performance.now();
const unitStatus = await runUnit();
const unitSeconds = (performance.now() - started) / 1000;

let e2eStatus: number;
let e2eSeconds = 0;
let bootSeconds: number | undefined;
try {
  const result = await runInLab({
    command: [vitest, 'run', '--project', 'e2e', ...extraArgs],
    cwd: root,
    timeoutSeconds: 1200,
  });
  e2eStatus = result.status;
  e2eSeconds = result.totalSeconds;
  bootSeconds = result.bootSeconds;
} catch (error) {
  if (!(error instanceof LabSetupError)) throw error;
  process.stderr.write(`${error.message}\n`);
  e2eStatus = 125;
}

const verdict = (status: number) => (status === 0 ? 'passed' : status === 125 ? 'LAB FAILED' : 'FAILED');
process.stdout.write(
  `\nnodeswan test suite: unit ${verdict(unitStatus)} (${unitSeconds.toFixed(0)} s), ` +
    `e2e in the kernel lab ${verdict(e2eStatus)} (${e2eSeconds.toFixed(0)} s, boot ${bootSeconds?.toFixed(1) ?? '?'} s)\n`,
);
process.exitCode = unitStatus !== 0 ? unitStatus : e2eStatus;
