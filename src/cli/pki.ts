// `ipsec pki`: certificates, keys and CRLs for IKE (offline; see docs/pki.md).
import { runPki } from '../pki/cli/run.js';
import { type Command } from './commands.js';

export const pkiCommand: Command = {
  summary: 'make CA and host certificates, keys and CRLs; print certificates',
  run: (args) => runPki(args),
};
