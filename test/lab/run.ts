// The kernel lab: boots Debian's kernel (which has ESP, unlike this host's)
// under QEMU/TCG with the host root shared read-only, runs ONE command in it
// with the caller's working directory and environment, streams the command's
// output live, and exits with the command's status.
//
//   node --import tsx test/lab/run.ts [--timeout SECONDS] [--] COMMAND [ARG...]
//
// Exit status: the command's own, or 125 when the lab itself failed (QEMU or
// the kernel image missing, the guest died before the command finished, the
// timeout expired), always with a message on stderr saying what happened.
// Output travels through a writable 9p job folder that this process tails;
// the guest has no network card at all (-nodefaults).

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabSetupError, prepareGuestImage } from './guest-image.js';

const labDir = dirname(fileURLToPath(import.meta.url));
const labFailure = 125;
const qemuBinary = 'qemu-system-x86_64';

export interface LabRunOptions {
  command: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutSeconds?: number;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Replaces guest-stage2.sh (the script PID 1 runs in the chroot), e.g. to boot systemd. */
  stage2Script?: string;
}

export interface LabRunResult {
  status: number;
  bootSeconds: number | undefined;
  totalSeconds: number;
}

export async function runInLab(options: LabRunOptions): Promise<LabRunResult> {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  if (options.command.length === 0) throw new LabSetupError('kernel lab: no command given');
  if (spawnSync(qemuBinary, ['--version']).error) {
    throw new LabSetupError(`kernel lab: ${qemuBinary} not found; install qemu-system-x86 (see .ci/run)`);
  }
  const image = prepareGuestImage();

  const job = mkdtempSync(join(tmpdir(), 'nodeswan-lab-'));
  try {
    copyFileSync(options.stage2Script ?? join(labDir, 'guest-stage2.sh'), join(job, 'stage2.sh'));
    writeFileSync(join(job, 'env.sh'), envScript({ ...(options.env ?? process.env), NODESWAN_LAB: '1', NODESWAN_LAB_CWD: cwd }));
    writeFileSync(join(job, 'command.sh'), `exec ${options.command.map(shellQuote).join(' ')}\n`);
    writeFileSync(join(job, 'stdout'), '');
    writeFileSync(join(job, 'stderr'), '');

    const hiddenInGuest = /^\/(tmp|run)(\/|$)/.test(cwd);
    const args = [
      '-accel', 'tcg',
      '-nodefaults', // no NIC: the guest must never reach any network
      '-nographic',
      '-no-reboot',
      '-m', '2048',
      '-smp', '1', // faster than 2 on a 2-core host under TCG
      '-kernel', image.vmlinux,
      '-initrd', image.initramfs,
      // cryptomgr.notests: crypto self-tests cost ~10 s per module under TCG.
      // no_timer_check: on a loaded host the guest's IO-APIC timer check can
      // miss its window and panic ("IO-APIC + timer doesn't work!").
      '-append', 'console=ttyS0 quiet panic=-1 cryptomgr.notests=1 no_timer_check',
      '-serial', `file:${join(job, 'console.log')}`,
      '-virtfs', 'local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap',
      '-virtfs', `local,path=${job},mount_tag=job,security_model=none`,
      ...(hiddenInGuest ? ['-virtfs', `local,path=${cwd},mount_tag=cwd,security_model=passthrough,readonly=on`] : []),
    ];
    const qemu = spawn(qemuBinary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let qemuStderr = '';
    qemu.stderr.on('data', (chunk: Buffer) => (qemuStderr += chunk.toString()));

    const tails = [new FileTail(join(job, 'stdout'), stdout), new FileTail(join(job, 'stderr'), stderr)];
    let bootSeconds: number | undefined;
    const poll = setInterval(() => {
      for (const tail of tails) tail.pump();
      if (bootSeconds === undefined && existsSync(join(job, 'booted'))) bootSeconds = (performance.now() - started) / 1000;
    }, 50);

    let timedOut = false;
    const timeoutSeconds = options.timeoutSeconds ?? 1800;
    const timer = setTimeout(() => {
      timedOut = true;
      qemu.kill('SIGKILL');
    }, timeoutSeconds * 1000);
    const forward = (signal: NodeJS.Signals) => () => qemu.kill(signal === 'SIGINT' ? 'SIGTERM' : signal);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);

    const exit = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
      qemu.on('error', (error) => resolve({ code: null, error }));
      qemu.on('exit', (code) => resolve({ code }));
    });
    clearInterval(poll);
    clearTimeout(timer);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    for (const tail of tails) tail.finish();

    const totalSeconds = (performance.now() - started) / 1000;
    const statusFile = join(job, 'status');
    if (!timedOut && existsSync(statusFile)) {
      const status = Number.parseInt(readFileSync(statusFile, 'utf8').trim(), 10);
      return { status: Number.isFinite(status) ? status : labFailure, bootSeconds, totalSeconds };
    }
    const console = existsSync(join(job, 'console.log')) ? readFileSync(join(job, 'console.log'), 'utf8') : '';
    const why = timedOut
      ? `timed out after ${timeoutSeconds} s`
      : exit.error
        ? `QEMU failed to start: ${exit.error.message}`
        : `the guest stopped (QEMU exit ${exit.code}) before the command finished`;
    stderr.write(
      `kernel lab: ${why}\n` +
        (qemuStderr.trim() ? `--- QEMU stderr ---\n${qemuStderr.trim()}\n` : '') +
        (console.trim() ? `--- guest console (last lines) ---\n${console.trim().split('\n').slice(-40).join('\n')}\n` : ''),
    );
    return { status: labFailure, bootSeconds, totalSeconds };
  } finally {
    if (!process.env.NODESWAN_LAB_KEEP_JOB) rmSync(job, { recursive: true, force: true });
    else stderr.write(`kernel lab: job folder kept at ${job}\n`);
  }
}

