import { beforeEach, describe, expect, it } from 'vitest';
import { failover, groupCensus } from '../../../lambdas/app';
import { world, type World } from './world';

let w: World;
beforeEach(() => {
  w = world();
});

describe('the census behind the GroupsNotNormal metric', () => {
  it('counts no group while both nodes are Normal', async () => {
    await w.normalPair();
    const census = await groupCensus(w.ports);
    expect(census.notNormal).toBe(0);
    expect([...census.nodesInState]).toEqual([]);
  });

  it('counts a group failed over by an operator as not Normal, with its nodes by state', async () => {
    await w.normalPair();
    await failover(w.ports, 'prg-1', 'imp-a');
    const census = await groupCensus(w.ports);
    expect(census.notNormal).toBe(1);
    expect(Object.fromEntries(census.nodesInState)).toEqual({ FAILING_OVER: 1, TAKING_OVER: 1 });
  });
});
