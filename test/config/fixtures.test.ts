// Realistic configs: every file under valid/ must load without errors;
// every file under invalid/ declares its expected diagnostics in
// `# expect: LINE:COL: severity: message-prefix` lines, and produces exactly
// those errors.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { nodeFileSource } from '../../src/config/files.js';
import { loadConfig, loadSecrets } from '../../src/config/load.js';

const root = join(import.meta.dirname, '../fixtures/config');
const list = (dir: string): string[] => readdirSync(join(root, dir)).filter((f) => f.endsWith('.conf')).sort();

describe('valid configs check clean', () => {
  const files = list('valid');
  it('has at least 40 realistic configs', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });
  for (const f of files) {
    it(f, () => {
      const r = loadConfig(join(root, 'valid', f));
      const errors = r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
      expect(errors).toEqual([]);
      expect(r.model?.conns.length ?? 0).toBeGreaterThan(f.startsWith('30-') ? 0 : 0);
    });
  }
});

describe('invalid configs fail at the right place', () => {
  for (const f of list('invalid')) {
    it(f, () => {
      const file = join(root, 'invalid', f);
      const expected = [...readFileSync(file, 'utf8').matchAll(/^# expect: (\d+):(\d+): (error|warning): (.*?)\r?$/gm)].map((m) => ({
        line: Number(m[1]),
        col: Number(m[2]),
        severity: m[3],
        message: m[4] ?? '',
      }));
      expect(expected.length).toBeGreaterThan(0);
      const r = loadConfig(file);
      for (const e of expected) {
        const hit = r.diagnostics.find((d) => d.line === e.line && d.col === e.col && d.severity === e.severity && d.message.startsWith(e.message));
        expect(hit, `expected ${e.line}:${e.col}: ${e.severity}: ${e.message}\ngot:\n${r.diagnostics.map(formatDiagnostic).join('\n')}`).toBeDefined();
      }
      const unexpected = r.diagnostics.filter((d) => d.severity === 'error' && !expected.some((e) => e.line === d.line && e.col === d.col && d.message.startsWith(e.message)));
      expect(unexpected.map(formatDiagnostic)).toEqual([]);
      expect(r.errors).toBeGreaterThan(0);
    });
  }
});

describe('shipped example configs check clean', () => {
  const conf = join(import.meta.dirname, '../../conf');
  const files = [join(conf, 'ipsec.conf'), ...readdirSync(join(conf, 'examples')).filter((f) => f.endsWith('.conf')).map((f) => join(conf, 'examples', f))];
  for (const f of files) {
    it(f.slice(conf.length + 1), () => {
      const r = loadConfig(f);
      expect(r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
    });
  }
});

describe('secrets fixtures', () => {
  const dir = join(root, 'secrets');
  const files = readdirSync(dir).filter((f) => f.endsWith('.secrets')).sort();
  for (const f of files) {
    it(f, () => {
      const file = join(dir, f);
      const r = loadSecrets(file, { source: { ...nodeFileSource, mode: () => 0o600 } });
      const text = readFileSync(file, 'utf8');
      const expected = [...text.matchAll(/^# expect: (\d+):(\d+): (error|warning): (.*?)\r?$/gm)];
      if (f.startsWith('valid')) {
        expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
        expect(r.model?.entries.length).toBeGreaterThan(2);
        return;
      }
      expect(expected.length).toBeGreaterThan(0);
      expect(r.diagnostics.map((d) => `${d.line}:${d.col}: ${d.severity}: ${d.message}`).filter((l) => expected.some((e) => l.startsWith(`${e[1]}:${e[2]}: ${e[3]}: ${e[4]}`)))).toHaveLength(expected.length);
      expect(r.errors).toBe(expected.length);
      expect(r.diagnostics.map((d) => d.message).join('\n')).not.toMatch(/forgot the colon|s3cr3t-unclosed|"typo"/);
    });
  }
});
