import { describe, expect, it } from 'vitest';
import { maskXfrmKeys } from '../../demo/mask-keys.js';

// Real `ip xfrm state` output shapes (AEAD, cipher + integrity), keys made up.
const state = `src 192.0.2.1 dst 192.0.2.2
	proto esp spi 0xcc0819b3 reqid 1 mode tunnel
	replay-window 32 
	aead rfc4106(gcm(aes)) 0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567 128
	anti-replay context: seq 0x0, oseq 0x3, bitmap 0x00000000
src 192.0.2.2 dst 192.0.2.1
	proto esp spi 0xc47d89a5 reqid 1 mode tunnel
	auth-trunc hmac(sha256) 0xAABBCCDDEEFF00112233445566778899AABBCCDDEEFF00112233445566778899 128
	enc cbc(aes) 0x00112233445566778899aabbccddeeff
`;

describe('maskXfrmKeys', () => {
  it('hides every key and keeps SPIs, counters and algorithm names', () => {
    const masked = maskXfrmKeys(state);
    expect(masked).not.toMatch(/0123456789abcdef|AABBCCDD|00112233445566/);
    expect(masked).toContain('aead rfc4106(gcm(aes)) <key hidden> 128');
    expect(masked).toContain('auth-trunc hmac(sha256) <key hidden> 128');
    expect(masked).toContain('enc cbc(aes) <key hidden>');
    expect(masked).toContain('spi 0xcc0819b3');
    expect(masked).toContain('oseq 0x3, bitmap 0x00000000');
  });
});
