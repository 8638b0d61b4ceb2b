// What the running kernel can do for IPsec, found out by installing and
// removing throwaway SAs. Meant to run in a private, temporary network
// namespace (see probe-main.ts), so it never disturbs real state.
import type { KernelBackend, SaAlgorithms, XfrmProto } from './backend.js';
import { KernelError } from './backend.js';

export interface ProbeOutcome {
  /** What was probed, e.g. "ESP (IPv4)" or "AES-GCM-16". */
  name: string;
  ok: boolean;
  /** Stable error code when not ok (KERNEL_NO_PROTOCOL, KERNEL_NO_ALGORITHM, ...). */
  code?: string;
  message?: string;
}

export interface ProbeReport {
  protocols: ProbeOutcome[];
  /** Algorithms, probed over ESP; empty when ESP itself is missing. */
  algorithms: ProbeOutcome[];
}

const bytes = (n: number): Uint8Array => new Uint8Array(n).fill(0x5a);

/** Encryption/integrity pair used to probe the protocols themselves. */
const BASELINE: SaAlgorithms = {
  crypt: { name: 'cbc(aes)', key: bytes(16) },
  auth: { name: 'hmac(sha256)', key: bytes(32), truncBits: 128 },
};

const ALGORITHMS: { name: string; algorithms: SaAlgorithms }[] = [
  { name: 'AES-GCM-16 (rfc4106(gcm(aes)))', algorithms: { aead: { name: 'rfc4106(gcm(aes))', key: bytes(36), icvBits: 128 } } },
  {
    name: 'ChaCha20-Poly1305 (rfc7539esp(chacha20,poly1305))',
    algorithms: { aead: { name: 'rfc7539esp(chacha20,poly1305)', key: bytes(36), icvBits: 128 } },
  },
  { name: 'AES-CBC (cbc(aes))', algorithms: { crypt: { name: 'cbc(aes)', key: bytes(32) }, auth: BASELINE.auth! } },
  { name: 'AES-CTR (rfc3686(ctr(aes)))', algorithms: { crypt: { name: 'rfc3686(ctr(aes))', key: bytes(36) }, auth: BASELINE.auth! } },
  { name: 'HMAC-SHA2-256-128', algorithms: { crypt: BASELINE.crypt!, auth: { name: 'hmac(sha256)', key: bytes(32), truncBits: 128 } } },
  { name: 'HMAC-SHA2-384-192', algorithms: { crypt: BASELINE.crypt!, auth: { name: 'hmac(sha384)', key: bytes(48), truncBits: 192 } } },
  { name: 'HMAC-SHA2-512-256', algorithms: { crypt: BASELINE.crypt!, auth: { name: 'hmac(sha512)', key: bytes(64), truncBits: 256 } } },
];

async function tryInstall(
  backend: KernelBackend,
  name: string,
  proto: XfrmProto,
  family: 4 | 6,
  algorithms: SaAlgorithms,
  spi: number,
): Promise<ProbeOutcome> {
  const [src, dst] = family === 4 ? ['192.0.2.1', '192.0.2.2'] : ['2001:db8::1', '2001:db8::2'];
  const reqid = backend.reqidRange.base;
  try {
    await backend.addSa({ src, dst, spi, proto, mode: 'tunnel', reqid, algorithms });
    await backend.deleteSa({ dst, spi, proto });
    return { name, ok: true };
  } catch (err) {
    const k = err instanceof KernelError ? err : undefined;
    return { name, ok: false, code: k?.code ?? 'KERNEL_IO', message: (err as Error).message };
  }
}

export async function probeKernel(backend: KernelBackend): Promise<ProbeReport> {
  const protocols = [
    await tryInstall(backend, 'ESP (IPv4)', 'esp', 4, BASELINE, 0x100),
    await tryInstall(backend, 'ESP (IPv6)', 'esp', 6, BASELINE, 0x101),
    await tryInstall(backend, 'AH (IPv4)', 'ah', 4, { auth: BASELINE.auth! }, 0x102),
    await tryInstall(backend, 'AH (IPv6)', 'ah', 6, { auth: BASELINE.auth! }, 0x103),
  ];
  const algorithms: ProbeOutcome[] = [];
  if (protocols[0]!.ok) {
    let spi = 0x200;
    for (const a of ALGORITHMS) algorithms.push(await tryInstall(backend, a.name, 'esp', 4, a.algorithms, spi++));
  }
  await backend.flush();
  return { protocols, algorithms };
}
