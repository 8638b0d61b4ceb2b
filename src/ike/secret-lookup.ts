// Which ipsec.secrets PSK applies to a pair of identities. An entry lists
// IDs (none = any peer); the best entry names both IDs, then the peer's
// alone, then ours alone, then none — the order admins expect from
// strongSwan and Libreswan. Ties go to the first entry in the file.

import type { SecretsModel } from '../config/secrets.js';
import { idMatches, parseIdentity, type Identity } from './identity.js';

function matchesAny(texts: readonly string[], id: Identity): boolean {
  return texts.some((t) => {
    const pattern = parseIdentity(t);
    // %any in a secrets selector matches, but does not count as naming the ID.
    return pattern.type !== 'any' && idMatches(pattern, id);
  });
}

export function findPsk(secrets: SecretsModel, local: Identity, peer: Identity): Uint8Array | undefined {
  let best: { score: number; secret: Uint8Array } | undefined;
  for (const entry of secrets.entries) {
    if (entry.type !== 'PSK' || !entry.secret) continue;
    const named = entry.ids.filter((t) => !t.startsWith('%any'));
    let score: number;
    if (entry.ids.length === 0 || named.length === 0) score = 1;
    else {
      const us = matchesAny(named, local);
      const them = matchesAny(named, peer);
      if (us && them) score = 4;
      else if (them) score = 3;
      else if (us) score = 2;
      else continue;
    }
    if (!best || score > best.score) best = { score, secret: entry.secret.reveal() };
  }
  return best?.secret;
}
