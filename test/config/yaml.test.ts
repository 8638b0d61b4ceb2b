// The YAML form of the model: show-config --yaml output read back with
// --config file.yaml gives the same model, for every realistic config.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { memoryFileSource } from '../../src/config/files.js';
import { loadConfig } from '../../src/config/load.js';
import { modelToYaml } from '../../src/config/yaml-config.js';

const valid = join(import.meta.dirname, '../fixtures/config/valid');

describe('YAML round trip', () => {
  for (const f of readdirSync(valid).filter((x) => x.endsWith('.conf'))) {
    it(f, () => {
      const fromConf = loadConfig(join(valid, f)).model!;
      const yaml = modelToYaml(fromConf);
      const fromYaml = loadConfig('/etc/ipsec.yaml', { text: yaml });
      expect(fromYaml.diagnostics.map(formatDiagnostic)).toEqual([]);
      expect(fromYaml.model).toEqual(fromConf);
      expect(modelToYaml(fromYaml.model!)).toBe(yaml);
    });
  }

  it('completes a partial YAML conn with the same defaults as ipsec.conf', () => {
    const fromYaml = loadConfig('/x.yaml', { text: 'conns:\n  - name: a\n    auto: add\n    ikeLifetime: 7200\n' }).model!;
    const fromConf = loadConfig('/x.conf', { text: 'conn a\n\tauto=add\n\tikelifetime=2h\n' }).model!;
    expect({ ...fromYaml.conns[0], source: undefined }).toEqual({ ...fromConf.conns[0], source: undefined });
  });

  it('reports unknown fields and wrong types at their line and column', () => {
    const source = memoryFileSource({ '/c.yaml': 'setup:\n  uniqueIds: "no"\nconns:\n  - name: a\n    ikeLifetim: 5\n    mobike: "yes"\n  - auto: add\n' });
    const r = loadConfig('/c.yaml', { source });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      "/c.yaml:5:5: error: conns.a: unknown field 'ikeLifetim'",
      '/c.yaml:6:13: error: conns.a.mobike: expected a boolean, found a string',
      '/c.yaml:7:5: error: conns[1]: every entry needs a name',
    ]);
  });

  it('checks enumerated fields and host addresses', () => {
    const r = loadConfig('/v.yaml', { text: 'conns:\n  - name: a\n    auto: sometimes\n    local:\n      host: { kind: address, address: 192.0.2.300 }\n' });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      "/v.yaml:3:11: error: conns.a.auto: invalid value 'sometimes'; valid values: ignore, add, route, start",
      "/v.yaml:5:13: error: conns.a.local.host.address: '192.0.2.300' is not an IPv4 or IPv6 address",
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    const r = loadConfig('/bad.yaml', { text: 'conns:\n  - name: a\n   auto: [\n' });
    expect(r.errors).toBeGreaterThan(0);
    expect(r.diagnostics[0]?.file).toBe('/bad.yaml');
    expect(r.diagnostics[0]?.line).toBeGreaterThan(1);
  });
});
