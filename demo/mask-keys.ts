// `ip xfrm state` prints each SA's keys in hex; the demo shows the SAs
// without them (secrets never reach any output).

const KEY_LINE = /^(\s*(?:aead|enc|auth|auth-trunc|comp)\s+\S+\s+)0x[0-9a-fA-F]+/gm;

export function maskXfrmKeys(text: string): string {
  return text.replace(KEY_LINE, '$1<key hidden>');
}
