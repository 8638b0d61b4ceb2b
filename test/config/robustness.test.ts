// Bad input gets diagnostics, never an exception: random mixes of real
// config fragments and noise (seeded, so a failure reproduces).
import { describe, expect, it } from 'vitest';
import { conf, secrets } from './helpers.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const FRAGMENTS = [
  'conn ', 'config setup', 'ca ', '%default', '\n', '\r\n', '\t', ' ', '=', '"', "'", '#', '{', '}', '[', ']', ',', ';', '-', '!', '/',
  'left', 'right', 'subnet', 'sourceip', 'also', 'auto', 'start', 'include ', '*.conf', 'ike', 'esp', 'ah', 'aes256gcm16', 'sha256', 'modp2048',
  'prfsha384', 'x25519', 'null', '192.0.2.1', '2001:db8::1', '10.0.0.0/8', '%any', '%config', 'vhost:%priv', 'tcp/22', 'yes', 'no', 'version 2',
  'keyingtries', '%forever', 'mark', '0xffff', 'type', 'transport', 'forceencaps', 'phase2', 'PSK', ':', '0x', '0s', 'RSA', '\u00e9', '\u0000',
];

function noise(r: () => number, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += FRAGMENTS[Math.floor(r() * FRAGMENTS.length)] ?? '';
  return out;
}

describe('robustness', () => {
  it('never throws on 2,000 random configs and every diagnostic has a valid position', () => {
    const r = rng(20260522);
    for (let i = 0; i < 2000; i++) {
      const text = noise(r, 5 + Math.floor(r() * 80));
      const result = conf(text);
      for (const d of result.diagnostics) {
        expect(d.line).toBeGreaterThanOrEqual(1);
        expect(d.col).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('never throws on 2,000 random secrets files', () => {
    const r = rng(7);
    for (let i = 0; i < 2000; i++) secrets(noise(r, 5 + Math.floor(r() * 40)));
  });
});
