/**
 * Every admin action that changes no node's state still says who did it (docs/events.md,
 * `AdminAction`): deleting a group, changing only its description, registering, rotating
 * the token of and deleting a node, node and cluster parameters, the enterprise
 * parameters, adding, deleting and placing users, and a rebalance. (Before, these left at
 * most a function log line: an auditor could not tell who had deleted a group or rotated
 * a token.) Each action's record is written with the action, names the caller, the fields
 * it set (never a token or hash), and a refused action records nothing.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { relayOutbox } from '../../../lambdas/app';
import { apiHarness, type ApiHarness, type CallOptions } from '../../support/apiHarness';
import { normalPair, registerNode } from '../../support/apiPair';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

const READ = { scopes: ['prg/read'] };
/** A person signed in through Cognito (the console, prg login --browser). */
const ALICE: CallOptions = { claims: { 'cognito:username': 'alice', client_id: 'console' } };
/** The embedded default's admin token: no identity in it. */
const ADMIN: CallOptions = {};

interface AdminEvent {
  detailType: 'AdminAction';
  action: string;
  group?: string;
  nodeId?: string;
  clusterId?: string;
  userId?: string;
  changed: string[];
  summary: string;
  by: string;
  at: string;
  eventId: string;
}

/** A mark in the published events; `since(mark)` is the admin actions published after it. */
const mark = () => h.published().length;
const since = (m: number) =>
  h
    .published()
    .slice(m)
    .filter((e) => e.detailType === 'AdminAction') as unknown as AdminEvent[];

const history = async (group = 'prg-1') =>
  (await h.call('GET', `/v1/groups/${group}/history`, { ...READ, query: { limit: '100' } })).body.history as {
    nodeId: string;
    from: string | null;
    to: string | null;
    cause: string;
    by?: string;
  }[];

