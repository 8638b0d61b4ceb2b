// A root -> intermediate -> end-entity chain in one call, for tests and the
// demo (e.g. the IKE fragmentation test, whose IKE_AUTH must carry two
// certificates).
import { type CertificateOptions, type Credential, createCa, issueCertificate } from './issue.js';
import { type KeySpec } from './keys.js';

export interface ChainOptions extends Partial<KeySpec> {
  rootDn?: string;
  intermediateDn?: string;
  dn?: string;
  san?: string[];
  flags?: CertificateOptions['flags'];
}

export interface Chain {
  root: Credential;
  intermediate: Credential;
  leaf: Credential;
}

export async function createChain(options: ChainOptions = {}): Promise<Chain> {
  const key = { type: options.type ?? 'ecdsa', size: options.size, curve: options.curve } as const;
  const root = await createCa({ ...key, dn: options.rootDn ?? 'C=CH, O=nodeswan test, CN=nodeswan Root CA', pathLen: 1 });
  const intermediate = await issueCertificate({
    ...key,
    issuer: root,
    ca: true,
    pathLen: 0,
    dn: options.intermediateDn ?? 'C=CH, O=nodeswan test, CN=nodeswan Intermediate CA',
  });
  const leaf = await issueCertificate({
    ...key,
    issuer: intermediate,
    dn: options.dn ?? 'C=CH, O=nodeswan test, CN=vpn.example.com',
    san: options.san ?? ['vpn.example.com'],
    flags: options.flags,
  });
  return { root, intermediate, leaf };
}
