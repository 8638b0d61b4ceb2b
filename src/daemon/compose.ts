// The composition root: the only place that picks concrete classes. A
// DaemonComposition says how to load config, build the transport and build
// the engine; `productionComposition()` is what `ipsec start` uses, and
// tests pass their own (a test engine) through the same start command.

import type { Socket } from 'node:dgram';
import type { Logger } from '../log/logger.js';
import { type SocketHook, UdpTransport } from '../net/udp-transport.js';
import type { DatagramTransport } from '../net/transport.js';
import type { ConfigLoader, SecretsLoader } from './config-source.js';
import { loadIpsecSecrets } from './ipsec-config-loader.js';
import type { DaemonDeps, EngineContext, TransportContext } from './daemon.js';
import type { DaemonPaths } from './paths.js';
import type { KernelBackend } from '../kernel/backend.js';
import { MemoryBackend } from '../kernel/memory/backend.js';
import { XfrmBackend } from '../kernel/xfrm/backend.js';
import { createDefaultEngine, loadDefaultConfig } from './default-parts.js';
import type { Notifier } from './systemd-notify.js';
import type { Engine } from './engine.js';

export interface DaemonComposition {
  loadConfig: ConfigLoader;
  loadSecrets?: SecretsLoader;
  createTransport(ctx: TransportContext): DatagramTransport;
  createEngine(ctx: EngineContext): Engine | Promise<Engine>;
  onStopped?: () => Promise<void>;
}

/** The kernel backend's part of socket setup, as a transport socket hook. */
export function kernelSocketHook(kernel: {
  bypassSocket(socket: Socket): Promise<void>;
  enableUdpEncap(socket: Socket): Promise<void>;
}): SocketHook {
  return async (socket, info) => {
    await kernel.bypassSocket(socket);
    if (info.role === 'natt') await kernel.enableUdpEncap(socket);
  };
}

/**
 * The kernel backend named by NODESWAN_KERNEL: `xfrm` (default, the Linux
 * kernel) or `memory` (SAs and policies kept in the daemon's own memory,
 * nothing reaches the kernel: for benchmarks of the IKE side on a host
 * without ESP, see docs/performance.md). Anything else is refused.
 */
export function kernelFromEnv(env: NodeJS.ProcessEnv = process.env): KernelBackend {
  const name = env['NODESWAN_KERNEL'] ?? 'xfrm';
  if (name === 'xfrm') return new XfrmBackend();
  if (name === 'memory') return new MemoryBackend();
  throw new Error(`NODESWAN_KERNEL=${name}: expected 'xfrm' or 'memory'`);
}

/**
 * ipsec.conf + xfrm + UDP 500/4500. One kernel backend serves the socket
 * hook and the engine; state a crashed predecessor left in the kernel is
 * flushed before the engine starts, and again after it stopped (a safety
 * net: the engine deletes its SAs itself).
 */
export function productionComposition(): DaemonComposition {
  let kernel: KernelBackend | undefined;
  const kernelOnce = () => (kernel ??= kernelFromEnv());
  return {
    loadConfig: loadDefaultConfig,
    loadSecrets: loadIpsecSecrets,
    createTransport: ({ log, config }) =>
      new UdpTransport({ addresses: config.listen ?? [], log: log.for('net'), socketHook: kernelSocketHook(kernelOnce()) }),
    createEngine: async (ctx) => {
      const k = kernelOnce();
      const removed = await k.flush();
      if (removed.sas + removed.policies + removed.routes > 0) {
        ctx.log.for('knl').info('removed kernel state left by a previous nodeswan', { ...removed });
      }
      return createDefaultEngine(ctx, k);
    },
    onStopped: async () => {
      if (!kernel) return;
      await kernel.flush();
      await kernel.close();
    },
  };
}

export function daemonDeps(
  composition: DaemonComposition,
  paths: DaemonPaths,
  log: Logger,
  notify: Notifier,
  version: string,
): DaemonDeps {
  return {
    paths,
    log,
    notify,
    version,
    loadConfig: composition.loadConfig,
    ...(composition.loadSecrets ? { loadSecrets: composition.loadSecrets } : {}),
    createTransport: (ctx) => composition.createTransport(ctx),
    createEngine: (ctx) => composition.createEngine(ctx),
    ...(composition.onStopped ? { onStopped: composition.onStopped } : {}),
  };
}
