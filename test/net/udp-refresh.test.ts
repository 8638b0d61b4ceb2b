// UdpTransport.refresh() follows interface addresses. Runs the probe in a
// network namespace made here (root and iproute2 needed), so the host's
// addresses are never touched.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

const ns = `nsw-net-${process.pid}`;
const probe = fileURLToPath(new URL('./fixtures/refresh-probe.ts', import.meta.url));

beforeAll(() => {
  execFileSync('ip', ['netns', 'add', ns]);
  execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
});
afterAll(() => {
  execFileSync('ip', ['netns', 'del', ns]);
});

it('binds sockets for a new address, with the exact local address, and drops them when it goes', () => {
  const out = execFileSync('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', probe], { encoding: 'utf8' });
  const r = JSON.parse(out) as {
    before: string[];
    refreshAdd: { added: string[]; removed: string[] };
    local: { address: string; port: number };
    refreshDel: { added: string[]; removed: string[] };
    after: string[];
    hooked: string[];
  };
  expect(r.before).not.toContain('198.51.100.7');
  expect(r.refreshAdd).toEqual({ added: ['198.51.100.7'], removed: [] });
  expect(r.local.address).toBe('198.51.100.7');
  expect(r.refreshDel).toEqual({ added: [], removed: ['198.51.100.7'] });
  expect(r.after).toEqual(r.before);
  // The kernel hook ran for the new sockets too.
  expect(r.hooked).toEqual(expect.arrayContaining(['ike:198.51.100.7', 'natt:198.51.100.7']));
});
