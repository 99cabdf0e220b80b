import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  issueNodeToken,
  MAX_NODE_TOKEN_CHARS,
  verifyNodeToken,
  type NodeTokenKeyRing,
} from '../../../lambdas/app';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const oldKey = randomBytes(32);
const newKey = randomBytes(32);
const ring: NodeTokenKeyRing = { current: oldKey, previous: null };
/** After a key replacement: the new key signs, the old one verifies for an hour more. */
const replaced: NodeTokenKeyRing = { current: newKey, previous: { key: oldKey, until: NOW + 3_600_000 } };

describe('node tokens', () => {
  it('a token we issued verifies, names its node and generation, and is different every time', () => {
    const token = issueNodeToken(ring, 'imp-a', 3);
    expect(verifyNodeToken(ring, token, NOW)).toEqual({
      ok: true,
      token: { nodeId: 'imp-a', generation: 3, key: 'current' },
    });
    expect(issueNodeToken(ring, 'imp-a', 3)).not.toBe(token);
  });

  it('refuses a forged token: any change to node, generation, random part or MAC', () => {
    const token = issueNodeToken(ring, 'imp-a', 1);
    const parts = token.split('.');
    const otherOwner = Buffer.from('imp-b').toString('base64url');
    const forgeries = [
      [parts[0], otherOwner, parts[2], parts[3], parts[4]],
      [parts[0], parts[1], '2', parts[3], parts[4]],
      [parts[0], parts[1], parts[2], randomBytes(32).toString('base64url'), parts[4]],
      [
        parts[0],
        parts[1],
        parts[2],
        parts[3],
        `${parts[4]!.slice(0, -1)}${parts[4]!.endsWith('A') ? 'B' : 'A'}`,
      ],
    ].map((p) => p.join('.'));
    for (const forged of forgeries)
      expect(verifyNodeToken(ring, forged, NOW)).toEqual({ ok: false, why: 'bad-mac' });
    // Signed with a key that is not ours.
    const foreign = issueNodeToken({ current: randomBytes(32), previous: null }, 'imp-a', 1);
    expect(verifyNodeToken(ring, foreign, NOW)).toEqual({ ok: false, why: 'bad-mac' });
  });

  it('refuses malformed tokens without trying a MAC', () => {
    const good = issueNodeToken(ring, 'imp-a', 1);
    const malformed = [
      '',
      'not-a-token',
      'prgn.aW1wLWE.secret', // the old format
      good.replace(/^prgn2/, 'prgn3'),
      good.replace('.1.', '.0.'),
      good.replace('.1.', '.01.'),
      good.replace('.1.', '.-1.'),
      good.replace('.1.', '.1e3.'),
      `${good}.extra`,
      good.split('.').slice(0, 4).join('.'),
      good.replace(/^prgn2\.[^.]+/, 'prgn2.aW1wLWE='), // a second spelling of the node id
      good.replace(/^prgn2\.[^.]+/, 'prgn2.'),
      `${good}${'x'.repeat(MAX_NODE_TOKEN_CHARS)}`,
    ];
    for (const token of malformed)
      expect(verifyNodeToken(ring, token, NOW), token).toEqual({ ok: false, why: 'malformed' });
  });

  it('the previous key verifies until its grace ends, and not a moment after', () => {
    const onOldKey = issueNodeToken(ring, 'imp-a', 2);
    expect(verifyNodeToken(replaced, onOldKey, NOW)).toEqual({
      ok: true,
      token: { nodeId: 'imp-a', generation: 2, key: 'previous' },
    });
    expect(verifyNodeToken(replaced, onOldKey, NOW + 3_600_000 - 1).ok).toBe(true);
    expect(verifyNodeToken(replaced, onOldKey, NOW + 3_600_000)).toEqual({
      ok: false,
      why: 'previous-key-expired',
    });
    // Tokens issued after the replacement are on the new key.
    const onNewKey = issueNodeToken(replaced, 'imp-a', 3);
    expect(verifyNodeToken(replaced, onNewKey, NOW + 10 * 3_600_000)).toMatchObject({
      ok: true,
      token: { key: 'current' },
    });
    // Once the old key is dropped, its tokens are forgeries like any other.
    expect(verifyNodeToken({ current: newKey, previous: null }, onOldKey, NOW)).toEqual({
      ok: false,
      why: 'bad-mac',
    });
  });

  it('an old generation still carries a good MAC: its revocation is the stored hash (see heartbeat tests)', () => {
    const first = issueNodeToken(ring, 'imp-a', 1);
    expect(verifyNodeToken(ring, first, NOW)).toMatchObject({ ok: true, token: { generation: 1 } });
  });

  it('refuses to issue a generation that is not a positive integer', () => {
    expect(() => issueNodeToken(ring, 'imp-a', 0)).toThrow(/positive integer/);
    expect(() => issueNodeToken(ring, 'imp-a', 1.5)).toThrow(/positive integer/);
  });
});
