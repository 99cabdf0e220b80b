import { describe, expect, it } from 'vitest';
import { CreateUserBodySchema, SetHomeBodySchema, UserIdSchema } from '../../../../lambdas/core';
import { issues, paths, unknownKeys } from './issues';

describe('user id: 1–128 of letters, digits and . _ @ + -', () => {
  it.each([
    ['1 character', 'u'],
    ['128 characters', 'u'.repeat(128)],
    ['an e-mail address', 'first.last+im@example.com'],
    ['an underscore and a hyphen', 'user_1-a'],
  ])('accepts %s', (_what, id) => {
    expect(UserIdSchema.safeParse(id).success).toBe(true);
  });

  it.each([
    ['0 characters', ''],
    ['129 characters', 'u'.repeat(129)],
    ['a space', 'first last'],
    ['a slash, which would break the URL /v1/users/{userId}', 'a/b'],
    ['a non-ASCII letter', 'josé'],
  ])('rejects %s, saying what is allowed', (_what, id) => {
    expect(issues(UserIdSchema, id)).toEqual([
      { path: [], message: 'must be 1–128 characters of letters, digits, ".", "_", "@", "+" or "-"' },
    ]);
  });
});

describe('POST /v1/users body', () => {
  const body = { userId: 'alice@example.com', clusterId: 'cluster-1' };

  it('accepts a user id and a cluster', () => {
    expect(CreateUserBodySchema.parse(body)).toEqual(body);
  });

  it.each([
    ['userId', 'u'.repeat(129)],
    ['userId', undefined],
    ['clusterId', 'c'.repeat(65)],
    ['clusterId', undefined],
  ])('names %s when it is %j', (field, value) => {
    expect(paths(CreateUserBodySchema, { ...body, [field]: value })).toEqual([[field]]);
  });

  it('rejects a home node: the sync agent chooses it', () => {
    expect(unknownKeys(CreateUserBodySchema, { ...body, homeNode: 'imp-a' })).toEqual(['homeNode']);
  });
});

describe('PUT /v1/users/{userId}/home body', () => {
  it('accepts a node id', () => {
    expect(SetHomeBodySchema.parse({ nodeId: 'imp-b' })).toEqual({ nodeId: 'imp-b' });
  });

  it.each([[{}], [{ nodeId: 'n'.repeat(65) }], [{ nodeId: 7 }]])('rejects %j, naming nodeId', (input) => {
    expect(paths(SetHomeBodySchema, input)).toEqual([['nodeId']]);
  });

  it('rejects an unknown field', () => {
    expect(unknownKeys(SetHomeBodySchema, { nodeId: 'imp-b', userId: 'x' })).toEqual(['userId']);
  });
});
