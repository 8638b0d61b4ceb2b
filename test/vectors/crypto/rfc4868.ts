// RFC 4868 §2.7 test vectors (HMAC-SHA-256/384/512 as IKEv2 PRF and as
// truncated INTEG), typed from the RFC text. `key`/`data` are hex; the
// repeated-octet forms are spelled out by the helper.

const rep = (octet: string, count: number) => octet.repeat(count);
const ascii = (text: string) => Buffer.from(text, 'latin1').toString('hex');

/** §2.7.1: PRF-HMAC-SHA-256 / -384 / -512 (full output). */
export const prfVectors = [
  {
    name: 'PRF test case 1',
    key: rep('0b', 20),
    data: ascii('Hi There'),
    sha256: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    sha384: 'afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6',
    sha512:
      '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854',
  },
  {
    name: 'PRF test case 3',
    key: rep('aa', 20),
    data: rep('dd', 50),
    sha256: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
    sha384: '88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27',
    sha512:
      'fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb',
  },
  {
    name: 'PRF test case 4',
    key: '0102030405060708090a0b0c0d0e0f10111213141516171819',
    data: rep('cd', 50),
    sha256: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
    sha384: '3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb',
    sha512:
      'b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd',
  },
  {
    name: 'PRF test case 6 (key larger than block size)',
    key: rep('aa', 131),
    data: ascii('Test Using Larger Than Block-Size Key - Hash Key First'),
    sha256: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    sha384: '4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952',
    sha512:
      '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598',
  },
] as const;

/** §2.7.2: AUTH-HMAC-SHA-256-128 / -384-192 / -512-256 (truncated ICV); key sizes are the hash output size. */
export const authVectors = [
  {
    name: 'AUTH test case 1',
    keys: { sha256: rep('0b', 32), sha384: rep('0b', 48), sha512: rep('0b', 64) },
    data: ascii('Hi There'),
    sha256: '198a607eb44bfbc69903a0f1cf2bbdc5',
    sha384: 'b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973',
    sha512: '637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8',
  },
  {
    name: 'AUTH test case 2',
    keys: { sha256: ascii('Jefe'.repeat(8)), sha384: ascii('Jefe'.repeat(12)), sha512: ascii('Jefe'.repeat(16)) },
    data: ascii('what do ya want for nothing?'),
    sha256: '167f928588c5cc2eef8e3093caa0e87c',
    sha384: '2c7353974f1842fd66d53c452ca42122b28c0b594cfb184d',
    sha512: 'cb370917ae8a7ce28cfd1d8f4705d6141c173b2a9362c15df235dfb251b15454',
  },
  {
    name: 'AUTH test case 3',
    keys: { sha256: rep('aa', 32), sha384: rep('aa', 48), sha512: rep('aa', 64) },
    data: rep('dd', 50),
    sha256: 'cdcb1220d1ecccea91e53aba3092f962',
    sha384: '809f439be00274321d4a538652164b53554a508184a0c316',
    sha512: '2ee7acd783624ca9398710f3ee05ae41b9f9b0510c87e49e586cc9bf961733d8',
  },
] as const;

/**
 * HMAC-SHA-1 (PRF_HMAC_SHA1, and AUTH_HMAC_SHA1_96 as its first 12 octets,
 * RFC 2404 §3): RFC 2202 §3 test cases 1 and 2.
 */
export const sha1Vectors = [
  { name: 'RFC 2202 test case 1', key: rep('0b', 20), data: ascii('Hi There'), digest: 'b617318655057264e28bc0b6fb378c8ef146be00' },
  { name: 'RFC 2202 test case 2', key: ascii('Jefe'), data: ascii('what do ya want for nothing?'), digest: 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79' },
] as const;
