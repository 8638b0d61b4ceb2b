// How `ipsec start` learns that the daemon it forked is ready (or why it
// failed): the parent passes the write end of a pipe as an extra file
// descriptor and names it in NODESWAN_READY_FD; the daemon writes one line,
// `READY <pid>` or `ERROR <message>`, and closes it. EOF without a line
// means the daemon died before it could say anything.

import { closeSync, writeSync } from 'node:fs';

export const READY_FD_ENV = 'NODESWAN_READY_FD';

export class ReadinessPipe {
  private constructor(private fd: number | undefined) {}

  /** Takes the fd from the environment (and removes the variable, so children do not inherit it). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): ReadinessPipe {
    const text = env[READY_FD_ENV];
    delete env[READY_FD_ENV];
    const fd = text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
    return new ReadinessPipe(fd);
  }

  ready(pid: number): void {
    this.send(`READY ${pid}`);
  }

  failed(message: string): void {
    this.send(`ERROR ${message.replace(/\n/g, ' | ')}`);
  }

  private send(line: string): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      writeSync(fd, `${line}\n`);
      closeSync(fd);
    } catch {
      // the parent went away; nothing to tell
    }
  }
}

export type ReadinessOutcome = { ready: true; pid: number } | { ready: false; error: string };

/** Parses what the daemon wrote on the pipe (everything up to EOF). */
export function parseReadiness(text: string): ReadinessOutcome {
  const line = text.split('\n')[0] ?? '';
  const ready = /^READY (\d+)$/.exec(line);
  if (ready) return { ready: true, pid: Number(ready[1]) };
  if (line.startsWith('ERROR ')) return { ready: false, error: line.slice(6) };
  return { ready: false, error: 'the daemon exited before it was ready' };
}
