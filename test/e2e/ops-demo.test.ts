// `npm start` (demo/run.ts) run as a user would, inside the lab where the
// kernel has ESP: the tunnel comes up, the ping passes through it, both
// ends' status and SAs are shown with keys hidden, and teardown leaves both
// kernels clean.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const demo = fileURLToPath(new URL('../../demo/run.ts', import.meta.url));

function runDemo(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', demo], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

it('the one-command demo pings through a nodeswan tunnel and leaves the kernels clean', async () => {
  const { code, output } = await runDemo();
  expect(output).toMatch(/nodeswan demo: PASSED: ping through the tunnel 3\/3 replies/);
  expect(code).toBe(0);
  expect(output).toMatch(/demo\[1\]: ESTABLISHED .*192\.0\.2\.1\[500\]\[left\.demo\.example\]\.\.\.192\.0\.2\.2\[500\]\[right\.demo\.example\]/);
  expect(output).toMatch(/198\.51\.100\.0\/24 === 203\.0\.113\.0\/24/);
  // two SAs per side, each key hidden, no key material in the output
  expect(output.match(/aead rfc4106\(gcm\(aes\)\) <key hidden> 128/g)).toHaveLength(4);
  expect(output).not.toMatch(/(aead|enc|auth|auth-trunc) \S+ 0x[0-9a-f]{16,}/);
  expect(output.match(/kernel clean in \S+ \(no SAs, no policies\)/g)).toHaveLength(2);
}, 300_000);
