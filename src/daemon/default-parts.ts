// The production config loader and engine. Both are placeholders until the
// config layer (src/config) and the IKE core (src/ike) export theirs: the
// daemon then refuses to start with a message that says exactly that.

import { ConfigLoadError, type LoadedConfig } from './config-source.js';
import type { EngineContext } from './daemon.js';
import type { Engine } from './engine.js';
import type { DaemonPaths } from './paths.js';

export async function loadDefaultConfig(paths: DaemonPaths): Promise<LoadedConfig> {
  throw new ConfigLoadError(`cannot load ${paths.configFile}: the config layer is not wired into the daemon yet`);
}

export function createDefaultEngine(_ctx: EngineContext): Engine {
  throw Object.assign(new Error('the IKE engine is not built into this nodeswan yet'), { code: 'ENGINE_UNAVAILABLE' });
}
