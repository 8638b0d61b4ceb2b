import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSystemdNotifier } from '../../src/daemon/systemd-notify.js';

// The real sd_notify path (systemd-notify + a datagram socket) is covered in
// test/cli/daemon-foreground.test.ts; these pin the no-systemd and failure cases.
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nodeswan-notify-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('createSystemdNotifier', () => {
  it('does nothing without NOTIFY_SOCKET', async () => {
    const tool = join(dir, 'tool');
    writeFileSync(tool, `#!/bin/sh\necho "$@" >> ${join(dir, 'calls')}\n`);
    chmodSync(tool, 0o755);
    await createSystemdNotifier({ env: {}, command: tool })('READY=1');
    expect(() => readFileSync(join(dir, 'calls'))).toThrow();
    await createSystemdNotifier({ env: { NOTIFY_SOCKET: '/x' }, command: tool })('READY=1', 'STATUS=ok');
    expect(readFileSync(join(dir, 'calls'), 'utf8')).toBe('READY=1 STATUS=ok\n');
  });

  it('reports a missing or failing tool instead of throwing', async () => {
    const errors: string[] = [];
    await createSystemdNotifier({ env: { NOTIFY_SOCKET: '/x' }, command: join(dir, 'missing'), onError: (m) => errors.push(m) })('READY=1');
    const failing = join(dir, 'failing');
    writeFileSync(failing, '#!/bin/sh\necho "no socket" >&2\nexit 1\n');
    chmodSync(failing, 0o755);
    await createSystemdNotifier({ env: { NOTIFY_SOCKET: '/x' }, command: failing, onError: (m) => errors.push(m) })('STOPPING=1');
    expect(errors[0]).toMatch(/^cannot run .*missing: spawn .*ENOENT/);
    expect(errors[1]).toMatch(/failing STOPPING=1 exited 1: no socket$/);
  });
});
