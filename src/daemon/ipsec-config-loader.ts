// The production ConfigLoader: ipsec.conf (or its YAML form) and
// ipsec.secrets through the config layer. Any error refuses the whole load
// with every diagnostic as `file:line:col: error: ...`; warnings are passed
// on to be logged. The logging keywords of `config setup` (charondebug,
// plutodebug) are not part of the config model, so they are read here from
// the parsed file.

import { crossCheck } from '../config/cross-check.js';
import { Diagnostics, formatDiagnostic } from '../config/diagnostics.js';
import { nodeFileSource } from '../config/files.js';
import { isYamlFile, loadConfig, loadSecrets } from '../config/load.js';
import { orientConfig } from '../config/orient.js';
import { dnsResolveHost, resolveHostNames } from './resolve-hosts.js';
import { parseConf } from '../config/parser.js';
import { networkInterfaces } from 'node:os';
import { ConfigLoadError, type LoadedConfig } from './config-source.js';
import type { DaemonPaths } from './paths.js';

/** The last value of each logging keyword in `config setup` sections. */
export function readDebugSettings(file: string): { charondebug?: string; plutodebug?: string } {
  if (isYamlFile(file)) return {};
  const ast = parseConf(file, nodeFileSource, new Diagnostics());
  const found: { charondebug?: string; plutodebug?: string } = {};
  for (const section of ast.sections) {
    if (section.kind !== 'setup') continue;
    for (const s of section.settings) {
      if (s.key === 'charondebug' || s.key === 'plutodebug') found[s.key] = s.value;
    }
  }
  return found;
}

/** The addresses of this host (of the network namespace the daemon runs in). */
function hostAddressSet(): (address: string) => boolean {
  const own = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) own.add(a.address.replace(/%.*$/, ''));
  }
  return (address) => own.has(address);
}

/** ipsec.secrets alone (`ipsec rereadsecrets`): refused with every error as file:line:col. */
export async function loadIpsecSecrets(paths: DaemonPaths): Promise<{ secrets: unknown; count: number; warnings: string[] }> {
  const secrets = loadSecrets(paths.secretsFile);
  const errors = secrets.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
  const warnings = secrets.diagnostics.filter((d) => d.severity !== 'error').map(formatDiagnostic);
  if (errors.length > 0 || !secrets.model) {
    const n = Math.max(errors.length, 1);
    throw new ConfigLoadError(`secrets have ${n} error${n === 1 ? '' : 's'} (${paths.secretsFile})`, errors);
  }
  return { secrets: secrets.model, count: secrets.model.entries.length, warnings };
}

export async function loadIpsecConfig(paths: DaemonPaths): Promise<LoadedConfig> {
  const conf = loadConfig(paths.configFile);
  const secrets = loadSecrets(paths.secretsFile);
  // The same checks as `ipsec check`, so the daemon reports what it reports.
  const cross = new Diagnostics();
  if (conf.model && secrets.model && conf.errors === 0) crossCheck(conf.model, secrets.model, cross);
  const diagnostics = [...conf.diagnostics, ...secrets.diagnostics, ...cross.sorted()];
  const errors = diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
  const warnings = diagnostics.filter((d) => d.severity !== 'error').map(formatDiagnostic);
  if (errors.length > 0 || !conf.model || !secrets.model) {
    const n = Math.max(errors.length, 1);
    throw new ConfigLoadError(
      `configuration has ${n} error${n === 1 ? '' : 's'} (${paths.configFile}, ${paths.secretsFile})`,
      errors,
    );
  }
  // Host names become addresses first, so orientation sees them too.
  const resolved = await resolveHostNames(conf.model, dnsResolveHost, warnings);
  return {
    // Each conn faces this host: right= naming one of our addresses flips it.
    config: orientConfig(resolved, hostAddressSet()),
    secrets: secrets.model,
    ...readDebugSettings(paths.configFile),
    warnings,
  };
}
