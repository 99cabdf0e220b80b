import { describe, expect, it } from 'vitest';
import {
  ClusterParametersPatchSchema,
  ClusterParametersSchema,
  DEFAULT_CLUSTER_PARAMETERS,
  DEFAULT_CRITICAL_SERVICES,
  DEFAULT_NODE_PARAMETERS,
  NodeParametersPatchSchema,
  NodeParametersSchema,
} from '../../../../lambdas/core';
import { issues, paths, unknownKeys } from './issues';

/** Defaults with timers wide enough that only the field under test can break a rule. */
const roomy = { ...DEFAULT_CLUSTER_PARAMETERS, keepAliveInterval: 1, keepAliveTimeout: 2 };

describe('cluster-wide parameters', () => {
  it('has the manual’s defaults, and they are valid', () => {
    expect(DEFAULT_CLUSTER_PARAMETERS).toEqual({
      servicePort: 22001,
      adminRpcPort: 20075,
      criticalServiceDelay: 90,
      enableAutomaticFallback: false,
      automaticFallbackDelay: 1800,
      initializationKeepAliveTimeout: 120,
      keepAliveTimeout: 60,
      keepAliveInterval: 15,
      criticalServices: [...DEFAULT_CRITICAL_SERVICES],
    });
    expect(ClusterParametersSchema.safeParse(DEFAULT_CLUSTER_PARAMETERS).success).toBe(true);
  });

  describe.each([
    ['servicePort', 1, 65535],
    ['adminRpcPort', 1, 65535],
    ['criticalServiceDelay', 0, 3600],
    ['automaticFallbackDelay', 0, 86400],
    ['initializationKeepAliveTimeout', 2, 3600],
    ['keepAliveTimeout', 2, 3600],
    ['keepAliveInterval', 1, 300],
  ] as const)('%s (%i–%i)', (field, min, max) => {
    const full = (value: unknown) => ({
      ...roomy,
      ...(field === 'keepAliveTimeout' ? { initializationKeepAliveTimeout: 3600 } : {}),
      ...(field === 'keepAliveInterval'
        ? { keepAliveTimeout: 3600, initializationKeepAliveTimeout: 3600 }
        : {}),
      [field]: value,
    });

    it.each([min, max])('accepts %i', (value) => {
      expect(ClusterParametersSchema.safeParse(full(value)).success).toBe(true);
      expect(ClusterParametersPatchSchema.safeParse({ [field]: value }).success).toBe(true);
    });

    it.each([max + 1, 2.5, '60', null])('rejects %j, naming the field', (value) => {
      expect(paths(ClusterParametersPatchSchema, { [field]: value })).toEqual([[field]]);
      expect(paths(ClusterParametersSchema, full(value))).toContainEqual([field]);
    });
  });

  it.each([
    ['servicePort', 0],
    ['adminRpcPort', 0],
    ['criticalServiceDelay', -1],
    ['automaticFallbackDelay', -1],
    ['initializationKeepAliveTimeout', 0],
    ['keepAliveTimeout', 0],
    ['keepAliveInterval', 0],
  ])('rejects %s one below its minimum (%i)', (field, value) => {
    expect(paths(ClusterParametersPatchSchema, { [field]: value })).toEqual([[field]]);
  });

  it('says what range a port must be in', () => {
    expect(issues(ClusterParametersPatchSchema, { servicePort: 70000 })[0]?.message).toMatch(/65535/);
  });

  it('takes enableAutomaticFallback as a boolean only', () => {
    expect(ClusterParametersPatchSchema.safeParse({ enableAutomaticFallback: true }).success).toBe(true);
    expect(paths(ClusterParametersPatchSchema, { enableAutomaticFallback: 'true' })).toEqual([
      ['enableAutomaticFallback'],
    ]);
  });

  describe('keepAliveTimeout must be greater than keepAliveInterval', () => {
    it('rejects keepAliveTimeout equal to keepAliveInterval, naming keepAliveTimeout', () => {
      const p = { ...DEFAULT_CLUSTER_PARAMETERS, keepAliveInterval: 60, keepAliveTimeout: 60 };
      expect(issues(ClusterParametersSchema, p)).toEqual([
        { path: ['keepAliveTimeout'], message: 'must be greater than keepAliveInterval (60 s)' },
      ]);
    });

    it('accepts keepAliveTimeout one second above keepAliveInterval', () => {
      const p = { ...DEFAULT_CLUSTER_PARAMETERS, keepAliveInterval: 59, keepAliveTimeout: 60 };
      expect(ClusterParametersSchema.safeParse(p).success).toBe(true);
    });
  });

  describe('initializationKeepAliveTimeout must be at least keepAliveTimeout', () => {
    it('accepts initializationKeepAliveTimeout equal to keepAliveTimeout', () => {
      const p = { ...DEFAULT_CLUSTER_PARAMETERS, initializationKeepAliveTimeout: 60 };
      expect(ClusterParametersSchema.safeParse(p).success).toBe(true);
    });

    it('rejects it one second below, naming initializationKeepAliveTimeout', () => {
      const p = { ...DEFAULT_CLUSTER_PARAMETERS, initializationKeepAliveTimeout: 59 };
      expect(issues(ClusterParametersSchema, p)).toEqual([
        { path: ['initializationKeepAliveTimeout'], message: 'must be at least keepAliveTimeout (60 s)' },
      ]);
    });
  });

  it('leaves the cross-field rules to the merged result, so a PATCH may move both timers', () => {
    const patch = { keepAliveInterval: 120, keepAliveTimeout: 240, initializationKeepAliveTimeout: 300 };
    expect(ClusterParametersPatchSchema.safeParse(patch).success).toBe(true);
    expect(ClusterParametersSchema.safeParse({ ...DEFAULT_CLUSTER_PARAMETERS, ...patch }).success).toBe(true);
    // The interval alone would overtake the stored timeout: the merged result says so.
    const alone = { ...DEFAULT_CLUSTER_PARAMETERS, keepAliveInterval: 120 };
    expect(paths(ClusterParametersSchema, alone)).toEqual([['keepAliveTimeout']]);
  });

  describe('criticalServices (1–32 names)', () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `Service ${i + 1}`);

    it.each([1, 32])('accepts %i names', (n) => {
      expect(ClusterParametersPatchSchema.safeParse({ criticalServices: names(n) }).success).toBe(true);
    });

    it.each([0, 33])('rejects %i names', (n) => {
      expect(paths(ClusterParametersPatchSchema, { criticalServices: names(n) })).toEqual([
        ['criticalServices'],
      ]);
    });

    it('trims each name', () => {
      const r = ClusterParametersPatchSchema.parse({ criticalServices: ['  Cisco SIP Proxy '] });
      expect(r.criticalServices).toEqual(['Cisco SIP Proxy']);
    });

    it('rejects a name twice, also when only spaces tell them apart', () => {
      expect(
        issues(ClusterParametersPatchSchema, { criticalServices: ['Cisco SIP Proxy', 'Cisco SIP Proxy '] }),
      ).toEqual([{ path: ['criticalServices'], message: 'must not name a service twice' }]);
    });

    it('accepts a name of 128 characters and rejects 129 or blank, naming the entry', () => {
      expect(ClusterParametersPatchSchema.safeParse({ criticalServices: ['s'.repeat(128)] }).success).toBe(
        true,
      );
      expect(paths(ClusterParametersPatchSchema, { criticalServices: ['ok', 's'.repeat(129)] })).toEqual([
        ['criticalServices', 1],
      ]);
      expect(paths(ClusterParametersPatchSchema, { criticalServices: ['   '] })).toEqual([
        ['criticalServices', 0],
      ]);
    });
  });

  it('rejects an unknown field, in the full parameters and in a PATCH', () => {
    expect(unknownKeys(ClusterParametersSchema, { ...DEFAULT_CLUSTER_PARAMETERS, keepalive: 5 })).toEqual([
      'keepalive',
    ]);
    expect(unknownKeys(ClusterParametersPatchSchema, { keepalive: 5 })).toEqual(['keepalive']);
  });

  it('requires every field in the full parameters', () => {
    const rest = Object.fromEntries(
      Object.entries(DEFAULT_CLUSTER_PARAMETERS).filter(([k]) => k !== 'servicePort'),
    );
    expect(paths(ClusterParametersSchema, rest)).toEqual([['servicePort']]);
  });
});

