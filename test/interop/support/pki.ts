// Certificates for the lab's hosts, made with nodeswan's PKI library the
// way `ipsec pki` would make them: one CA, one end-entity certificate per
// host with its FQDN and address as subjectAltNames.

import { createCa, issueCertificate, type Credential } from '../../../src/pki/index.js';

export interface LabPki {
  ca: Credential;
  left: Credential;
  right: Credential;
}

export const labCaDn = 'C=CH, O=nodeswan lab, CN=nodeswan lab CA';

/** A CA (ECDSA P-256), left's certificate (ECDSA P-256) and right's (RSA 2048): both classic key types on the wire. */
export async function createLabPki(names: { left: string; right: string; leftAddress: string; rightAddress: string }): Promise<LabPki> {
  const ca = await createCa({ type: 'ecdsa', curve: 'p256', dn: labCaDn });
  const [left, right] = await Promise.all([
    issueCertificate({ issuer: ca, type: 'ecdsa', curve: 'p256', dn: `C=CH, O=nodeswan lab, CN=${names.left}`, san: [names.left, names.leftAddress] }),
    issueCertificate({ issuer: ca, type: 'rsa', size: 2048, dn: `C=CH, O=nodeswan lab, CN=${names.right}`, san: [names.right, names.rightAddress] }),
  ]);
  return { ca, left, right };
}
