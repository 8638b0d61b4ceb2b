// sd_notify for Type=notify units. Node has no AF_UNIX datagram sockets, so
// we run systemd's own `systemd-notify` tool. It waits until the service
// manager has processed the message (its default, synchronous mode), which
// avoids the race where a short-lived helper's message cannot be attributed
// to the unit. Run as root it sends with the daemon's pid as the sender, so
// NotifyAccess=main suffices; NotifyAccess=all is the setting that also
// works when it cannot (documented in docs/operations.md).

import { spawn } from 'node:child_process';

export type Notifier = (...assignments: string[]) => Promise<void>;

export interface NotifyOptions {
  env?: NodeJS.ProcessEnv;
  /** The tool to run; overridable for tests. */
  command?: string;
  onError?: (message: string) => void;
}

/** A notifier that does nothing unless NOTIFY_SOCKET is set. */
export function createSystemdNotifier(options: NotifyOptions = {}): Notifier {
  const env = options.env ?? process.env;
  const socket = env['NOTIFY_SOCKET'];
  if (!socket) return async () => {};
  const command = options.command ?? 'systemd-notify';
  return (...assignments: string[]) =>
    new Promise<void>((resolve) => {
      const child = spawn(command, assignments, {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...env, NOTIFY_SOCKET: socket },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('error', (err) => {
        options.onError?.(`cannot run ${command}: ${err.message}`);
        resolve();
      });
      child.once('exit', (code) => {
        if (code !== 0) options.onError?.(`${command} ${assignments.join(' ')} exited ${code}: ${stderr.trim()}`);
        resolve();
      });
    });
}
