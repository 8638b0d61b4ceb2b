// The TypeScript field tables must agree with the kernel header as the C
// compiler lays it out: every field offset and every struct size.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { XFRM_STRUCTS } from '../../src/kernel/xfrm/structs.js';

const dir = mkdtempSync(join(tmpdir(), 'nodeswan-layout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function compilerLayout(): Map<string, number> {
  const lines: string[] = ['#include <stddef.h>', '#include <stdio.h>', '#include <linux/xfrm.h>', 'int main(void) {'];
  for (const s of XFRM_STRUCTS) {
    lines.push(`printf("${s.name} %zu\\n", sizeof(struct ${s.name}));`);
    for (const f of s.fields) {
      lines.push(`printf("${s.name}.${f.name} %zu\\n", offsetof(struct ${s.name}, ${f.name}));`);
    }
  }
  lines.push('return 0; }');
  writeFileSync(join(dir, 'layout.c'), lines.join('\n'));
  execFileSync('cc', ['-o', join(dir, 'layout'), join(dir, 'layout.c')]);
  const out = execFileSync(join(dir, 'layout'), { encoding: 'utf8' });
  return new Map(out.trim().split('\n').map((l) => {
    const [k, v] = l.split(' ');
    return [k!, Number(v)] as [string, number];
  }));
}

describe('xfrm struct tables', () => {
  const c = compilerLayout();
  for (const s of XFRM_STRUCTS) {
    it(`${s.name} matches <linux/xfrm.h>`, () => {
      // Flexible-array structs: C sizeof includes only the fixed part, like ours.
      expect(s.size).toBe(c.get(s.name));
      for (const f of s.fields) expect({ field: f.name, offset: f.offset }).toEqual({ field: f.name, offset: c.get(`${s.name}.${f.name}`) });
    });
  }
});
