// Problems found while reading configuration. Readers never throw on bad
// input: they collect every problem so one run of `ipsec check` lists them
// all, each at the place where it is, as `FILE:LINE:COL: severity: message`.

export type Severity = 'error' | 'warning';

/** A place in a source file; line and col count from 1. */
export interface Pos {
  file: string;
  line: number;
  col: number;
}

export interface Diagnostic extends Pos {
  severity: Severity;
  /** Stable identifier, e.g. `unknown-keyword`, for tools and tests. */
  code: string;
  message: string;
}

export class Diagnostics {
  readonly items: Diagnostic[] = [];
  // A problem in a %default or also= section is found once per conn that
  // inherits it; it is reported once.
  private readonly seen = new Set<string>();

  error(pos: Pos, code: string, message: string): void {
    this.add({ file: pos.file, line: pos.line, col: pos.col, severity: 'error', code, message });
  }

  warning(pos: Pos, code: string, message: string): void {
    this.add({ file: pos.file, line: pos.line, col: pos.col, severity: 'warning', code, message });
  }

  private add(d: Diagnostic): void {
    const key = `${d.file}\0${d.line}\0${d.col}\0${d.code}\0${d.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(d);
  }

  get errorCount(): number {
    return this.items.filter((d) => d.severity === 'error').length;
  }

  get warningCount(): number {
    return this.items.filter((d) => d.severity === 'warning').length;
  }

  /**
   * Diagnostics ordered by file, then line, then column. Files come in
   * `files` order (the order they were read: main file first), then in the
   * order their first problem was found.
   */
  sorted(files: readonly string[] = []): Diagnostic[] {
    const fileOrder = new Map<string, number>();
    for (const f of files) if (!fileOrder.has(f)) fileOrder.set(f, fileOrder.size);
    for (const d of this.items) if (!fileOrder.has(d.file)) fileOrder.set(d.file, fileOrder.size);
    return this.items
      .map((d, i) => ({ d, i }))
      .sort(
        (a, b) =>
          (fileOrder.get(a.d.file) ?? 0) - (fileOrder.get(b.d.file) ?? 0) ||
          a.d.line - b.d.line ||
          a.d.col - b.d.col ||
          a.i - b.i,
      )
      .map(({ d }) => d);
  }
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;
}

/** A position `offset` characters to the right of `pos` (same line). */
export function shift(pos: Pos, offset: number): Pos {
  return { file: pos.file, line: pos.line, col: pos.col + offset };
}