/** The durable audit lines (partition `#audit` of the history table), oldest first. */
async function auditLines(): Promise<Record<string, unknown>[]> {
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: inject('dynamoEndpoint'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const out = await db.send(
    new QueryCommand({
      TableName: h.tables.history,
      KeyConditionExpression: '#g = :p',
      ExpressionAttributeNames: { '#g': 'group' },
      ExpressionAttributeValues: { ':p': '#audit' },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

/** Calls the action, expects `status`, and returns the one AdminAction it published. */
async function recorded(
  method: string,
  path: string,
  options: CallOptions,
  status: number,
): Promise<AdminEvent> {
  const m = mark();
  const res = await h.call(method, path, options);
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  const events = since(m);
  expect(events).toHaveLength(1);
  return events[0]!;
}

/** Calls an action that must be refused with `status`: no event, no audit line, no history line. */
async function refused(method: string, path: string, options: CallOptions, status: number): Promise<void> {
  const m = mark();
  const lines = (await auditLines()).length;
  const res = await h.call(method, path, options);
  expect(res.status).toBe(status);
  expect(since(m)).toEqual([]);
  expect((await auditLines()).length).toBe(lines);
}

const nodeBody = (nodeId: string) => ({
  nodeId,
  hostname: `${nodeId}.example.com`,
  clusterId: 'c1',
  softwareVersion: '15.0',
  publisherId: 'pub-1',
});

describe('defect: admin actions other than state changes recorded no caller in events or history', () => {
  it('DELETE /v1/groups/{name}: GroupDeleted with the caller, a history line per node; refused while a failover runs', async () => {
    await normalPair(h);
    const event = await recorded('DELETE', '/v1/groups/prg-1', ALICE, 204);
    expect(event).toMatchObject({
      action: 'GroupDeleted',
      group: 'prg-1',
      clusterId: 'c1',
      by: 'user alice',
      eventId: expect.stringMatching(/^prg-1:\d+:0$/),
    });
    // The lines stay in the group's history: a group created again under the name shows them.
    const created = await h.call('POST', '/v1/groups', {
      body: { name: 'prg-1', nodes: ['imp-a', 'imp-b'], highAvailability: true },
    });
    expect(created.status).toBe(201);
    const deleted = (await history()).filter((l) => l.cause.startsWith('Group deleted by user alice'));
    expect(deleted.map((l) => [l.nodeId, l.by]).sort()).toEqual([
      ['imp-a', 'user alice'],
      ['imp-b', 'user alice'],
    ]);
    expect((await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } })).status).toBe(
      202,
    );
    const lines = (await history()).length;
    await refused('DELETE', '/v1/groups/prg-1', ALICE, 409);
    expect((await history()).length).toBe(lines);

    await registerNode(h, 'imp-c');
    await registerNode(h, 'imp-d');
    expect(
      (await h.call('POST', '/v1/groups', { body: { name: 'prg-2', nodes: ['imp-c', 'imp-d'] } })).status,
    ).toBe(201);
    expect(await recorded('DELETE', '/v1/groups/prg-2', ADMIN, 204)).toMatchObject({
      group: 'prg-2',
      by: 'admin token',
    });
  });

  it('PATCH /v1/groups/{name} with only a description: GroupDescriptionChanged and history lines with the caller', async () => {
    await normalPair(h);
    const before = (await history()).length;
    const event = await recorded(
      'PATCH',
      '/v1/groups/prg-1',
      { body: { description: 'Paris pair' }, ...ALICE },
      200,
    );
    expect(event).toMatchObject({
      action: 'GroupDescriptionChanged',
      group: 'prg-1',
      changed: ['description'],
      by: 'user alice',
    });
    const lines = await history();
    expect(lines.length).toBe(before + 2);
    expect(lines.slice(0, 2).map((l) => [l.by, l.from === l.to])).toEqual([
      ['user alice', true],
      ['user alice', true],
    ]);
    expect(
      await recorded('PATCH', '/v1/groups/prg-1', { body: { description: 'Lyon pair' }, ...ADMIN }, 200),
    ).toMatchObject({ by: 'admin token' });
    expect((await h.call('GET', '/v1/groups/prg-1', READ)).body.description).toBe('Lyon pair');
    // The same description again changes nothing and records nothing.
    const m = mark();
    expect((await h.call('PATCH', '/v1/groups/prg-1', { body: { description: 'Lyon pair' } })).status).toBe(
      200,
    );
    expect(since(m)).toEqual([]);
    await refused('PATCH', '/v1/groups/prg-1', { body: { description: 7 } }, 400);
    expect((await history()).length).toBe(before + 4);
  });

  it('POST /v1/nodes: NodeRegistered with the caller and the fields given, never the token', async () => {
    const m = mark();
    const res = await h.call('POST', '/v1/nodes', { body: nodeBody('imp-a'), ...ALICE });
    expect(res.status).toBe(201);
    const [event] = since(m);
    expect(event).toMatchObject({
      action: 'NodeRegistered',
      nodeId: 'imp-a',
      clusterId: 'c1',
      by: 'user alice',
      changed: ['clusterId', 'hostname', 'nodeId', 'publisherId', 'softwareVersion'],
      eventId: expect.stringMatching(/^#admin:\d+:0$/),
    });
    expect(JSON.stringify(event)).not.toContain(res.body.token as string);
    expect(await recorded('POST', '/v1/nodes', { body: nodeBody('imp-b'), ...ADMIN }, 201)).toMatchObject({
      nodeId: 'imp-b',
      by: 'admin token',
    });
    await refused('POST', '/v1/nodes', { body: nodeBody('imp-a') }, 409);
  });

  it('POST /v1/nodes/{nodeId}/token: NodeTokenRotated naming the generation, never the token or hash', async () => {
    await normalPair(h);
    const m = mark();
    const res = await h.call('POST', '/v1/nodes/imp-a/token', ALICE);
    expect(res.status).toBe(200);
    const [event] = since(m);
    expect(event).toMatchObject({
      action: 'NodeTokenRotated',
      nodeId: 'imp-a',
      group: 'prg-1',
      changed: ['token'],
      by: 'user alice',
    });
    expect(event!.summary).toContain('generation 1 → 2');
    const lines = await auditLines();
    expect(JSON.stringify([event, lines])).not.toContain(res.body.token as string);
    expect(JSON.stringify(lines)).not.toMatch(/tokenHash/);
    expect(await recorded('POST', '/v1/nodes/imp-b/token', ADMIN, 200)).toMatchObject({ by: 'admin token' });
    await refused('POST', '/v1/nodes/imp-z/token', ADMIN, 404);
  });

  it('DELETE /v1/nodes/{nodeId}: NodeDeleted with the caller; a node in a group is refused and records nothing', async () => {
    await normalPair(h);
    await registerNode(h, 'imp-c');
    await registerNode(h, 'imp-d');
    expect(await recorded('DELETE', '/v1/nodes/imp-c', ALICE, 204)).toMatchObject({
      action: 'NodeDeleted',
      nodeId: 'imp-c',
      by: 'user alice',
    });
    expect(await recorded('DELETE', '/v1/nodes/imp-d', ADMIN, 204)).toMatchObject({ by: 'admin token' });
    await refused('DELETE', '/v1/nodes/imp-a', ALICE, 409);
  });

  it('PATCH /v1/nodes/{nodeId}/parameters: NodeParametersChanged naming the fields that changed', async () => {
    await normalPair(h);
    expect(
      await recorded(
        'PATCH',
        '/v1/nodes/imp-a/parameters',
        { body: { clientReloginUpperLimit: 900 }, ...ALICE },
        200,
      ),
    ).toMatchObject({
      action: 'NodeParametersChanged',
      nodeId: 'imp-a',
      group: 'prg-1',
      changed: ['clientReloginUpperLimit'],
      by: 'user alice',
    });
    expect(
      await recorded('PATCH', '/v1/nodes/imp-a/parameters', { body: { clientReloginLowerLimit: 30 } }, 200),
    ).toMatchObject({ changed: ['clientReloginLowerLimit'], by: 'admin token' });
    await refused(
      'PATCH',
      '/v1/nodes/imp-a/parameters',
      { body: { clientReloginLowerLimit: 1000, clientReloginUpperLimit: 10 } },
      400,
    );
  });

  it('PATCH /v1/clusters/{clusterId}/parameters: ClusterParametersChanged naming the fields that changed', async () => {
    await normalPair(h);
    expect(
      await recorded(
        'PATCH',
        '/v1/clusters/c1/parameters',
        { body: { keepAliveTimeout: 4, keepAliveInterval: 1 }, ...ALICE },
        200,
      ),
    ).toMatchObject({
      action: 'ClusterParametersChanged',
      clusterId: 'c1',
      // keepAliveInterval was 1 already: only what changed is named.
      changed: ['keepAliveTimeout'],
      by: 'user alice',
    });
    expect(
      await recorded('PATCH', '/v1/clusters/c1/parameters', { body: { keepAliveTimeout: 3 } }, 200),
    ).toMatchObject({ by: 'admin token' });
    await refused('PATCH', '/v1/clusters/c1/parameters', { body: { keepAliveTimeout: 0 } }, 400);
  });

  it('PUT /v1/enterprise-parameters: EnterpriseParametersChanged with the mode', async () => {
    const event = await recorded(
      'PUT',
      '/v1/enterprise-parameters',
      { body: { userAssignmentMode: 'NONE' }, ...ALICE },
      200,
    );
    expect(event).toMatchObject({
      action: 'EnterpriseParametersChanged',
      changed: ['userAssignmentMode'],
      by: 'user alice',
    });
    expect(event.summary).toContain('NONE');
    expect(
      await recorded('PUT', '/v1/enterprise-parameters', { body: { userAssignmentMode: 'BALANCED' } }, 200),
    ).toMatchObject({ by: 'admin token' });
    await refused('PUT', '/v1/enterprise-parameters', { body: { userAssignmentMode: 'SOMETIMES' } }, 400);
  });

  it('users: UserAdded, UserHomeSet and UserDeleted with the caller; refused ones record nothing', async () => {
    await normalPair(h);
    expect(
      await recorded('POST', '/v1/users', { body: { userId: 'u1', clusterId: 'c1' }, ...ALICE }, 201),
    ).toMatchObject({ action: 'UserAdded', userId: 'u1', clusterId: 'c1', by: 'user alice' });
    expect(
      await recorded('POST', '/v1/users', { body: { userId: 'u2', clusterId: 'c1' } }, 201),
    ).toMatchObject({
      by: 'admin token',
    });
    await refused('POST', '/v1/users', { body: { userId: 'u1', clusterId: 'c1' } }, 409);

    // By hand only in mode NONE: refused (and unrecorded) before, recorded after.
    const home = (await h.call('GET', '/v1/users/u1', READ)).body.homeNode as string;
    const other = home === 'imp-a' ? 'imp-b' : 'imp-a';
    await refused('PUT', '/v1/users/u1/home', { body: { nodeId: other } }, 409);
    expect(
      (await h.call('PUT', '/v1/enterprise-parameters', { body: { userAssignmentMode: 'NONE' } })).status,
    ).toBe(200);
    const moved = await recorded('PUT', '/v1/users/u1/home', { body: { nodeId: other }, ...ALICE }, 200);
    expect(moved).toMatchObject({
      action: 'UserHomeSet',
      userId: 'u1',
      changed: ['homeNode'],
      by: 'user alice',
    });
    expect(moved.summary).toContain(`${home} → ${other}`);

    expect(await recorded('DELETE', '/v1/users/u1', ALICE, 204)).toMatchObject({
      action: 'UserDeleted',
      userId: 'u1',
      by: 'user alice',
    });
    expect(await recorded('DELETE', '/v1/users/u2', ADMIN, 204)).toMatchObject({ by: 'admin token' });
    await refused('DELETE', '/v1/users/u1', ADMIN, 404);
  });

  it('POST /v1/clusters/{clusterId}/rebalance: ClusterRebalanced with the caller; refused during a failover', async () => {
    await normalPair(h);
    expect(await recorded('POST', '/v1/clusters/c1/rebalance', ALICE, 202)).toMatchObject({
      action: 'ClusterRebalanced',
      clusterId: 'c1',
      by: 'user alice',
    });
    expect(await recorded('POST', '/v1/clusters/c1/rebalance', ADMIN, 202)).toMatchObject({
      by: 'admin token',
    });
    expect((await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } })).status).toBe(
      202,
    );
    await refused('POST', '/v1/clusters/c1/rebalance', ADMIN, 409);
  });

  it('each record is also an audit line (partition #audit) with the caller, kept after the bus forgot the event', async () => {
    await recorded('POST', '/v1/nodes', { body: nodeBody('imp-a'), ...ALICE }, 201);
    // Lines are ordered by time; two actions within one millisecond have no order between them.
    h.clock.t += 1000;
    await recorded('DELETE', '/v1/nodes/imp-a', ADMIN, 204);
    expect((await auditLines()).map((l) => [l.action, l.nodeId, l.by])).toEqual([
      ['NodeRegistered', 'imp-a', 'user alice'],
      ['NodeDeleted', 'imp-a', 'admin token'],
    ]);
  });

  it('with the bus down the action still succeeds, its record waits in the outbox, and the sweep publishes it once', async () => {
    h.events.on(PutEventsCommand).rejects(new Error('bus down'));
    const m = mark();
    expect((await h.call('POST', '/v1/nodes', { body: nodeBody('imp-a'), ...ALICE })).status).toBe(201);
    h.events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const attempted = since(m);
    h.clock.t += 11_000;
    expect(await relayOutbox(h.ports)).toBe(1);
    const relayed = since(m).slice(attempted.length);
    expect(relayed).toEqual([expect.objectContaining({ action: 'NodeRegistered', by: 'user alice' })]);
    expect(await relayOutbox(h.ports)).toBe(0);
  });
});
