// Loads nodeswan's own N-API addon (native/, built by `npm ci` through the
// package's install script). It exposes only the socket calls Node lacks;
// see native/nodeswan-native.c.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeSockets {
  /** Opens, binds and connects an AF_NETLINK socket; returns [fd, portid]. */
  netlinkOpen(protocol: number, rcvbufBytes: number): [number, number];
  netlinkSend(fd: number, data: Uint8Array): number;
  /** Calls back with all pending datagrams concatenated, or with an errno error. */
  netlinkWatch(fd: number, callback: (err: NativeError | null, data: Buffer | null) => void): void;
  netlinkClose(fd: number): void;
  setsockopt(fd: number, level: number, name: number, value: number | Uint8Array): void;
}

/** Errors from the addon: `code` is the errno name, `errno` its number. */
export interface NativeError extends Error {
  code: string;
  errno: number;
}

const ADDON = join('native', 'build', 'Release', 'nodeswan_native.node');

/** Walks up from this file (src/ or dist/) to the package root holding native/. */
function findAddon(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, ADDON);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) {
      throw Object.assign(
        new Error(
          `nodeswan native addon not built (${ADDON} missing): run \`npm ci\` or \`npm run install\` (needs python3, make, a C compiler)`,
        ),
        { code: 'NATIVE_ADDON_MISSING' },
      );
    }
    dir = parent;
  }
}

/** Loads the addon (Node's require cache makes repeated calls cheap). */
export function loadNative(): NativeSockets {
  const require = createRequire(import.meta.url);
  return require(findAddon()) as NativeSockets;
}

/**
 * The OS file descriptor of a bound Node dgram socket. Node has no public
 * API for it; on Linux the libuv UDP handle exposes `fd`. We read the handle
 * from the socket's internal state (the `_handle` getter says the same but
 * prints a deprecation warning, DEP0112), falling back to `_handle`.
 * Covered by tests: bypassSocket/enableUdpEncap fail loudly if this breaks.
 */
export function socketFd(socket: object): number {
  const stateSymbol = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const state = stateSymbol ? (socket as Record<symbol, { handle?: { fd?: unknown } } | undefined>)[stateSymbol] : undefined;
  const fd = state?.handle?.fd ?? (socket as { _handle?: { fd?: unknown } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) {
    throw Object.assign(new Error('socket has no file descriptor yet: bind it before passing it to the kernel backend'), {
      code: 'SOCKET_NOT_BOUND',
    });
  }
  return fd;
}
