import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { memoryFileSource } from '../../src/config/files.js';
import { loadConfig, loadSecrets } from '../../src/config/load.js';

/** Loads an in-memory ipsec.conf (plus extra files) and returns the model and `LINE:COL: severity: message` lines. */
export function conf(text: string, files: Record<string, string> = {}) {
  const source = memoryFileSource({ '/etc/ipsec.conf': text, ...files });
  const r = loadConfig('/etc/ipsec.conf', { source });
  const lines = r.diagnostics.map((d) => formatDiagnostic(d).replace(/^\/etc\/ipsec\.conf:/, ''));
  return { ...r, lines, errorLines: lines.filter((l) => l.includes(': error: ')) };
}

export function secrets(text: string, mode = 0o600, files: Record<string, string> = {}) {
  const source = memoryFileSource({ '/etc/ipsec.secrets': text, ...files }, { '/etc/ipsec.secrets': mode });
  const r = loadSecrets('/etc/ipsec.secrets', { source });
  const lines = r.diagnostics.map((d) => formatDiagnostic(d).replace(/^\/etc\/ipsec\.secrets:/, ''));
  return { ...r, lines };
}
