import { describe, expect, it } from 'vitest';
import {
  CreateGroupBodySchema,
  FORBIDDEN_DESCRIPTION_CHARACTERS,
  GroupDescriptionSchema,
  GroupNameSchema,
  GroupsQuerySchema,
  HistoryQuerySchema,
  NodeActionBodySchema,
  UpdateGroupBodySchema,
} from '../../../../lambdas/core';
import { distinctPaths, issues, paths, unknownKeys } from './issues';

describe('group name: 1–128 of letters, digits, "_" and "-"', () => {
  it.each([
    ['1 character', 'g'],
    ['128 characters', 'g'.repeat(128)],
    ['underscores and hyphens', 'prg_1-east'],
  ])('accepts %s', (_what, name) => {
    expect(GroupNameSchema.safeParse(name).success).toBe(true);
  });

  it.each([
    ['0 characters', ''],
    ['129 characters', 'g'.repeat(129)],
    ['a dot (allowed in node ids, not in group names)', 'prg.1'],
    ['a space', 'prg 1'],
    ['a slash, which would break the URL /v1/groups/{name}', 'prg/1'],
  ])('rejects %s, saying what is allowed', (_what, name) => {
    expect(issues(GroupNameSchema, name)).toEqual([
      { path: [], message: 'must be 1–128 characters of letters, digits, "_" or "-"' },
    ]);
  });
});

describe('group description: 0–128 characters, none of " % & \\ / < >', () => {
  it.each([
    ['empty', ''],
    ['128 characters', 'd'.repeat(128)],
    ['other punctuation', "Building 2, floor 3: IM and P pair #1 (primary), it's ok? yes!"],
    ['128 non-ASCII characters, counted as the operator sees them', 'é'.repeat(127) + '🙂'],
  ])('accepts %s', (_what, text) => {
    expect(GroupDescriptionSchema.safeParse(text).success).toBe(true);
  });

  it('rejects 129 characters, saying how many it has', () => {
    expect(issues(GroupDescriptionSchema, 'd'.repeat(129))).toEqual([
      { path: [], message: 'must be at most 128 characters (it has 129)' },
    ]);
  });

  it.each([...FORBIDDEN_DESCRIPTION_CHARACTERS])('rejects %s, naming every forbidden character', (c) => {
    expect(issues(GroupDescriptionSchema, `east ${c} west`)).toEqual([
      { path: [], message: `must not contain any of the characters " % & \\ / < > (found ${c})` },
    ]);
  });

  it('lists the forbidden characters the manual gives, and only those', () => {
    expect(FORBIDDEN_DESCRIPTION_CHARACTERS.join('')).toBe('"%&\\/<>');
  });

  it('names each forbidden character found once', () => {
    expect(issues(GroupDescriptionSchema, '<b>a & b</b>')[0]?.message).toMatch(/\(found < > & \/\)$/);
  });
});

const body = { name: 'prg-1', nodes: ['imp-a', 'imp-b'] };

describe('POST /v1/groups body', () => {
  it('fills in an empty description and high availability off', () => {
    expect(CreateGroupBodySchema.parse(body)).toEqual({ ...body, description: '', highAvailability: false });
  });

  it('accepts a single node without high availability', () => {
    expect(CreateGroupBodySchema.safeParse({ ...body, nodes: ['imp-a'] }).success).toBe(true);
  });

  it('accepts two nodes with high availability', () => {
    expect(CreateGroupBodySchema.safeParse({ ...body, highAvailability: true }).success).toBe(true);
  });

  it.each([
    ['no node', []],
    ['three nodes', ['imp-a', 'imp-b', 'imp-c']],
  ])('rejects %s, naming nodes', (_what, nodes) => {
    expect(paths(CreateGroupBodySchema, { ...body, nodes })).toEqual([['nodes']]);
  });

  it('rejects the same node twice, naming the second entry', () => {
    expect(issues(CreateGroupBodySchema, { ...body, nodes: ['imp-a', 'imp-a'] })).toEqual([
      {
        path: ['nodes', 1],
        message: 'must differ from the first node (imp-a): a group needs two distinct nodes',
      },
    ]);
  });

  it('rejects high availability with one node, naming highAvailability', () => {
    expect(issues(CreateGroupBodySchema, { ...body, nodes: ['imp-a'], highAvailability: true })).toEqual([
      { path: ['highAvailability'], message: 'high availability needs two nodes; the group lists 1' },
    ]);
  });

  it('names the entry of nodes that is not a node id', () => {
    expect(paths(CreateGroupBodySchema, { ...body, nodes: ['imp-a', 'imp b'] })).toEqual([['nodes', 1]]);
  });

  it.each([
    ['name', 'g'.repeat(129)],
    ['name', undefined],
    ['description', 'a/b'],
    ['description', 'd'.repeat(129)],
    ['highAvailability', 'yes'],
    ['nodes', 'imp-a'],
  ])('names %s when it is %j', (field, value) => {
    expect(distinctPaths(CreateGroupBodySchema, { ...body, [field]: value })).toEqual([[field]]);
  });

  it('rejects an unknown field, naming it', () => {
    expect(unknownKeys(CreateGroupBodySchema, { ...body, ha: true })).toEqual(['ha']);
  });
});

