import { describe, expect, it } from 'vitest';
import { routeSourceAddress } from '../../src/ike/source-address.js';

describe('routeSourceAddress', () => {
  it('names the local address used towards a peer without sending anything', async () => {
    expect(await routeSourceAddress('127.0.0.1')).toBe('127.0.0.1');
    expect(await routeSourceAddress('not-an-address')).toBeUndefined();
  });
});
