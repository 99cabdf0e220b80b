import { describe, expect, it } from 'vitest';
import { HostnameSchema, RegisterNodeBodySchema, SoftwareVersionSchema } from '../../../../lambdas/core';
import { issues, paths, unknownKeys } from './issues';

const body = {
  nodeId: 'imp-a',
  hostname: 'imp-a.example.com',
  clusterId: 'cluster-1',
  softwareVersion: '15.0.1.10000-20',
  publisherId: 'imp-pub',
};

describe('POST /v1/nodes body', () => {
  it('accepts a complete registration', () => {
    expect(RegisterNodeBodySchema.parse(body)).toEqual(body);
  });

  it.each(['nodeId', 'hostname', 'clusterId', 'softwareVersion', 'publisherId'])('requires %s', (field) => {
    const input = Object.fromEntries(Object.entries(body).filter(([k]) => k !== field));
    expect(paths(RegisterNodeBodySchema, input)).toEqual([[field]]);
  });

  it.each(['nodeId', 'clusterId', 'publisherId'])(
    '%s: accepts 64 characters, rejects 65, naming it',
    (field) => {
      expect(RegisterNodeBodySchema.safeParse({ ...body, [field]: 'n'.repeat(64) }).success).toBe(true);
      expect(paths(RegisterNodeBodySchema, { ...body, [field]: 'n'.repeat(65) })).toEqual([[field]]);
      expect(paths(RegisterNodeBodySchema, { ...body, [field]: '' })).toEqual([[field]]);
    },
  );

  it('refuses "__proto__" as a node id, naming the field (it could never join a group); "constructor" is fine', () => {
    expect(paths(RegisterNodeBodySchema, { ...body, nodeId: '__proto__' })).toEqual([['nodeId']]);
    expect(RegisterNodeBodySchema.safeParse({ ...body, nodeId: 'constructor' }).success).toBe(true);
  });

  it('rejects an unknown field, such as a token the node would choose itself', () => {
    expect(unknownKeys(RegisterNodeBodySchema, { ...body, token: 'secret' })).toEqual(['token']);
  });
});

describe('hostname: an RFC 1123 host name or an IPv4 address, 1–253 characters', () => {
  const label = (n: number, c = 'h') => c.repeat(n);
  const longName = (total: number) => {
    // Labels of 63 joined by dots, padded with a last label to reach `total` characters.
    const parts: string[] = [];
    let length = 0;
    while (length + 64 < total) {
      parts.push(label(63));
      length += 64;
    }
    parts.push(label(total - length));
    return parts.join('.');
  };

  it.each([
    ['a one-label name', 'imp1'],
    ['a fully qualified name', 'imp-a.example.com'],
    ['a label starting with a digit (RFC 1123 allows it)', '1imp.example.com'],
    ['upper case', 'IMP-A.Example.COM'],
    ['a 63-character label', `${label(63)}.example.com`],
    ['253 characters', longName(253)],
    ['an IPv4 address', '10.0.0.5'],
    ['the IPv4 extremes', '255.255.255.255'],
    ['0.0.0.0', '0.0.0.0'],
  ])('accepts %s', (_what, hostname) => {
    expect(HostnameSchema.safeParse(hostname).success).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['254 characters', longName(254)],
    ['a 64-character label', `${label(64)}.example.com`],
    ['a label starting with "-"', '-imp.example.com'],
    ['a label ending with "-"', 'imp-.example.com'],
    ['an empty label', 'imp..example.com'],
    ['a trailing dot', 'imp.example.com.'],
    ['an underscore', 'imp_a.example.com'],
    ['a space', 'imp a'],
    ['a port', 'imp-a:8443'],
    ['a URL', 'https://imp-a'],
    ['an IPv4 part above 255', '10.0.0.256'],
    ['an IPv4 part with a leading zero', '10.0.0.05'],
    ['three numeric parts', '10.0.5'],
    ['a bare number', '12345'],
    ['an IPv6 address', 'fe80::1'],
  ])('rejects %s', (_what, hostname) => {
    expect(paths(RegisterNodeBodySchema, { ...body, hostname })).toEqual([['hostname']]);
  });

  it('tells the operator both forms it accepts', () => {
    expect(issues(HostnameSchema, 'imp_a')[0]?.message).toMatch(/host name .* or an IPv4 address/);
  });
});

describe('softwareVersion: 1–64 printable characters, no spaces at the ends', () => {
  it.each([
    ['1 character', '9'],
    ['64 characters', 'v'.repeat(64)],
    ['inner spaces', '15.0 SU1'],
    ['punctuation', '15.0.1.10000-20(beta)'],
  ])('accepts %s', (_what, v) => {
    expect(SoftwareVersionSchema.safeParse(v).success).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['65 characters', 'v'.repeat(65)],
    ['a leading space', ' 15.0'],
    ['a trailing space', '15.0 '],
    ['only a space', ' '],
    ['a tab', '15.0\t1'],
    ['a line break', '15.0\n'],
    ['a non-ASCII character', '15.0–1'],
  ])('rejects %s, naming softwareVersion', (_what, softwareVersion) => {
    expect(issues(RegisterNodeBodySchema, { ...body, softwareVersion })).toEqual([
      {
        path: ['softwareVersion'],
        message: 'must be 1–64 printable ASCII characters, without a space at the start or the end',
      },
    ]);
  });
});
