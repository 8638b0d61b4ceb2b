// AEAD vectors in the IKEv2/ESP form: keymat = key || 4-octet salt, 8-octet IV,
// nonce = salt || IV.
//  - AES-GCM: McGrew & Viega, "The Galois/Counter Mode of Operation", test
//    cases 3, 4 (AES-128), 9 (AES-192), 15, 16 (AES-256), with the 12-octet
//    IV cafebabefacedbaddecaf888 split as salt cafebabe + IV facedbaddecaf888
//    (the RFC 4106 §8.1 layout); ICV truncated to 8/12 octets for
//    ENCR_AES_GCM_8/12 (RFC 4106 §5).
//  - ChaCha20-Poly1305: RFC 7634 Appendix A (ESP) and RFC 8439 §2.8.2.
//  - RFC 7634 Appendix B: a complete IKEv2 message with an SK payload.

const P64 =
  'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72' +
  '1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255';
const P60 = P64.slice(0, 120);
const AAD20 = 'feedfacedeadbeeffeedfacedeadbeefabaddad2';
const K128 = 'feffe9928665731c6d6a8f9467308308';
const C128 =
  '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e' +
  '21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985';
const C256 =
  '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa' +
  '8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad';

export interface AeadVector {
  readonly name: string;
  readonly encrId: number;
  readonly keyBits: number;
  readonly keymat: string;
  readonly iv: string;
  readonly aad: string;
  readonly plaintext: string;
  /** ciphertext || ICV */
  readonly sealed: string;
}

export const aeadVectors: readonly AeadVector[] = [
  { name: 'GCM TC3 ICV8', encrId: 18, keyBits: 128, keymat: `${K128}cafebabe`, iv: 'facedbaddecaf888', aad: '', plaintext: P64, sealed: `${C128}4d5c2af327cd64a6` },
  { name: 'GCM TC3 ICV12', encrId: 19, keyBits: 128, keymat: `${K128}cafebabe`, iv: 'facedbaddecaf888', aad: '', plaintext: P64, sealed: `${C128}4d5c2af327cd64a62cf35abd` },
  { name: 'GCM TC3 ICV16', encrId: 20, keyBits: 128, keymat: `${K128}cafebabe`, iv: 'facedbaddecaf888', aad: '', plaintext: P64, sealed: `${C128}4d5c2af327cd64a62cf35abd2ba6fab4` },
  {
    name: 'GCM TC4 (AAD) ICV16',
    encrId: 20,
    keyBits: 128,
    keymat: `${K128}cafebabe`,
    iv: 'facedbaddecaf888',
    aad: AAD20,
    plaintext: P60,
    sealed: `${C128.slice(0, 120)}5bc94fbc3221a5db94fae95ae7121a47`,
  },
  {
    name: 'GCM TC9 AES-192 ICV16',
    encrId: 20,
    keyBits: 192,
    keymat: `${K128}feffe9928665731ccafebabe`,
    iv: 'facedbaddecaf888',
    aad: '',
    plaintext: P64,
    sealed:
      '3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c' +
      '7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710acade256' +
      '9924a7c8587336bfb118024db8674a14',
  },
  { name: 'GCM TC15 AES-256 ICV16', encrId: 20, keyBits: 256, keymat: `${K128}${K128}cafebabe`, iv: 'facedbaddecaf888', aad: '', plaintext: P64, sealed: `${C256}b094dac5d93471bdec1a502270e3cc6c` },
  {
    name: 'GCM TC16 AES-256 (AAD) ICV16',
    encrId: 20,
    keyBits: 256,
    keymat: `${K128}${K128}cafebabe`,
    iv: 'facedbaddecaf888',
    aad: AAD20,
    plaintext: P60,
    sealed: `${C256.slice(0, 120)}76fc6ece0f4e1768cddf8853bb2d551b`,
  },
  {
    name: 'RFC 7634 Appendix A (ESP)',
    encrId: 28,
    keyBits: 256,
    keymat: '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3',
    iv: '1011121314151617',
    aad: '0102030400000005',
    plaintext:
      '45000054a6f200004001e778c6336405c000020508005b7a3a080000553bec10' +
      '0007362708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223' +
      '2425262728292a2b2c2d2e2f303132333435363701020204',
    sealed:
      '24039428b97f417e3c13753a4f05087b67c352e6a7fab1b982d466ef407ae5c6' +
      '14ee8099d52844eb61aa95dfab4c02f72aa71e7c4c4f64c9befe2facc638e8f3' +
      'cbec163fac469b502773f6fb94e664da9165b82829f641e076aaa8266b7fb0f7' +
      'b11b369907e1ad43',
  },
  {
    name: 'RFC 8439 §2.8.2 (AEAD construction)',
    encrId: 28,
    keyBits: 256,
    keymat: '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f07000000',
    iv: '4041424344454647',
    aad: '50515253c0c1c2c3c4c5c6c7',
    plaintext: Buffer.from(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
      'latin1',
    ).toString('hex'),
    sealed:
      'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6' +
      '3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36' +
      '92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc' +
      '3ff4def08e4b7a9de576d26586cec64b6116' +
      '1ae10b594f09e26a7e902ecbd0600691',
  },
];

/** RFC 7634 Appendix B: IKE header + SK header as AAD, SK body = IV | ciphertext | ICV. */
export const rfc7634IkeExample = {
  keymat: '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3',
  iv: '1011121314151617',
  /** IKE header (28) + SK generic payload header (4). */
  associatedData: 'c0c1c2c3c4c5c6c7d0d1d2d3d4d5d6d72e202500000000090000004529000029',
  /** Inner payload chain: one Notify SET_WINDOW_SIZE (16385) = 10; the SK plaintext adds a zero Pad Length. */
  innerPayloads: '0000000c000040010000000a',
  /** ciphertext (13 octets incl. Pad Length) || ICV (16). */
  sealed: '610394701f8d017f7c129248896b71bfe25236efd7cdc67066906315b2',
} as const;
