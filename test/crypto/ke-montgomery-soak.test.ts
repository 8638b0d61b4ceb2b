// Regression guard for the Node 20 hazard recorded in issue 3: generating
// x25519 pairs and exporting keys as JWK in a tight loop self-deadlocked
// during garbage collection. Our path (montgomery.ts) asks keygen for the
// JWK directly; this runs it 15,000 times (30,000 key pairs, enough
// allocation for many GC cycles) in a child process. The spawn timeout is a
// hang detector, not a performance assertion: a healthy run takes seconds.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const script = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/x25519-soak.ts');

it('15,000 X25519 exchanges through the production path complete and agree', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, '15000'], { encoding: 'utf8', timeout: 180_000, killSignal: 'SIGKILL' });
  expect(run.signal, `child killed (deadlock?) stderr: ${run.stderr}`).toBeNull();
  expect(run.status, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout.trim()) as { iterations: number; agreed: number };
  expect(result).toMatchObject({ iterations: 15000, agreed: 15000 });
}, 200_000);
