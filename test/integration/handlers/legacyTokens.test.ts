import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { hashToken, StaticNodeTokenKeys } from '../../../lambdas/app';
import { DEFAULT_CRITICAL_SERVICES } from '../../../lambdas/core';
import { legacyNodeRecord } from '../../support/legacyNode';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { beat, type NodeAgent } from '../../support/apiPair';

const DAY = 86_400_000;
let h: ApiHarness;
let windowEnd: number;

beforeEach(async () => {
  h = await apiHarness();
  // Upgraded from the previous release: legacy tokens are checked for 30 more days.
  windowEnd = h.clock.t + 30 * DAY;
  h.ports.nodeTokens = new StaticNodeTokenKeys({
    current: randomBytes(32),
    previous: null,
    legacyUntil: windowEnd,
  });
});

const legacyToken = (nodeId: string) =>
  `prgn.${Buffer.from(nodeId).toString('base64url')}.${randomBytes(32).toString('base64url')}`;

/** A node as the previous release stored it: the hash of its `prgn.` token, no generation. */
async function legacyNode(id: string): Promise<NodeAgent> {
  const token = legacyToken(id);
  await h.ports.nodes.create(
    legacyNodeRecord(id, {
      clusterId: 'c1',
      tokenHash: hashToken(token),
      registeredAt: new Date(h.clock.t - 90 * DAY).toISOString(),
    }),
  );
  return {
    id,
    token,
    bootId: `${id}-boot-1`,
    boot: 0,
    sequence: 0,
    services: Object.fromEntries(DEFAULT_CRITICAL_SERVICES.map((s) => [s, 'running' as const])),
    database: 'up',
  };
}

const send = (nodeId: string, token: string, rawBody = '{not json') =>
  h.call('POST', `/v1/nodes/${nodeId}/heartbeat`, { token, scopes: null, rawBody });

describe('upgrading from tokens without a MAC (prgn.), over HTTP', () => {
  it('a legacy token heartbeats while the window is open: the upgrade fences no node', async () => {
    const a = await legacyNode('imp-a');
    expect((await beat(h, a)).status).toBe(200);
    h.clock.t += 15_000;
    expect((await beat(h, a)).status).toBe(200);
  });

  it('a forged prgn. token is a 401 before the body is judged, for one read at most', async () => {
    await legacyNode('imp-a');
    h.dynamoCalls.length = 0;
    const wellFormed = await send('imp-a', legacyToken('imp-a'));
    expect([wellFormed.status, wellFormed.contentType]).toEqual([401, 'application/problem+json']);
    expect(h.dynamoCalls).toEqual(['GetItemCommand']);
    // An unknown node: the same words, the same single read.
    const ghost = await send('ghost', legacyToken('ghost'));
    expect(ghost.body.detail.replaceAll('ghost', 'imp-a')).toBe(wellFormed.body.detail);
    h.dynamoCalls.length = 0;
    for (const token of ['prgn.aW1wLWE.c2VjcmV0', `prgn.aW1wLWE=.${'A'.repeat(43)}`]) {
      expect((await send('imp-a', token)).status).toBe(401);
    }
    expect((await send('imp-b', legacyToken('imp-a'))).status).toBe(403);
    expect(h.dynamoCalls).toEqual([]);
  });

  it('once the window has closed a legacy token is refused with 401 and no DynamoDB call', async () => {
    const a = await legacyNode('imp-a');
    h.clock.t = windowEnd;
    h.dynamoCalls.length = 0;
    const res = await beat(h, a);
    expect(res.status).toBe(401);
    expect(h.dynamoCalls).toEqual([]);
  });

  it('rotating a legacy node issues a prgn2 token and the legacy one stops working', async () => {
    const a = await legacyNode('imp-a');
    expect((await beat(h, a)).status).toBe(200);
    const rotated = await h.call('POST', '/v1/nodes/imp-a/token');
    expect(rotated.status).toBe(200);
    expect(rotated.body.token).toMatch(/^prgn2\./);
    h.clock.t += 1000;
    expect((await beat(h, a)).status).toBe(401);
    a.token = rotated.body.token;
    expect((await beat(h, a)).status).toBe(200);
  });

  it('the node views say which nodes still hold a legacy token, until each is rotated', async () => {
    await legacyNode('imp-a');
    expect((await h.call('POST', '/v1/nodes', { body: registration('imp-b') })).status).toBe(201);
    const flags = async () => {
      const list = await h.call('GET', '/v1/nodes', { scopes: ['prg/read'] });
      expect(list.status).toBe(200);
      return Object.fromEntries(
        (list.body.nodes as { nodeId: string; legacyToken: boolean }[]).map((n) => [n.nodeId, n.legacyToken]),
      );
    };
    expect(await flags()).toEqual({ 'imp-a': true, 'imp-b': false });
    const one = await h.call('GET', '/v1/nodes/imp-a', { scopes: ['prg/read'] });
    expect([one.status, one.body.legacyToken]).toEqual([200, true]);
    // With the date the window closes, so the rotation can be planned by it.
    expect(one.body.legacyTokenAcceptedUntil).toBe(new Date(windowEnd).toISOString());
    const listed = (await h.call('GET', '/v1/nodes', { scopes: ['prg/read'] })).body.nodes as Record<
      string,
      unknown
    >[];
    expect(listed.map((n) => [n.nodeId, n.legacyTokenAcceptedUntil])).toEqual([
      ['imp-a', new Date(windowEnd).toISOString()],
      ['imp-b', undefined],
    ]);

    expect((await h.call('POST', '/v1/nodes/imp-a/token')).status).toBe(200);
    expect(await flags()).toEqual({ 'imp-a': false, 'imp-b': false });
    const rotated = (await h.call('GET', '/v1/nodes/imp-a')).body;
    expect(rotated.legacyToken).toBe(false);
    expect(rotated).not.toHaveProperty('legacyTokenAcceptedUntil');
  });
});

const registration = (nodeId: string) => ({
  nodeId,
  hostname: `${nodeId}.example.com`,
  clusterId: 'c1',
  softwareVersion: '15.0',
  publisherId: 'pub-1',
});
