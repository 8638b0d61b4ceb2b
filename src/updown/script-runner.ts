// Runs one updown command line the way strongSwan does: `/bin/sh -c
// "<leftupdown>"` with only PATH and the PLUTO_* variables in the
// environment, stdout and stderr merged into the log. Bounded in time (a
// hanging script is killed with its whole process group) and in the output
// kept (a chatty script cannot fill the daemon's memory).

import { spawn } from 'node:child_process';

export interface ScriptResult {
  /** Exit code, or undefined when killed by a signal. */
  code?: number;
  signal?: string;
  timedOut: boolean;
  /** Output lines kept (stdout and stderr as they came), at most maxLines. */
  lines: string[];
  /** Lines beyond maxLines that were dropped. */
  droppedLines: number;
  /** The shell could not be started at all. */
  spawnError?: string;
}

export interface ScriptOptions {
  timeoutMs: number;
  maxLines?: number;
  maxLineLength?: number;
  shell?: string;
}

const DEFAULT_MAX_LINES = 50;
const DEFAULT_MAX_LINE_LENGTH = 500;

export function runScript(command: string, env: Record<string, string>, options: ScriptOptions): Promise<ScriptResult> {
  const maxLines = options.maxLines ?? DEFAULT_MAX_LINES;
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  return new Promise((resolve) => {
    const lines: string[] = [];
    let dropped = 0;
    let partial = '';
    const take = (text: string) => {
      const parts = (partial + text).split('\n');
      partial = parts.pop() ?? '';
      if (partial.length > maxLineLength) partial = partial.slice(0, maxLineLength);
      for (const line of parts) keep(line);
    };
    const keep = (line: string) => {
      if (lines.length < maxLines) lines.push(line.length > maxLineLength ? `${line.slice(0, maxLineLength)}...` : line);
      else dropped++;
    };
    let child;
    try {
      // Its own process group, so a timeout can kill whatever the script started.
      // stderr joins stdout in the shell itself, so the lines keep their order.
      child = spawn(options.shell ?? '/bin/sh', ['-c', `exec 2>&1\n${command}`], { env, stdio: ['ignore', 'pipe', 'ignore'], detached: true });
    } catch (err) {
      resolve({ timedOut: false, lines, droppedLines: 0, spawnError: (err as Error).message });
      return;
    }
    let timedOut = false;
    let settled = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', take);
    const finish = (result: Omit<ScriptResult, 'lines' | 'droppedLines' | 'timedOut'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (partial) keep(partial);
      partial = '';
      resolve({ ...result, timedOut, lines, droppedLines: dropped });
    };
    child.on('error', (err) => finish({ spawnError: err.message }));
    // 'close' waits for stdio; a script that leaves a background job holding
    // them open must not keep us waiting: after exit, give the pipes a moment.
    child.on('exit', (code, signal) => {
      const result = code === null ? { signal: signal ?? 'unknown' } : { code };
      const grace = setTimeout(() => {
        child.stdout.destroy();
        finish(result);
      }, 100);
      child.on('close', () => {
        clearTimeout(grace);
        finish(result);
      });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
