// Running programs inside a network namespace of the kernel lab.
// Everything goes through `ip netns exec NS ...` (one process per call,
// ~0.15 s inside the TCG guest), so batch work into one call where possible.

import { spawn, type ChildProcess } from 'node:child_process';

export class LabCommandError extends Error {
  readonly code = 'LAB_COMMAND_FAILED';
  constructor(
    readonly command: string[],
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(
      `\`${command.join(' ')}\` failed (${exitCode === null ? 'killed' : `exit ${exitCode}`})` +
        (stderr.trim() ? `: ${stderr.trim()}` : stdout.trim() ? `: ${stdout.trim()}` : ''),
    );
  }
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's stdin, which is then closed. */
  input?: string;
  /** Resolve with the exit code instead of throwing when it is not 0. */
  allowFailure?: boolean;
  /** Kills the command after this long (default 60 s). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs a command to completion; throws LabCommandError unless it exits 0 (or allowFailure). */
export function run(command: string[], options: RunOptions = {}): Promise<RunResult> {
  const [file, ...args] = command;
  if (!file) throw new Error('run: empty command');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0 || (options.allowFailure && code !== null)) resolve({ exitCode: code ?? -1, stdout, stderr });
      else reject(new LabCommandError(command, code, stdout, stderr));
    });
    child.stdin.on('error', () => {}); // the command may exit without reading its input
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a command inside a namespace. */
export function runIn(ns: string, command: string[], options: RunOptions = {}): Promise<RunResult> {
  return run(['ip', 'netns', 'exec', ns, ...command], options);
}

/** Runs a shell script inside a namespace (one process for many small steps). */
export function shIn(ns: string, script: string, options: RunOptions = {}): Promise<RunResult> {
  return runIn(ns, ['sh', '-ec', script], options);
}

/** Feeds lines to `ip -batch -` (in a namespace, or the current one if ns is undefined). */
export function ipBatch(ns: string | undefined, lines: string[]): Promise<RunResult> {
  return run(['ip', ...(ns ? ['-n', ns] : []), '-batch', '-'], { input: lines.join('\n') + '\n' });
}

/** Starts a long-running command in a namespace; the caller stops it. */
export function spawnIn(ns: string, command: string[], env?: NodeJS.ProcessEnv): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, ...command], { stdio: ['pipe', 'pipe', 'pipe'], env: env ?? process.env });
}

/** Resolves when the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Stops a child: SIGTERM, then SIGKILL if it lingers. */
export async function stop(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

/** Resolves with the first stream line matching `pattern`; rejects if the child exits first or time runs out. */
export function waitForLine(
  child: ChildProcess,
  stream: 'stdout' | 'stderr',
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<string> {
  const source = child[stream];
  if (!source) return Promise.reject(new Error(`waitForLine: child has no ${stream}`));
  return new Promise((resolve, reject) => {
    let pending = '';
    let seen = '';
    const cleanup = (): void => {
      clearTimeout(timer);
      source.off('data', onData);
      child.off('exit', onExit);
    };
    const onData = (chunk: Buffer | string): void => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        seen += line + '\n';
        if (pattern.test(line)) {
          cleanup();
          resolve(line);
          return;
        }
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`process exited (${code}) before printing ${pattern}; ${stream} was:\n${seen}${pending}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; ${stream} was:\n${seen}${pending}`));
    }, timeoutMs);
    source.on('data', onData);
    child.on('exit', onExit);
  });
}
