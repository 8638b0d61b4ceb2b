// The daemon side of the control socket: accepts connections, reads request
// lines, dispatches each to its handler and writes the response line. Lines
// of one connection are answered in order. Handlers throw ControlError for
// expected failures; anything else becomes INTERNAL with its message.

import { type Server, type Socket, createServer } from 'node:net';
import type { SubsystemLogger } from '../log/logger.js';
import { LineReader } from './line-reader.js';
import {
  type CommandName,
  type ControlCommands,
  ControlError,
  type ControlEvent,
  type ControlResponse,
  MAX_REQUEST_BYTES,
  PROTOCOL_VERSION,
  parseRequest,
} from './protocol.js';
import { bindWithMode0600, clearSocketPath, removeOwnSocket } from './secure-path.js';

/** Lets a handler stream progress lines to the requesting client. */
export interface RequestContext {
  progress(line: string): void;
}

export type ControlHandlers = {
  [C in CommandName]: (args: ControlCommands[C]['args'], ctx: RequestContext) => Promise<ControlCommands[C]['result']>;
};

export interface ControlServerOptions {
  path: string;
  /** Also let this group use the socket (mode 0660); default root only (0600). */
  gid?: number;
  handlers: ControlHandlers;
  log?: SubsystemLogger;
}

export class ControlServer {
  private server: Server | undefined;
  private ino = -1;
  private readonly connections = new Set<Socket>();
  private readonly pendingWrites = new Set<Promise<void>>();

  constructor(private readonly options: ControlServerOptions) {}

  /** Checks the path (stale/live/unsafe), binds 0600, starts accepting. */
  async listen(): Promise<void> {
    const { path } = this.options;
    await clearSocketPath(path);
    const server = createServer((socket) => this.accept(socket));
    const listening = new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    const { ino } = bindWithMode0600(path, () => server.listen({ path, exclusive: true }), this.options.gid);
    await listening;
    this.server = server;
    this.ino = ino;
    this.options.log?.debug('control socket listening', { path });
  }

  /** Stops accepting; open connections finish their current request. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    removeOwnSocket(this.options.path, this.ino);
  }

  /** Stops accepting without waiting for open connections (used at exit). */
  stopAccepting(): void {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.close();
    removeOwnSocket(this.options.path, this.ino);
  }

  /**
   * Resolves once every response written so far has been handed to the
   * kernel. A stopping daemon awaits this and then exits, so the client of
   * `ipsec stop` gets its answer and then sees the connection end exactly
   * when the process is gone.
   */
  async flushed(): Promise<void> {
    await Promise.all([...this.pendingWrites]);
  }

  private accept(socket: Socket): void {
    this.connections.add(socket);
    const reader = new LineReader(MAX_REQUEST_BYTES);
    let queue = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      let lines: string[];
      try {
        lines = reader.push(chunk);
      } catch {
        this.write(socket, { v: PROTOCOL_VERSION, id: 0, ok: false, error: { code: 'REQUEST_TOO_LARGE', message: `request longer than ${MAX_REQUEST_BYTES} bytes` } });
        socket.end();
        return;
      }
      for (const line of lines) {
        if (line.trim() === '') continue;
        queue = queue.then(() => this.answer(socket, line));
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.connections.delete(socket));
  }

  private async answer(socket: Socket, line: string): Promise<void> {
    let id = 0;
    try {
      let decoded: unknown;
      try {
        decoded = JSON.parse(line);
      } catch {
        throw new ControlError('BAD_REQUEST', 'request is not valid JSON');
      }
      const maybeId = (decoded as { id?: unknown } | null)?.id;
      if (typeof maybeId === 'number' && Number.isSafeInteger(maybeId)) id = maybeId;
      const request = parseRequest(decoded);
      this.options.log?.debug('control request', { cmd: request.cmd, id });
      const handler = this.options.handlers[request.cmd] as (args: unknown, ctx: RequestContext) => Promise<unknown>;
      const requestId = id;
      const ctx: RequestContext = {
        progress: (line) => this.write(socket, { v: PROTOCOL_VERSION, id: requestId, event: 'log', line }),
      };
      const result = await handler(request.args, ctx);
      this.write(socket, { v: PROTOCOL_VERSION, id, ok: true, result } as ControlResponse);
    } catch (err) {
      const error =
        err instanceof ControlError
          ? err.toBody()
          : { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
      if (!(err instanceof ControlError)) this.options.log?.error('control handler failed', { error: err });
      this.write(socket, { v: PROTOCOL_VERSION, id, ok: false, error });
    }
  }

  private write(socket: Socket, response: ControlResponse | ControlEvent): void {
    if (socket.destroyed || !socket.writable) return;
    const done = new Promise<void>((resolve) => socket.write(`${JSON.stringify(response)}\n`, () => resolve()));
    this.pendingWrites.add(done);
    void done.then(() => this.pendingWrites.delete(done));
  }
}
