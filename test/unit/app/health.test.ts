import { describe, expect, it } from 'vitest';
import { readiness, UnavailableError } from '../../../lambdas/app';
import { memoryPorts } from '../../support/memory';

describe('readiness', () => {
  it('is ok while storage answers', async () => {
    const world = memoryPorts();
    expect(await readiness(world.ports)).toEqual({ status: 'ok' });
  });

  it('is unavailable, saying why and what to do, when storage does not answer', async () => {
    const world = memoryPorts();
    world.storage.down = 'connect ECONNREFUSED 127.0.0.1:8000';
    const refusal = readiness(world.ports);
    await expect(refusal).rejects.toBeInstanceOf(UnavailableError);
    await expect(refusal).rejects.toThrow(/ECONNREFUSED.*restarts DynamoDB Local/s);
  });
});
