import { describe, expect, it } from 'vitest';
import { keyRingFromSecret, SecretNodeTokenKeys } from '../../../lambdas/adapters/secrets/nodeTokenKeys';
import { UnavailableError } from '../../../lambdas/app';

const KEY_A = 'a'.repeat(64);
const KEY_B = 'b'.repeat(64);

describe('node token keys from a Secrets Manager secret', () => {
  it('reads the current key, and the previous one with the end of its grace', () => {
    expect(keyRingFromSecret(JSON.stringify({ current: KEY_A }))).toEqual({
      current: Buffer.from(KEY_A),
      previous: null,
    });
    const ring = keyRingFromSecret(
      JSON.stringify({ current: KEY_B, previous: KEY_A, previousUntil: '2026-12-01T00:00:00Z' }),
    );
    expect(ring.previous).toEqual({ key: Buffer.from(KEY_A), until: Date.UTC(2026, 11, 1) });
  });

  it('says what is wrong with a bad secret', () => {
    expect(() => keyRingFromSecret('nope')).toThrow(/not JSON/);
    expect(() => keyRingFromSecret(JSON.stringify({ current: 'short' }))).toThrow(/current/);
    expect(() => keyRingFromSecret(JSON.stringify({ current: KEY_B, previous: KEY_A }))).toThrow(
      /previousUntil/,
    );
  });

  it('fetches once per TTL, keeps the held keys when a refresh fails, and is a 503 with none held', async () => {
    let now = 0;
    let calls = 0;
    let answer: () => string = () => JSON.stringify({ current: KEY_A });
    const warnings: string[] = [];
    const keys = new SecretNodeTokenKeys(
      'prg/node-token-key',
      () => {
        calls++;
        return Promise.resolve(answer());
      },
      () => now,
      60_000,
      (m) => warnings.push(m),
    );
    await keys.keyRing();
    now += 59_999;
    await keys.keyRing();
    expect(calls).toBe(1);
    now += 1;
    answer = () => {
      throw new Error('extension down');
    };
    expect((await keys.keyRing()).current).toEqual(Buffer.from(KEY_A));
    expect(warnings[0]).toMatch(/extension down/);

    const cold = new SecretNodeTokenKeys('prg/node-token-key', () => Promise.reject(new Error('denied')));
    await expect(cold.keyRing()).rejects.toBeInstanceOf(UnavailableError);
    await expect(cold.keyRing()).rejects.toThrow(/prg\/node-token-key/);
  });

  it('carries the legacy window the stack sets for the function (prgn. tokens checked until then)', async () => {
    const fetchSecret = () => Promise.resolve(JSON.stringify({ current: KEY_A }));
    const until = Date.UTC(2027, 0, 15);
    const keys = new SecretNodeTokenKeys(
      's',
      fetchSecret,
      () => 0,
      60_000,
      () => undefined,
      until,
    );
    expect((await keys.keyRing()).legacyUntil).toBe(until);
    const closed = new SecretNodeTokenKeys(
      's',
      fetchSecret,
      () => 0,
      60_000,
      () => undefined,
      null,
    );
    expect((await closed.keyRing()).legacyUntil).toBeNull();
  });
});
