import { readFileSync } from 'node:fs';

/** The package version, read once per call from package.json next to src/ or dist/. */
export function nodeswanVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
