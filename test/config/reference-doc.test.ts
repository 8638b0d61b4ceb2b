// docs/config-reference.md is generated from the keyword table; this fails
// when someone changes one without the other. Regenerate with
//   node --import tsx src/config/reference-doc.ts > docs/config-reference.md
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEYWORDS, lookupKeyword } from '../../src/config/keywords.js';
import { renderReference } from '../../src/config/reference-doc.js';

describe('config reference', () => {
  it('docs/config-reference.md is in sync with the keyword table', () => {
    const onDisk = readFileSync(join(import.meta.dirname, '../../docs/config-reference.md'), 'utf8');
    expect(onDisk).toBe(renderReference());
  });

  it('every keyword of the table is documented and every alias points at a real keyword', () => {
    const doc = renderReference();
    for (const k of KEYWORDS) {
      expect(doc).toContain(k.sided ? `left${k.name} / right${k.name}` : `\`${k.name}\``);
      if (k.aliasOf) expect(lookupKeyword(k.sided ? `left${k.aliasOf}` : k.aliasOf), `${k.name} -> ${k.aliasOf}`).toBeDefined();
    }
  });

  it('knows the keywords both man pages define (spot check of each dialect)', () => {
    const strongswan = ['charondebug', 'uniqueids', 'cachecrls', 'strictcrlpolicy', 'keyexchange', 'type', 'compress', 'installpolicy', 'aggressive', 'authby', 'eap_identity', 'aaa_identity', 'mobike', 'forceencaps', 'fragmentation', 'ikedscp', 'ikelifetime', 'lifetime', 'keylife', 'rekeymargin', 'margintime', 'lifebytes', 'marginbytes', 'lifepackets', 'marginpackets', 'keyingtries', 'rekeyfuzz', 'rekey', 'reauth', 'ike', 'esp', 'ah', 'dpddelay', 'dpdtimeout', 'dpdaction', 'closeaction', 'sha256_96', 'inactivity', 'modeconfig', 'xauth', 'xauth_identity', 'mediation', 'mediated_by', 'me_peerid', 'reqid', 'replay_window', 'mark', 'mark_in', 'mark_out', 'tfc', 'cacert', 'crluri', 'crluri2', 'ocspuri', 'ocspuri2', 'certuribase', 'left', 'leftikeport', 'leftsubnet', 'leftprotoport', 'leftsourceip', 'leftdns', 'leftfirewall', 'lefthostaccess', 'leftallowany', 'leftupdown', 'leftauth', 'leftauth2', 'leftid', 'leftid2', 'leftsigkey', 'leftrsasigkey', 'leftcert', 'leftcert2', 'leftcertpolicy', 'leftsendcert', 'leftca', 'leftca2', 'leftgroups', 'leftgroups2', 'also', 'auto', 'hw_offload', 'if_id_in', 'if_id_out'];
    const libreswan = ['ikev2', 'phase2', 'phase2alg', 'mark-in', 'mark-out', 'replay-window', 'encapsulation', 'leftsubnets', 'rightaddresspool', 'leftvti', 'leftnexthop', 'leftrsasigkey', 'leftckaid', 'salifetime', 'narrowing', 'sareftrack', 'nat-keepalive', 'modecfgdns', 'vti-interface', 'nic-offload', 'ipsec-interface', 'xauthby', 'rightxauthclient', 'rightmodecfgclient', 'ikepad', 'retransmit-timeout', 'connalias', 'sendca', 'pfs', 'esn', 'ppk', 'logfile', 'listen', 'ddos-mode', 'virtual-private', 'keep-alive', 'nhelpers', 'protostack', 'plutodebug', 'dumpdir', 'ocsp-enable'];
    for (const k of [...strongswan, ...libreswan]) expect(lookupKeyword(k), k).toBeDefined();
  });
});
