import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  authenticateNode,
  DEFAULT_LEGACY_NODE_TOKENS_UNTIL,
  getNode,
  hashToken,
  legacyWindowEnd,
  listNodes,
  nodeView,
  patchClusterParameters,
  rotateToken,
  StaticNodeTokenKeys,
} from '../../../lambdas/app';
import { DEFAULT_CRITICAL_SERVICES } from '../../../lambdas/core';
import { legacyNodeRecord } from '../../support/legacyNode';
import { CLOCK_START } from '../../support/memory';
import { FAST, world, type Agent, type World } from './world';

const DAY = 86_400_000;
const KEY = randomBytes(32);

/** A token as the release before MACs issued it: `prgn.<node id>.<256 random bits>`. */
function legacyToken(nodeId: string): string {
  return `prgn.${Buffer.from(nodeId).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
}

/** A world upgraded from the previous release: the legacy window open for `days` more days. */
function upgraded(days = 30): World {
  const w = world();
  w.ports.nodeTokens = new StaticNodeTokenKeys({
    current: KEY,
    previous: null,
    legacyUntil: CLOCK_START + days * DAY,
  });
  return w;
}

/** A node registered by the previous release: its token's hash, and no generation. */
async function legacyNode(w: World, id: string): Promise<Agent> {
  const token = legacyToken(id);
  await w.ports.nodes.create(
    legacyNodeRecord(id, {
      clusterId: 'c1',
      tokenHash: hashToken(token),
      registeredAt: new Date(CLOCK_START - 90 * DAY).toISOString(),
    }),
  );
  return {
    id,
    token,
    bootId: `${id}-boot-1`,
    sequence: 0,
    services: Object.fromEntries(DEFAULT_CRITICAL_SERVICES.map((s) => [s, 'running' as const])),
    database: 'up',
  };
}

/** The storage calls `run` makes, by operation. */
async function callsOf(w: World, run: () => Promise<unknown>): Promise<string[]> {
  const before = w.db.calls.length;
  await run().catch(() => undefined);
  return w.db.calls.slice(before);
}

/** A legacy fleet upgraded, in an HA group, steady. */
async function legacyPair() {
  const w = upgraded();
  await patchClusterParameters(w.ports, 'c1', FAST);
  const a = await legacyNode(w, 'imp-a');
  const b = await legacyNode(w, 'imp-b');
  await w.beat(a);
  await w.beat(b);
  await w.createGroup({ name: 'prg-1', nodes: ['imp-a', 'imp-b'], highAvailability: true });
  await w.beatBoth(a, b, 2);
  return { w, a, b };
}

describe('upgrading a fleet whose nodes hold tokens of the previous release (prgn.)', () => {
  it('an upgrade does not fence the fleet: legacy tokens heartbeat while the window is open', async () => {
    const { w } = await legacyPair();
    expect((await w.states()).map(([state]) => state)).toEqual(['NORMAL', 'NORMAL']);
  });

  it('a legacy token costs one read, on top of the heartbeat itself', async () => {
    const { w, a } = await legacyPair();
    w.clock.advance(1000);
    const calls = await callsOf(w, () => w.beat(a));
    expect(
      calls.filter((c) => c === 'nodes.get'),
      calls.join(),
    ).toHaveLength(1);
    expect(calls).toContain('groups.steadyHeartbeat');
  });

  it('says which nodes are still on a legacy token, once an hour per node, with when the window closes', async () => {
    const { w, a, b } = await legacyPair();
    const warnings = () =>
      w.log
        .at('warn')
        .filter((l) => l.message.includes('legacy (prgn.) token') && l.extra?.nodeId === 'imp-a');
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]!.extra).toMatchObject({
      legacyTokensUntil: new Date(CLOCK_START + 30 * DAY).toISOString(),
    });
    await w.beatBoth(a, b, 20);
    expect(warnings()).toHaveLength(1);
    w.clock.advance(3_600_000);
    await w.beat(a);
    expect(warnings()).toHaveLength(2);
  });

  it('after the window closes a legacy token is refused with 401, at no storage cost', async () => {
    const { w, a } = await legacyPair();
    w.clock.advance(31 * DAY);
    let refused: unknown;
    const calls = await callsOf(w, () => w.beat(a).catch((e: unknown) => ((refused = e), Promise.reject(e))));
    expect(refused).toMatchObject({ name: 'UnauthorizedError' });
    expect(calls).toEqual([]);
  });

  it('with the window closed (the default of tests and new installs) a legacy token is refused at no cost', async () => {
    const w = world();
    const a = await legacyNode(w, 'imp-a');
    const calls = await callsOf(w, () =>
      expect(authenticateNode(w.ports, 'imp-a', a.token)).rejects.toMatchObject({
        name: 'UnauthorizedError',
      }),
    );
    expect(calls).toEqual([]);
  });

  it('a forged prgn. token costs at most one read, no write, and leaves the real node on the one-write path', async () => {
    const { w, a, b } = await legacyPair();
    const forged = [
      legacyToken('imp-a'), // well formed, wrong random part: one read, then 401
      `prgn.${Buffer.from('imp-a').toString('base64url')}.c2VjcmV0`, // malformed: no read
      a.token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
    ];
    for (const token of forged) {
      const calls = await callsOf(w, () =>
        expect(authenticateNode(w.ports, 'imp-a', token)).rejects.toMatchObject({
          name: 'UnauthorizedError',
        }),
      );
      expect(calls.length, token).toBeLessThanOrEqual(1);
      expect(calls.every((c) => c === 'nodes.get')).toBe(true);
      // The use case alone (no handler in front) is no more costly, and writes nothing.
      const direct = await callsOf(w, () => w.beat({ ...a, token }));
      expect(
        direct.every((c) => c === 'nodes.get'),
        direct.join(),
      ).toBe(true);
    }
    // Another node's legacy token on this path: 403, no read (nothing proves it is real).
    const other = await callsOf(w, () =>
      expect(authenticateNode(w.ports, 'imp-a', b.token)).rejects.toMatchObject({ name: 'ForbiddenError' }),
    );
    expect(other).toEqual([]);
    // The real node is still in the function's cache: its next heartbeat reads only its own token.
    w.clock.advance(1000);
    const calls = await callsOf(w, () => w.beat(a));
    expect(
      calls.filter((c) => c !== 'settings.clusterParametersRecord'),
      calls.join(),
    ).toEqual(['nodes.get', 'groups.steadyHeartbeat']);
  });

  it('rotation issues a prgn2 token and revokes the legacy one at once', async () => {
    const { w, a } = await legacyPair();
    const old = a.token;
    const { token } = await rotateToken(w.ports, 'imp-a');
    expect(token.startsWith('prgn2.imp')).toBe(false);
    expect(token.split('.')[0]).toBe('prgn2');
    expect((await w.ports.nodes.get('imp-a'))?.tokenGeneration).toBe(1);
    w.clock.advance(1000);
    await expect(w.beat({ ...a, token: old })).rejects.toMatchObject({ name: 'UnauthorizedError' });
    // Even once the function no longer trusts what it saw a moment ago.
    w.clock.advance(60_000);
    await expect(w.beat({ ...a, token: old })).rejects.toMatchObject({ name: 'UnauthorizedError' });
    a.token = token;
    await expect(w.beat(a)).resolves.toMatchObject({ group: 'prg-1' });
  });

  it('the node views say when the window closes for a node on a legacy token, and nothing for the others', async () => {
    const w = upgraded(30);
    await legacyNode(w, 'imp-a');
    await w.register('imp-b');
    const closes = new Date(CLOCK_START + 30 * DAY).toISOString();
    const listed = (await listNodes(w.ports, { limit: 10 })).nodes;
    expect(listed.map((n) => [n.nodeId, n.legacyToken, n.legacyTokenAcceptedUntil])).toEqual([
      ['imp-a', true, closes],
      ['imp-b', false, undefined],
    ]);
    expect(await nodeView(w.ports, await getNode(w.ports, 'imp-a'))).toMatchObject({
      legacyToken: true,
      legacyTokenAcceptedUntil: closes,
    });
    expect(await nodeView(w.ports, await getNode(w.ports, 'imp-b'))).not.toHaveProperty(
      'legacyTokenAcceptedUntil',
    );
  });

  it('a deployment that accepts no legacy token says null for a node still on one', async () => {
    const w = world();
    await legacyNode(w, 'imp-a');
    expect((await listNodes(w.ports, { limit: 10 })).nodes[0]).toMatchObject({
      legacyToken: true,
      legacyTokenAcceptedUntil: null,
    });
  });

  it('a node list does not fail when the token keys cannot be read: the legacy node is flagged without a date', async () => {
    const w = upgraded(30);
    await legacyNode(w, 'imp-a');
    w.ports.nodeTokens = {
      keyRing: () => Promise.reject(new Error('Secrets Manager is unreachable')),
    };
    const [view] = (await listNodes(w.ports, { limit: 10 })).nodes;
    expect(view).toMatchObject({ nodeId: 'imp-a', legacyToken: true });
    expect(view).not.toHaveProperty('legacyTokenAcceptedUntil');
  });
});

describe('the legacy window setting', () => {
  it('defaults to the release date, takes an ISO date-time or "closed", and refuses anything else', () => {
    expect(legacyWindowEnd(undefined, 'X')).toBe(Date.parse(DEFAULT_LEGACY_NODE_TOKENS_UNTIL));
    expect(legacyWindowEnd('', 'X')).toBe(Date.parse(DEFAULT_LEGACY_NODE_TOKENS_UNTIL));
    expect(legacyWindowEnd('2027-01-15T00:00:00Z', 'X')).toBe(Date.UTC(2027, 0, 15));
    expect(legacyWindowEnd('closed', 'X')).toBeNull();
    expect(() => legacyWindowEnd('next month', 'PRG_LEGACY_NODE_TOKENS_UNTIL')).toThrow(
      /PRG_LEGACY_NODE_TOKENS_UNTIL must be an ISO date-time/,
    );
  });
});
