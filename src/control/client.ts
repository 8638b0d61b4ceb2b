// The CLI side of the control socket: one connection per request. Turns
// socket errors into the operator-facing messages ("not running",
// "root-only") and checks the daemon's protocol version.

import { type Socket, createConnection } from 'node:net';
import { LineReader } from './line-reader.js';
import {
  type CommandName,
  type ControlCommands,
  ControlError,
  type ControlEvent,
  type ControlResponse,
  MAX_RESPONSE_BYTES,
  PROTOCOL_VERSION,
} from './protocol.js';

export interface ControlClientOptions {
  path: string;
  /** Give up waiting for a response after this long (default: no limit). */
  timeoutMs?: number;
}

function connectError(path: string, err: NodeJS.ErrnoException): ControlError {
  switch (err.code) {
    case 'ENOENT':
    case 'ECONNREFUSED':
      return new ControlError('NOT_RUNNING', `nodeswan is not running (no daemon on ${path})`);
    case 'EACCES':
    case 'EPERM':
      return new ControlError('PERMISSION_DENIED', `permission denied on ${path}: the control socket is root-only`);
    default:
      return new ControlError('CONNECTION_LOST', `control socket ${path}: ${err.message}`);
  }
}

export class ControlClient {
  private nextId = 1;

  constructor(private readonly options: ControlClientOptions) {}

  /** `onProgress` receives the daemon's log lines about the request while it runs. */
  async request<C extends CommandName>(
    cmd: C,
    args: ControlCommands[C]['args'],
    onProgress?: (line: string) => void,
  ): Promise<ControlCommands[C]['result']> {
    const { result, socket } = await this.exchange(cmd, args, onProgress);
    socket.destroy();
    return result;
  }

  /**
   * Sends `shutdown` and resolves once the daemon has answered AND its
   * process has exited (the daemon keeps this connection open until it
   * exits, so the end of the stream marks the exit).
   */
  async shutdownAndWait(): Promise<ControlCommands['shutdown']['result']> {
    const { result, socket, ended } = await this.exchange('shutdown', {});
    await ended;
    socket.destroy();
    return result;
  }

  private exchange<C extends CommandName>(
    cmd: C,
    args: ControlCommands[C]['args'],
    onProgress?: (line: string) => void,
  ): Promise<{ result: ControlCommands[C]['result']; socket: Socket; ended: Promise<void> }> {
    const { path, timeoutMs } = this.options;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      const reader = new LineReader(MAX_RESPONSE_BYTES);
      let answered = false;
      let resolveEnded: () => void = () => {};
      const ended = new Promise<void>((r) => (resolveEnded = r));
      const timer =
        timeoutMs !== undefined
          ? setTimeout(() => {
              socket.destroy();
              reject(new ControlError('CONNECTION_LOST', `no answer to '${cmd}' within ${timeoutMs} ms`));
            }, timeoutMs)
          : undefined;
      const fail = (e: ControlError) => {
        if (timer) clearTimeout(timer);
        socket.destroy();
        reject(e);
      };
      socket.once('connect', () => {
        socket.write(`${JSON.stringify({ v: PROTOCOL_VERSION, id, cmd, args })}\n`);
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        if (!answered) fail(connectError(path, err));
        resolveEnded();
      });
      socket.on('close', () => {
        resolveEnded();
        if (!answered) fail(new ControlError('CONNECTION_LOST', `the daemon closed the control connection before answering '${cmd}'`));
      });
      socket.on('data', (chunk: Buffer) => {
        if (answered) return;
        let lines: string[];
        try {
          lines = reader.push(chunk);
        } catch {
          fail(new ControlError('CONNECTION_LOST', 'response too large'));
          return;
        }
        for (const line of lines) {
          if (answered) return;
          let response: ControlResponse<C> | ControlEvent;
          try {
            response = JSON.parse(line) as ControlResponse<C> | ControlEvent;
          } catch {
            answered = true;
            if (timer) clearTimeout(timer);
            socket.destroy();
            reject(new ControlError('CONNECTION_LOST', 'the daemon sent a response that is not JSON'));
            return;
          }
          if ('event' in response && response.v === PROTOCOL_VERSION) {
            onProgress?.(response.line);
            continue;
          }
          answered = true;
          if (timer) clearTimeout(timer);
          settle(response as ControlResponse<C>);
        }
      });
      const settle = (response: ControlResponse<C>) => {
        if (response.v !== PROTOCOL_VERSION) {
          socket.destroy();
          reject(
            new ControlError(
              'VERSION_MISMATCH',
              `the daemon speaks control protocol version ${JSON.stringify(response.v)}, this ipsec command speaks ${PROTOCOL_VERSION}; restart the daemon after an upgrade`,
            ),
          );
          return;
        }
        if (!response.ok) {
          socket.destroy();
          reject(new ControlError(response.error.code, response.error.message, response.error.details ?? []));
          return;
        }
        resolve({ result: response.result, socket, ended });
      };
    });
  }
}
