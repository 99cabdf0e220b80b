import { beforeEach, describe, expect, it } from 'vitest';
import { issueNodeToken, MAX_NODE_TOKEN_CHARS } from '../../../lambdas/app';
import { MAX_BODY_BYTES } from '../../../lambdas/handlers';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { beat, normalPair } from '../../support/apiPair';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

/** A heartbeat with this token and body, as a flooder would send it. */
const send = (nodeId: string, token: string, o: { body?: unknown; rawBody?: string } = {}) =>
  h.call('POST', `/v1/nodes/${nodeId}/heartbeat`, {
    token,
    scopes: null,
    ...(o.rawBody !== undefined ? { rawBody: o.rawBody } : { body: o.body ?? { sequence: 'x' } }),
  });

describe('a heartbeat flood of forged tokens (issue 10, item 1)', () => {
  it('is refused with 401 before the body is judged, with no DynamoDB call, and leaves the real nodes on the one-write path', async () => {
    const { a, b } = await normalPair(h);
    h.clock.t += 1000;
    await beat(h, a);
    await beat(h, b);
    const real = a.token.split('.');
    const forged = [
      'garbage',
      'prgn.aW1wLWE.c2VjcmV0', // the format before MACs
      [...real.slice(0, 4), 'A'.repeat(43)].join('.'), // a's id, generation and random part, a made-up MAC
      [real[0], real[1], '2', ...real.slice(3)].join('.'), // a's token with the generation moved on
      issueNodeToken({ current: Buffer.alloc(32, 7), previous: null }, 'imp-a', 1), // someone else's key
      'x'.repeat(MAX_NODE_TOKEN_CHARS * 4),
    ];
    h.dynamoCalls.length = 0;
    const bodies = [
      { body: { sequence: 'x' } }, // fails the schema
      { rawBody: '{not json' }, // fails the parser
      { rawBody: 'x'.repeat(MAX_BODY_BYTES + 1) }, // too large
    ];
    for (const token of forged) {
      for (const body of bodies) {
        const res = await send('imp-a', token, body);
        expect(res.status, token.slice(0, 40)).toBe(401);
        expect(res.contentType).toBe('application/problem+json');
      }
      // An unknown node id is refused the same way.
      expect((await send('ghost', token)).body.detail.replaceAll('ghost', 'imp-a')).toBe(
        (await send('imp-a', token)).body.detail,
      );
    }
    // Another node's real token: 403, also without a read.
    const other = await send('imp-b', a.token, { rawBody: '{not json' });
    expect(other.status).toBe(403);
    expect(h.dynamoCalls).toEqual([]);

    // The real pair never noticed: still one write each.
    h.clock.t += 1000;
    const [ra, rb] = [await beat(h, a), await beat(h, b)];
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect(h.dynamoCalls).toEqual(['UpdateItemCommand', 'UpdateItemCommand']);
  });

  it('a good token with a bad body is still a 400 naming the field', async () => {
    const { a } = await normalPair(h);
    const res = await send('imp-a', a.token, { body: { sequence: 'x' } });
    expect(res.status).toBe(400);
  });

  it('a rotated-away token of a real node is refused with 401 by the stored hash', async () => {
    const { a } = await normalPair(h);
    h.clock.t += 1000;
    await beat(h, a);
    const old = a.token;
    const rotated = await h.call('POST', '/v1/nodes/imp-a/token');
    expect(rotated.status).toBe(200);
    a.token = old;
    expect((await beat(h, a)).status).toBe(401);
    a.token = rotated.body.token;
    expect((await beat(h, a)).status).toBe(200);
  });

  it('of token rotations at once, no two win from the same read: every other is a 409, and only the last token works', async () => {
    const { a } = await normalPair(h);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => h.call('POST', '/v1/nodes/imp-a/token')),
    );
    // How the five interleave depends on the machine; what may never happen is two of them
    // succeeding from the same generation (the second overwriting the first unseen).
    expect(answers.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    for (const r of answers.filter((x) => x.status === 409)) expect(r.body.code).toBe('CONCURRENT_UPDATE');
    const won = answers.filter((r) => r.status === 200).map((r) => r.body.token as string);
    expect(won.length).toBeGreaterThan(0);
    const generation = (token: string) => Number(token.split('.')[2]);
    const generations = won.map(generation);
    expect(new Set(generations).size).toBe(won.length);
    const last = won[generations.indexOf(Math.max(...generations))]!;
    for (const token of won) {
      a.token = token;
      h.clock.t += 1000;
      expect((await beat(h, a)).status).toBe(token === last ? 200 : 401);
    }
  });
});
