// Does this kernel do ESP? Adds one throwaway ESP SA (fixed dummy key, never
// used) in a private network namespace made for the purpose and deleted
// right after: "Requested type not found" means no ESP (CONFIG_INET_ESP).

import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';

export interface EspCheck {
  ok: boolean;
  /** Why not, in a few words. */
  reason: string;
}

export async function checkEsp(): Promise<EspCheck> {
  const ns = `nsw-espcheck-${randomBytes(3).toString('hex')}`;
  const add = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  if (add.status !== 0) return { ok: false, reason: `cannot create a network namespace: ${add.stderr.trim()}` };
  try {
    const sa = spawnSync(
      'ip',
      ['-n', ns, 'xfrm', 'state', 'add', 'src', '192.0.2.1', 'dst', '192.0.2.2', 'proto', 'esp', 'spi', '0x1000',
        'mode', 'tunnel', 'enc', 'cbc(aes)', `0x${'5a'.repeat(16)}`, 'auth-trunc', 'hmac(sha256)', `0x${'5a'.repeat(32)}`, '128'],
      { encoding: 'utf8' },
    );
    if (sa.status === 0) return { ok: true, reason: '' };
    const message = sa.stderr.trim();
    return { ok: false, reason: /type not found/i.test(message) ? `adding an ESP SA fails: "${message}"` : message };
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}
