// Shared by the rekey exchange tests: seeded randomness (so the fuzzed
// rekey times, nonces and SPIs repeat per seed) and a nodeswan pair whose
// engines both draw from it.

import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { IkeConn } from '../../src/ike/conn.js';
import { Exchange, pskSecrets, type Side } from './harness.js';
import { moonConn, PSK, sunConn } from './setups.js';

/** Deterministic bytes: SHA-256 in counter mode over `seed`. */
export function seeded(seed: string): (size: number) => Buffer {
  let counter = 0;
  return (size) => {
    const out: Buffer[] = [];
    let have = 0;
    while (have < size) {
      const block = createHash('sha256').update(`${seed}/${counter++}`).digest();
      out.push(block);
      have += block.length;
    }
    return Buffer.concat(out).subarray(0, size);
  };
}

export async function seededPair(seed: string, moonOverrides: Partial<IkeConn>, sunOverrides: Partial<IkeConn>): Promise<{ x: Exchange; moon: Side; sun: Side }> {
  const x = new Exchange();
  const moon = await x.side('moon', '192.0.2.1', { random: seeded(`${seed}/moon`) });
  const sun = await x.side('sun', '192.0.2.2', { random: seeded(`${seed}/sun`) });
  await moon.engine.loadConns([moonConn(moonOverrides)], pskSecrets(PSK, '@moon.example', '@sun.example'));
  await sun.engine.loadConns([sunConn(sunOverrides)], pskSecrets(PSK, '@moon.example', '@sun.example'));
  return { x, moon, sun };
}

/** A seeded pair with moon's conn 'office' brought up (the IKE SA and its CHILD SA established). */
export async function establishedPair(seed: string, moonOverrides: Partial<IkeConn>, sunOverrides: Partial<IkeConn>): Promise<{ x: Exchange; moon: Side; sun: Side }> {
  const p = await seededPair(seed, moonOverrides, sunOverrides);
  const up = p.moon.engine.up('office');
  await p.x.settle();
  await p.x.run();
  expect((await up).ok).toBe(true);
  return p;
}

/** Move time on in 1 s steps, delivering everything sent along the way. */
export async function live(x: Exchange, seconds: number): Promise<void> {
  for (let i = 0; i < seconds; i++) {
    await x.advance(1000);
    await x.run(200);
  }
}

/**
 * The SA pair(s) both kernels hold, and whether the keys each side derived
 * agree: A's outbound key for SPI x is B's inbound key for x, both ways.
 */
export async function pairsAcross(a: Side, b: Side): Promise<{ aToB: number; bToA: number; keysMatch: boolean; counts: [number, number] }> {
  const sasA = await a.kernel.listSas();
  const sasB = await b.kernel.listSas();
  const installed = (s: Side) => s.engine.sas().flatMap((sa) => sa.data.children.filter((c) => c.state.is('INSTALLED')).map((c) => c.params));
  const childrenA = installed(a);
  const childrenB = installed(b);
  const key = (k: { encryption?: { key: Uint8Array } }) => Buffer.from(k.encryption?.key ?? []).toString('hex');
  const keysMatch =
    childrenA.length > 0 &&
    childrenA.length === childrenB.length &&
    childrenA.every((ca) => {
      const cb = childrenB.find((c) => c.spiIn === ca.spiOut && c.spiOut === ca.spiIn);
      return cb !== undefined && key(ca.outbound) === key(cb.inbound) && key(ca.inbound) === key(cb.outbound) && key(ca.outbound) !== '';
    });
  return {
    aToB: sasA.find((s) => s.dst === b.address)?.spi ?? 0,
    bToA: sasB.find((s) => s.dst === a.address)?.spi ?? 0,
    keysMatch,
    counts: [sasA.length, sasB.length],
  };
}
