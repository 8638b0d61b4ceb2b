// Byte vectors written as commented hex: one field per line, `#` starts a
// comment, whitespace is ignored. Keeps every vector readable against the
// RFC field layout.

export function hex(text: string): Buffer {
  const digits = text
    .split('\n')
    .map((line) => line.replace(/#.*/, ''))
    .join('')
    .replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`bad hex vector: ${digits}`);
  return Buffer.from(digits, 'hex');
}
