// The control protocol between `ipsec` and the daemon: newline-delimited
// JSON over a unix stream socket, one request line answered by one response
// line. Every message carries the protocol version; a peer speaking another
// version gets a VERSION_MISMATCH error it can show as is.
//
//   request:  {"v":1,"id":7,"cmd":"up","args":{"conn":"office"}}
//   response: {"v":1,"id":7,"ok":true,"result":{...}}
//             {"v":1,"id":7,"ok":false,"error":{"code":"...","message":"..."}}

import type { ReloadReport, RouteResult, StatusSnapshot, UpResult } from '../daemon/engine.js';

export const PROTOCOL_VERSION = 1;

/** Longest accepted line; a request is tiny, a status reply can be large. */
export const MAX_REQUEST_BYTES = 64 * 1024;
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface DaemonInfo {
  pid: number;
  version: string;
  startedAt: string;
  protocol: number;
}

export interface ReloadResult {
  report: ReloadReport;
  /** Non-fatal diagnostics from the new config (warnings). */
  warnings: string[];
}

export interface RekeyResult {
  conn: string;
  ike: boolean;
  /** How many SAs (CHILD SAs, or IKE SAs with ike) a rekey was started for. */
  started: number;
}

export interface RereadSecretsResult {
  /** Entries read from ipsec.secrets. */
  secrets: number;
  /** Non-fatal diagnostics (warnings). */
  warnings: string[];
}

/** Each command: its arguments and its result. */
export interface ControlCommands {
  ping: { args: Record<string, never>; result: DaemonInfo };
  status: { args: { conn?: string }; result: StatusSnapshot };
  up: { args: { conn: string }; result: UpResult };
  down: { args: { conn: string }; result: { conn: string } };
  /** Install (route) or remove (unroute) the conn's trap policies. */
  route: { args: { conn: string }; result: RouteResult };
  unroute: { args: { conn: string }; result: RouteResult };
  /** Start a rekey of the conn's CHILD SAs (or, with ike, its IKE SA) now; answered once the requests are out. */
  rekey: { args: { conn: string; ike?: boolean }; result: RekeyResult };
  reload: { args: Record<string, never>; result: ReloadResult };
  /** Re-read ipsec.secrets only; no SA is touched. */
  rereadsecrets: { args: Record<string, never>; result: RereadSecretsResult };
  /** Answered once the engine has shut down; the process exits right after. */
  shutdown: { args: Record<string, never>; result: { pid: number } };
}

export type CommandName = keyof ControlCommands;
export const COMMAND_NAMES: readonly CommandName[] = ['ping', 'status', 'up', 'down', 'route', 'unroute', 'rekey', 'reload', 'rereadsecrets', 'shutdown'];

export interface ControlRequest<C extends CommandName = CommandName> {
  v: number;
  id: number;
  cmd: C;
  args: ControlCommands[C]['args'];
}

export interface ControlErrorBody {
  code: string;
  message: string;
  /** Extra lines (e.g. every config diagnostic of a refused reload). */
  details?: string[];
}

/**
 * Progress sent before the response of a long request (`up`, `down`): one
 * log line of the daemon about that connection. Same id as the request,
 * no `ok` field.
 */
export interface ControlEvent {
  v: number;
  id: number;
  event: 'log';
  line: string;
}

export type ControlResponse<C extends CommandName = CommandName> =
  | { v: number; id: number; ok: true; result: ControlCommands[C]['result'] }
  | { v: number; id: number; ok: false; error: ControlErrorBody };

/** Stable codes carried by ControlError and by error responses. */
export type ControlErrorCode =
  | 'VERSION_MISMATCH'
  | 'BAD_REQUEST'
  | 'UNKNOWN_COMMAND'
  | 'REQUEST_TOO_LARGE'
  | 'NOT_RUNNING'
  | 'PERMISSION_DENIED'
  | 'CONNECTION_LOST'
  | 'UNSAFE_PATH'
  | 'ALREADY_RUNNING'
  | 'SHUTTING_DOWN'
  | 'STARTING'
  | 'CONFIG_INVALID'
  | 'UNKNOWN_CONN'
  | 'UP_FAILED'
  | 'INTERNAL';

export class ControlError extends Error {
  constructor(
    readonly code: ControlErrorCode | string,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'ControlError';
  }

  toBody(): ControlErrorBody {
    return this.details.length > 0
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates one decoded request line. Throws ControlError with the id (when
 * it could be read) so the server can answer it.
 */
export function parseRequest(value: unknown): ControlRequest {
  if (!isObject(value)) throw new ControlError('BAD_REQUEST', 'request is not a JSON object');
  const { v, id, cmd, args } = value;
  if (v !== PROTOCOL_VERSION) {
    throw new ControlError(
      'VERSION_MISMATCH',
      `control protocol version ${JSON.stringify(v)} is not supported by this daemon (it speaks version ${PROTOCOL_VERSION}); use the ipsec command of the same nodeswan release`,
    );
  }
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw new ControlError('BAD_REQUEST', "'id' must be an integer");
  if (typeof cmd !== 'string') throw new ControlError('BAD_REQUEST', "'cmd' must be a string");
  if (!(COMMAND_NAMES as readonly string[]).includes(cmd)) {
    throw new ControlError('UNKNOWN_COMMAND', `unknown command '${cmd}' (known: ${COMMAND_NAMES.join(', ')})`);
  }
  const a = args ?? {};
  if (!isObject(a)) throw new ControlError('BAD_REQUEST', "'args' must be an object");
  if (cmd === 'up' || cmd === 'down' || cmd === 'rekey' || cmd === 'route' || cmd === 'unroute') {
    if (typeof a['conn'] !== 'string' || a['conn'] === '') {
      throw new ControlError('BAD_REQUEST', `'${cmd}' needs args.conn, the connection name`);
    }
  }
  if (cmd === 'rekey' && a['ike'] !== undefined && typeof a['ike'] !== 'boolean') {
    throw new ControlError('BAD_REQUEST', "'rekey' args.ike must be a boolean");
  }
  if (cmd === 'status' && a['conn'] !== undefined && typeof a['conn'] !== 'string') {
    throw new ControlError('BAD_REQUEST', "'status' args.conn must be a string");
  }
  return { v, id, cmd: cmd as CommandName, args: a as ControlRequest['args'] };
}
