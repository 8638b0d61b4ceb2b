import { mkdtempSync, readFileSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runScript } from '../../src/updown/script-runner.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nodeswan-updown-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** Running (a killed process waiting for its new parent to reap it counts as dead). */
function alive(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

describe('runScript', () => {
  it('runs the command line through /bin/sh -c with arguments and exactly the given environment', async () => {
    const out = join(dir, 'env.txt');
    const path = script('updown.sh', `{ echo "args: $*"; env | sort; } > ${out}`);
    process.env.NODESWAN_TEST_NOT_PASSED = 'daemon-only';
    try {
      const result = await runScript(`${path} iptables "two words"`, { PATH: '/usr/bin:/bin', PLUTO_VERB: 'up-client', PLUTO_CONNECTION: 'office' }, { timeoutMs: 5000 });
      expect(result).toMatchObject({ code: 0, timedOut: false, lines: [] });
    } finally {
      delete process.env.NODESWAN_TEST_NOT_PASSED;
    }
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('args: iptables two words\n');
    expect(text).toContain('PLUTO_VERB=up-client\n');
    expect(text).toContain('PLUTO_CONNECTION=office\n');
    expect(text).not.toContain('NODESWAN_TEST_NOT_PASSED');
  });

  it('reports the exit status and keeps stdout and stderr lines, bounded', async () => {
    const path = script('noisy.sh', 'echo one; echo two >&2; i=0; while [ $i -lt 100 ]; do echo line$i; i=$((i+1)); done; printf tail; exit 3');
    const result = await runScript(path, { PATH: '/usr/bin:/bin' }, { timeoutMs: 5000, maxLines: 5 });
    expect(result.code).toBe(3);
    expect(result.timedOut).toBe(false);
    expect(result.lines).toEqual(['one', 'two', 'line0', 'line1', 'line2']);
    expect(result.droppedLines).toBe(98); // 2 + 100 + "tail" = 103 lines, 5 kept
  });

  it('kills a hanging script and everything it started when the timeout passes', async () => {
    const pidFile = join(dir, 'child.pid');
    const path = script('hang.sh', `sleep 60 & echo $! > ${pidFile}; wait`);
    const started = Date.now();
    const result = await runScript(path, { PATH: '/usr/bin:/bin' }, { timeoutMs: 300 });
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeLessThan(5000);
    const child = Number(readFileSync(pidFile, 'utf8').trim());
    const deadline = Date.now() + 2000;
    while (alive(child) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(alive(child)).toBe(false);
  });

  it('does not wait for a background job that keeps the output open after the script exited', async () => {
    const path = script('bg.sh', 'echo started; (sleep 30) & exit 0');
    const started = Date.now();
    const result = await runScript(path, { PATH: '/usr/bin:/bin' }, { timeoutMs: 10_000 });
    expect(result).toMatchObject({ code: 0, timedOut: false, lines: ['started'] });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reports a command the shell cannot find as status 127', async () => {
    const result = await runScript(join(dir, 'missing.sh'), { PATH: '/usr/bin:/bin' }, { timeoutMs: 5000 });
    expect(result.code).toBe(127);
    expect(result.lines.join('\n')).toContain('missing.sh');
  });
});
