// The key types every certificate test runs with.
import { type KeySpec } from '../../../src/pki/index.js';

export const KEY_CASES: { label: string; spec: KeySpec }[] = [
  { label: 'RSA 2048', spec: { type: 'rsa', size: 2048 } },
  { label: 'ECDSA P-256', spec: { type: 'ecdsa', curve: 'p256' } },
  { label: 'ECDSA P-384', spec: { type: 'ecdsa', curve: 'p384' } },
  { label: 'Ed25519', spec: { type: 'ed25519' } },
];
