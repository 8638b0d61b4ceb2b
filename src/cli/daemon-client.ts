import { ControlClient } from '../control/client.js';
import type { DaemonPaths } from '../daemon/paths.js';

export function daemonClient(paths: DaemonPaths): ControlClient {
  return new ControlClient({ path: paths.socketPath });
}
