// The production pieces: the ipsec.conf loader, the xfrm kernel backend and
// the engine. The engine is a placeholder until the IKE core (src/ike)
// provides one: the daemon then refuses to start with a message that says
// exactly that. The IKE core replaces createDefaultEngine's body.

import type { KernelBackend } from '../kernel/backend.js';
import type { EngineContext } from './daemon.js';
import type { Engine } from './engine.js';

export { loadIpsecConfig as loadDefaultConfig } from './ipsec-config-loader.js';

export function createDefaultEngine(_ctx: EngineContext, _kernel: KernelBackend): Engine {
  throw Object.assign(new Error('the IKE engine is not built into this nodeswan yet'), { code: 'ENGINE_UNAVAILABLE' });
}
