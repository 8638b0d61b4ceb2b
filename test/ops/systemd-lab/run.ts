// Runs one command in the kernel lab with systemd as PID 1:
//   node --import tsx test/ops/systemd-lab/run.ts [--timeout S] -- COMMAND...
import { fileURLToPath } from 'node:url';
import { runInLab } from '../../lab/run.js';

const stage2Script = fileURLToPath(new URL('./stage2.sh', import.meta.url));

export function runInSystemdLab(command: string[], timeoutSeconds = 900) {
  return runInLab({ command, timeoutSeconds, stage2Script });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  let timeout = 900;
  if (args[0] === '--timeout') {
    args.shift();
    timeout = Number(args.shift());
  }
  if (args[0] === '--') args.shift();
  const result = await runInSystemdLab(args, timeout);
  process.stderr.write(`systemd lab: boot ${result.bootSeconds?.toFixed(1) ?? '?'} s, total ${result.totalSeconds.toFixed(1)} s, status ${result.status}\n`);
  process.exitCode = result.status;
}