/** Copies what a growing file gains to a stream, from where it last stopped. */
class FileTail {
  private readonly fd: number;
  private offset = 0;
  private readonly buffer = Buffer.alloc(1 << 16);

  constructor(
    path: string,
    private readonly sink: NodeJS.WritableStream,
  ) {
    this.fd = openSync(path, 'r');
  }

  pump(): void {
    for (;;) {
      const n = readSync(this.fd, this.buffer, 0, this.buffer.length, this.offset);
      if (n <= 0) return;
      this.offset += n;
      this.sink.write(Buffer.from(this.buffer.subarray(0, n)));
    }
  }

  finish(): void {
    this.pump();
    closeSync(this.fd);
  }
}

// Variables that describe the host shell or its temporary paths, which the
// guest's fresh /tmp does not have.
const hostOnlyVariables = new Set(['PWD', 'OLDPWD', 'SHLVL', '_', 'TMPDIR', 'TMP', 'TEMP']);

export function envScript(env: NodeJS.ProcessEnv): string {
  return (
    Object.entries(env)
      .filter(([name, value]) => value !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !hostOnlyVariables.has(name))
      .map(([name, value]) => `export ${name}=${shellQuote(value as string)}`)
      .join('\n') + '\n'
  );
}

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

async function main(argv: string[]): Promise<number> {
  let timeoutSeconds: number | undefined;
  const args = [...argv];
  while (args[0]?.startsWith('--')) {
    const flag = args.shift();
    if (flag === '--') break;
    if (flag === '--timeout') {
      timeoutSeconds = Number(args.shift());
      if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
        process.stderr.write('kernel lab: --timeout needs a number of seconds\n');
        return 2;
      }
    } else {
      process.stderr.write(`kernel lab: unknown option ${flag}\nusage: run.ts [--timeout SECONDS] [--] COMMAND [ARG...]\n`);
      return 2;
    }
  }
  if (args.length === 0) {
    process.stderr.write('usage: run.ts [--timeout SECONDS] [--] COMMAND [ARG...]\n');
    return 2;
  }
  try {
    const result = await runInLab({ command: args, timeoutSeconds });
    if (process.env.NODESWAN_LAB_TIMINGS) {
      process.stderr.write(
        `kernel lab: boot ${result.bootSeconds?.toFixed(1) ?? '?'} s, total ${result.totalSeconds.toFixed(1)} s, status ${result.status}\n`,
      );
    }
    return result.status;
  } catch (error) {
    if (error instanceof LabSetupError) {
      process.stderr.write(`${error.message}\n`);
      return labFailure;
    }
    throw error;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
