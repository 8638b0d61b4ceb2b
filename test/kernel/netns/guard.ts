// Refuses to run outside the private namespace the outer test made, so a
// stray run can never change the host's own xfrm state or routes.
import { execFileSync } from 'node:child_process';

export function requirePrivateNetns(): string {
  const expected = process.env.NODESWAN_TEST_NETNS;
  const actual = execFileSync('ip', ['netns', 'identify', String(process.pid)], { encoding: 'utf8' }).trim();
  if (!expected || actual !== expected) {
    throw new Error(`refusing to touch kernel state: not inside the test namespace (expected '${expected ?? ''}', in '${actual}')`);
  }
  return actual;
}

export function ipXfrm(what: 'state' | 'policy'): string {
  return execFileSync('ip', ['xfrm', what, 'list'], { encoding: 'utf8' }).trim();
}
