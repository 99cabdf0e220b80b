import { describe, expect, it } from 'vitest';
import { ClusterIdSchema, NodeIdSchema } from '../../../../lambdas/core';
import { issues } from './issues';

describe.each([
  ['nodeId', NodeIdSchema],
  ['clusterId', ClusterIdSchema],
])('%s: 1–64 of letters, digits, ".", "_" and "-"', (_name, schema) => {
  it.each([
    ['1 character', 'a'],
    ['64 characters', 'n'.repeat(64)],
    ['a host-like id', 'imp-1.example_com'],
    ['digits only', '0123456789'],
  ])('accepts %s', (_what, id) => {
    expect(schema.safeParse(id).success).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['65 characters', 'n'.repeat(65)],
    ['a space', 'imp 1'],
    ['a slash', 'imp/1'],
    ['a colon', 'imp:1'],
    ['an "@"', 'imp@1'],
    ['a non-ASCII letter', 'impé'],
    ['a line break', 'imp\n'],
  ])('rejects %s, saying what is allowed', (_what, id) => {
    expect(issues(schema, id)).toEqual([
      { path: [], message: 'must be 1–64 characters of letters, digits, ".", "_" or "-"' },
    ]);
  });

  it('rejects a number', () => {
    expect(schema.safeParse(42).success).toBe(false);
  });
});
