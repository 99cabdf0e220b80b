import { beforeEach, describe, expect, it } from 'vitest';
import type { UserRepository } from '../../../lambdas/app';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { expectProblem, normalPair, states } from '../../support/apiPair';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

/**
 * Runs `between` after the use case has decided to admit the user and before its write
 * reaches DynamoDB: the moment a concurrent failover would have to hit.
 */
function interleave(between: () => Promise<void>): void {
  const users = h.ports.users;
  const create = users.create.bind(users);
  const wrapped: UserRepository['create'] = async (...args) => {
    await between();
    return create(...args);
  };
  users.create = wrapped;
}

describe('"no new users during failover" can be bypassed', () => {
  it('a failover that starts between the admission check and the user write refuses the user with 409, and nothing is written', async () => {
    await normalPair(h);
    interleave(async () => {
      const f = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } });
      expect(f.status).toBe(202);
    });
    const res = await h.call('POST', '/v1/users', { body: { userId: 'u-late', clusterId: 'c1' } });
    expectProblem(res, 409);
    expect(res.body.code).toBe('FAILOVER_IN_PROGRESS');
    expect(res.body.detail).toMatch(/prg-1/);
    expect((await h.call('GET', '/v1/users/u-late', { scopes: ['prg/read'] })).status).toBe(404);
    for (const id of ['imp-a', 'imp-b']) expect((await h.ports.nodes.get(id))!.userCount).toBe(0);
    expect(await states(h)).toEqual([
      ['FAILING_OVER', 'ON_ADMIN_REQUEST'],
      ['TAKING_OVER', 'ON_ADMIN_REQUEST'],
    ]);
  });

  it('without a failover in between the user is added, in the same one transaction', async () => {
    await normalPair(h);
    interleave(async () => undefined);
    const res = await h.call('POST', '/v1/users', { body: { userId: 'u-ok', clusterId: 'c1' } });
    expect(res.status).toBe(201);
    const home = res.body.homeNode as string;
    expect((await h.ports.nodes.get(home))!.userCount).toBe(1);
  });
});