describe('PATCH /v1/groups/{name} body', () => {
  it.each([{ description: 'Building 2' }, { description: '' }, { highAvailability: true }])(
    'accepts %j',
    (patch) => {
      expect(UpdateGroupBodySchema.parse(patch)).toEqual(patch);
    },
  );

  it('does not clear the description when only high availability changes', () => {
    expect(UpdateGroupBodySchema.parse({ highAvailability: false })).not.toHaveProperty('description');
  });

  it('rejects an empty body, saying which fields it may change', () => {
    expect(issues(UpdateGroupBodySchema, {})).toEqual([
      { path: [], message: 'must change at least one of description, highAvailability' },
    ]);
  });

  it('applies the description rules, naming description', () => {
    expect(paths(UpdateGroupBodySchema, { description: 'a > b' })).toEqual([['description']]);
  });

  it('names highAvailability when it is not a boolean', () => {
    expect(issues(UpdateGroupBodySchema, { highAvailability: 1 })).toEqual([
      { path: ['highAvailability'], message: 'must be true or false' },
    ]);
  });

  it('rejects a field that cannot be changed, such as the name or the nodes', () => {
    expect(unknownKeys(UpdateGroupBodySchema, { name: 'other', nodes: ['imp-a'] })).toEqual([
      'name',
      'nodes',
    ]);
  });
});

describe('failover and fallback body { nodeId }', () => {
  it('accepts a node id', () => {
    expect(NodeActionBodySchema.parse({ nodeId: 'imp-a' })).toEqual({ nodeId: 'imp-a' });
  });

  it.each([[{}], [{ nodeId: '' }], [{ nodeId: 'n'.repeat(65) }]])('rejects %j, naming nodeId', (input) => {
    expect(paths(NodeActionBodySchema, input)).toEqual([['nodeId']]);
  });

  it('rejects an unknown field', () => {
    expect(unknownKeys(NodeActionBodySchema, { nodeId: 'imp-a', force: true })).toEqual(['force']);
  });
});

describe('GET /v1/groups?name=PREFIX', () => {
  it.each([[{}], [{ name: '' }], [{ name: 'prg-' }], [{ name: 'g'.repeat(128) }]])('accepts %j', (q) => {
    expect(GroupsQuerySchema.safeParse(q).success).toBe(true);
  });

  it.each([['g'.repeat(129)], ['prg.'], ['prg*']])('rejects the prefix %j, naming name', (name) => {
    expect(paths(GroupsQuerySchema, { name })).toEqual([['name']]);
  });

  it('rejects an unknown query parameter', () => {
    expect(unknownKeys(GroupsQuerySchema, { prefix: 'prg' })).toEqual(['prefix']);
  });
});

describe('GET /v1/groups/{name}/history?limit=N', () => {
  it('returns 50 entries when no limit is given', () => {
    expect(HistoryQuerySchema.parse({})).toEqual({ limit: 50 });
  });

  it.each([
    ['1', 1],
    ['1000', 1000],
    ['75', 75],
  ])('reads the query string %j as %i', (limit, expected) => {
    expect(HistoryQuerySchema.parse({ limit })).toEqual({ limit: expected });
  });

  it.each(['0', '1001', '2.5', 'ten', '', '-1'])('rejects %j, naming limit and its range', (limit) => {
    expect(distinctPaths(HistoryQuerySchema, { limit })).toEqual([['limit']]);
    expect(issues(HistoryQuerySchema, { limit })[0]?.message).toBe('must be a whole number from 1 to 1000');
  });

  it('rejects an unknown query parameter', () => {
    expect(unknownKeys(HistoryQuerySchema, { offset: '10' })).toEqual(['offset']);
  });
});