describe('per-node parameters: client re-login limits', () => {
  it('has the manual’s defaults, 120 and 537 seconds, and they are valid', () => {
    expect(DEFAULT_NODE_PARAMETERS).toEqual({ clientReloginLowerLimit: 120, clientReloginUpperLimit: 537 });
    expect(NodeParametersSchema.safeParse(DEFAULT_NODE_PARAMETERS).success).toBe(true);
  });

  it.each(['clientReloginLowerLimit', 'clientReloginUpperLimit'])('%s: accepts 0 and 3600', (field) => {
    const low = { clientReloginLowerLimit: 0, clientReloginUpperLimit: 0, [field]: 0 };
    const high = { clientReloginLowerLimit: 3600, clientReloginUpperLimit: 3600, [field]: 3600 };
    expect(NodeParametersSchema.safeParse(low).success).toBe(true);
    expect(NodeParametersSchema.safeParse(high).success).toBe(true);
  });

  it.each([
    ['clientReloginLowerLimit', -1],
    ['clientReloginUpperLimit', 3601],
    ['clientReloginUpperLimit', 1.5],
  ])('%s: rejects %j, naming the field', (field, value) => {
    expect(paths(NodeParametersSchema, { ...DEFAULT_NODE_PARAMETERS, [field]: value })).toEqual([[field]]);
    expect(paths(NodeParametersPatchSchema, { [field]: value })).toEqual([[field]]);
  });

  it('accepts a lower limit equal to the upper limit', () => {
    const p = { clientReloginLowerLimit: 300, clientReloginUpperLimit: 300 };
    expect(NodeParametersSchema.safeParse(p).success).toBe(true);
  });

  it('rejects a lower limit above the upper limit, naming the lower limit', () => {
    const p = { clientReloginLowerLimit: 301, clientReloginUpperLimit: 300 };
    expect(issues(NodeParametersSchema, p)).toEqual([
      { path: ['clientReloginLowerLimit'], message: 'must not exceed clientReloginUpperLimit (300 s)' },
    ]);
  });

  it('rejects an unknown field', () => {
    expect(unknownKeys(NodeParametersSchema, { ...DEFAULT_NODE_PARAMETERS, relogin: 1 })).toEqual([
      'relogin',
    ]);
  });

  describe('PATCH /v1/nodes/{nodeId}/parameters', () => {
    it('accepts either limit alone', () => {
      expect(NodeParametersPatchSchema.parse({ clientReloginUpperLimit: 900 })).toEqual({
        clientReloginUpperLimit: 900,
      });
    });

    it('rejects an empty body, saying which fields it may change', () => {
      expect(issues(NodeParametersPatchSchema, {})).toEqual([
        { path: [], message: 'must change at least one of clientReloginLowerLimit, clientReloginUpperLimit' },
      ]);
    });

    it('rejects an unknown field', () => {
      expect(unknownKeys(NodeParametersPatchSchema, { clientReloginLimit: 5 })).toEqual([
        'clientReloginLimit',
      ]);
    });

    it('leaves lower ≤ upper to the merged result, which names the lower limit', () => {
      const patch = NodeParametersPatchSchema.parse({ clientReloginLowerLimit: 600 });
      expect(paths(NodeParametersSchema, { ...DEFAULT_NODE_PARAMETERS, ...patch })).toEqual([
        ['clientReloginLowerLimit'],
      ]);
      const both = NodeParametersPatchSchema.parse({
        clientReloginLowerLimit: 600,
        clientReloginUpperLimit: 900,
      });
      expect(NodeParametersSchema.safeParse({ ...DEFAULT_NODE_PARAMETERS, ...both }).success).toBe(true);
    });
  });
});
