// The production pieces: the ipsec.conf loader and the IKE engine on the
// given kernel backend.

import { IkeEngine } from '../ike/engine.js';
import type { KernelBackend } from '../kernel/backend.js';
import type { EngineContext } from './daemon.js';
import type { Engine } from './engine.js';
import { nodeswanVersion } from './version.js';
import { UpdownRunner } from '../updown/updown-runner.js';
import { NftFirewall } from '../updown/nft-firewall.js';

export { loadIpsecConfig as loadDefaultConfig } from './ipsec-config-loader.js';

export function createDefaultEngine(ctx: EngineContext, kernel: KernelBackend): Engine {
  return new IkeEngine({
    transport: ctx.transport,
    kernel,
    logger: ctx.log,
    version: nodeswanVersion(),
    ipsecDir: ctx.paths.ipsecDir,
    updown: new UpdownRunner({ logger: ctx.log, firewall: new NftFirewall(), resetFirewallAtStart: true }),
  });
}
