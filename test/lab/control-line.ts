// Talking to a lab daemon's control socket from the test process itself,
// without starting an `ipsec` process (each costs seconds of the lab's one
// emulated CPU): one request line, one answer line, the same protocol the
// CLI speaks (src/control/protocol.ts). The connection is opened first, so
// requests to two daemons can be written in the same instant.

import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import type { StatusSnapshot } from '../../src/daemon/engine.js';
import { SOCKET_NAME } from '../../src/daemon/paths.js';
import type { NodeswanDaemon } from './nodeswan.js';

export interface ControlAnswer<R> {
  ok: boolean;
  result?: R;
  error?: { code: string; message: string };
}

export class ControlLine {
  private buffer = '';
  private waiting?: (line: string) => void;
  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffer += chunk;
      for (let end = this.buffer.indexOf('\n'); end >= 0 && this.waiting; end = this.buffer.indexOf('\n')) {
        const line = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 1);
        // Progress events (log lines) come before the answer: skip them.
        if (line.includes('"event":')) continue;
        const resolve = this.waiting;
        this.waiting = undefined;
        resolve(line);
      }
    });
  }

  static open(daemon: NodeswanDaemon): Promise<ControlLine> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(join(daemon.paths.rundir, SOCKET_NAME));
      socket.once('connect', () => resolve(new ControlLine(socket)));
      socket.once('error', reject);
    });
  }

  /** Writes the request now (synchronously); resolves with the parsed answer. */
  send<R>(cmd: string, args: Record<string, unknown>): Promise<ControlAnswer<R>> {
    const answer = new Promise<string>((resolve) => (this.waiting = resolve));
    this.socket.write(`${JSON.stringify({ v: 1, id: 1, cmd, args })}\n`);
    return answer.then((line) => JSON.parse(line) as ControlAnswer<R>);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** One request on a fresh connection. */
export async function control<R>(daemon: NodeswanDaemon, cmd: string, args: Record<string, unknown>): Promise<ControlAnswer<R>> {
  const line = await ControlLine.open(daemon);
  try {
    return await line.send<R>(cmd, args);
  } finally {
    line.close();
  }
}

/** What `ipsec status --json [conn]` prints. */
export async function statusOf(daemon: NodeswanDaemon, conn?: string): Promise<StatusSnapshot> {
  const answer = await control<StatusSnapshot>(daemon, 'status', conn ? { conn } : {});
  if (!answer.ok || !answer.result) throw new Error(`status in ${daemon.ns}: ${JSON.stringify(answer)}`);
  return answer.result;
}
