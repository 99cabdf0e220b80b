import { describe, expect, it } from 'vitest';
import { HeartbeatBodySchema } from '../../../../lambdas/core';
import { distinctPaths, paths, unknownKeys } from './issues';

const valid = { bootId: 'b-2026-11-24T10:00:00Z', boot: 3, sequence: 42, database: 'up' };

describe('heartbeat body', () => {
  it('accepts a heartbeat with every optional field', () => {
    const r = HeartbeatBodySchema.safeParse({
      ...valid,
      services: { 'Cisco XCP Router': 'running', 'Cisco SIP Proxy': 'stopped' },
      replication: 2,
      notice: 'reboot',
    });
    expect(r.success).toBe(true);
  });

  it('accepts 64 reported services and refuses 65, naming services', () => {
    const services = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`svc-${i}`, 'running']));
    expect(HeartbeatBodySchema.safeParse({ ...valid, services: services(64) }).success).toBe(true);
    expect(paths(HeartbeatBodySchema, { ...valid, services: services(65) })).toEqual([['services']]);
  });

  it('reads missing services as none reported (each critical service then counts as not running)', () => {
    expect(HeartbeatBodySchema.parse(valid).services).toEqual({});
  });

  it.each([
    ['bootId', 'x'.repeat(128), 'x'.repeat(129)],
    ['bootId', 'b', ''],
    ['boot', 0, -1],
    ['boot', Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1],
    ['boot', 7, 7.5],
    ['sequence', 0, -1],
    ['sequence', Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1],
    ['sequence', 7, 7.5],
    ['replication', 0, -1],
    ['replication', 9, 10],
    ['replication', 3, 2.5],
  ] as const)('%s: accepts %j, rejects %j naming the field', (field, ok, bad) => {
    expect(HeartbeatBodySchema.safeParse({ ...valid, [field]: ok }).success).toBe(true);
    expect(distinctPaths(HeartbeatBodySchema, { ...valid, [field]: bad })).toEqual([[field]]);
  });

  it.each(['up', 'down'])('accepts database %s', (database) => {
    expect(HeartbeatBodySchema.safeParse({ ...valid, database }).success).toBe(true);
  });

  it.each(['UP', 'degraded', undefined])('rejects database %j', (database) => {
    expect(paths(HeartbeatBodySchema, { ...valid, database })).toEqual([['database']]);
  });

  it.each(['reboot', 'shutdown'])('accepts the notice %s', (notice) => {
    expect(HeartbeatBodySchema.safeParse({ ...valid, notice }).success).toBe(true);
  });

  it('rejects any other notice', () => {
    expect(paths(HeartbeatBodySchema, { ...valid, notice: 'restart' })).toEqual([['notice']]);
  });

  it('rejects a service status other than running or stopped, naming the service', () => {
    const body = { ...valid, services: { 'Cisco SIP Proxy': 'up' } };
    expect(paths(HeartbeatBodySchema, body)).toEqual([['services', 'Cisco SIP Proxy']]);
  });

  it('accepts a service name of 128 characters and rejects 129 or none', () => {
    const named = (name: string) => ({ ...valid, services: { [name]: 'running' } });
    expect(HeartbeatBodySchema.safeParse(named('s'.repeat(128))).success).toBe(true);
    expect(paths(HeartbeatBodySchema, named('s'.repeat(129)))).toEqual([['services', 's'.repeat(129)]]);
    expect(paths(HeartbeatBodySchema, named(''))).toEqual([['services', '']]);
  });

  it.each(['bootId', 'boot', 'sequence', 'database'])('requires %s', (field) => {
    const body = Object.fromEntries(Object.entries(valid).filter(([k]) => k !== field));
    expect(paths(HeartbeatBodySchema, body)).toEqual([[field]]);
  });

  it('rejects an unknown field, naming it', () => {
    expect(unknownKeys(HeartbeatBodySchema, { ...valid, load: 0.5 })).toEqual(['load']);
  });
});
