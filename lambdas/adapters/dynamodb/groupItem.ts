/**
 * How a group is laid out as one DynamoDB item, small enough (≤ 1 KB for a pair reporting
 * its critical services) that a steady heartbeat's update costs one write unit, and
 * shaped so that no index is rewritten by it. DynamoDB bills a write by the size of the
 * whole item, attribute names included, so the members live in two top-level maps with
 * short field names (`m0`, `m1`), services are stored with a fixed dictionary, and the
 * operation records are JSON strings. See docs/data-model.md for the layout.
 */
import type { GroupState, Member } from '../../core';
import { keyedCopy, keyedRecord, needsAttention } from '../../core';
import type { GroupIndex } from '../../app/ports';
import type { GroupRecord } from '../../app/records';
import { SILENCE_BUCKET_MS, sweepShardOf } from '../../contract/tables';

/**
 * Short names of the member fields as stored. Never rename or reuse one: items already
 * stored are read with this table. A field not listed here is stored under its own name.
 */
const MEMBER_FIELDS = {
  nodeId: 'id',
  bootId: 'bi',
  boot: 'bo',
  sequence: 'q',
  lastHeartbeatAt: 'l',
  state: 'st',
  reason: 'rs',
  downFrom: 'df',
  initDeadline: 'idl',
  heardSinceInit: 'hsi',
  heardSince: 'hs',
  services: 'sv',
  database: 'db',
  replication: 'r',
  notice: 'n',
  servicesDownSince: 'sd',
  databaseDownSince: 'dd',
  healthySince: 'hy',
  heard: 'he',
  acknowledges: 'ak',
} as const satisfies Partial<Record<keyof Member, string>>;

/** The stored name of each member field, and back. */
const SHORT = new Map<string, string>(Object.entries(MEMBER_FIELDS));
const LONG = new Map<string, string>(Object.entries(MEMBER_FIELDS).map(([long, short]) => [short, long]));

/**
 * Service names stored as their position in this list. Frozen: the manual's five
 * critical services as they were when the layout was made (changing the cluster's
 * `criticalServices` does not touch it); any other name is stored as itself.
 */
const SERVICE_DICTIONARY = [
  'Cisco Client Profile Agent',
  'Cisco Sync Agent',
  'Cisco XCP Router',
  'Cisco SIP Proxy',
  'Cisco Presence Engine',
] as const;
const SERVICE_CODE = new Map<string, number>(SERVICE_DICTIONARY.map((name, i) => [name, i]));

/** Group fields stored as JSON strings: read whole, never looked into by a condition. */
const JSON_FIELDS = new Set(['operation', 'lastOperation', 'autoFallback']);

/**
 * Operation phases in which one node's heartbeat must go through the state machine (see
 * isSteadyHeartbeat), and which node: the one taking back while it is told to start its
 * services, the failing one while it is told to stop. Stored as `aw` on the item.
 */
const AWAITED_NODE = new Map<string, 'from' | 'to'>([
  ['AWAIT_SERVICES', 'to'],
  ['AWAIT_STOP', 'from'],
]);

/** Stored attribute of a member: `m0` for the first, `m1` for the second. */
export const memberAttribute = (index: number) => `m${index}`;

/**
 * A node's services as one short string: a flat JSON array of (name or dictionary code,
 * 1 running / 0 stopped) pairs, in the order reported. `[0,1,1,1,2,1,3,1,4,1]` is the five
 * critical services running: 21 bytes instead of about 190.
 */
export function encodeServices(services: Readonly<Record<string, string>>): string {
  const flat: (string | number)[] = [];
  for (const [name, status] of Object.entries(services)) {
    flat.push(SERVICE_CODE.get(name) ?? name, status === 'running' ? 1 : 0);
  }
  return JSON.stringify(flat);
}

function decodeServices(stored: unknown): Member['services'] {
  if (typeof stored !== 'string') return keyedCopy((stored ?? {}) as Member['services']);
  const flat = JSON.parse(stored) as (string | number)[];
  const entries: [string, 'running' | 'stopped'][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const key = flat[i];
    const name = typeof key === 'number' ? SERVICE_DICTIONARY[key] : key;
    if (name !== undefined) entries.push([name, flat[i + 1] ? 'running' : 'stopped']);
  }
  return keyedRecord(entries);
}

function encodeMember(member: Member): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(member)) {
    if (value === undefined) continue;
    const short = SHORT.get(field);
    if (short === undefined && LONG.has(field)) {
      // A new member field named like a short name would be read back as another field.
      throw new Error(`Member field "${field}" clashes with a stored short name; add it to MEMBER_FIELDS.`);
    }
    out[short ?? field] = field === 'services' ? encodeServices(value as Member['services']) : value;
  }
  return out;
}

function decodeMember(stored: Record<string, unknown>): Member {
  const member: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stored)) {
    const field = LONG.get(key) ?? key;
    if (field === 'services') member.services = decodeServices(value);
    else if (field === 'servicesDownSince')
      member.servicesDownSince = keyedCopy(value as Record<string, number>);
    else member[field] = value;
  }
  return member as unknown as Member;
}

/** The sort key of the pair-silence index: the deadline rounded up to its bucket (see SILENCE_BUCKET_MS). */
export const silenceBucket = (silentAt: number) =>
  Math.ceil(silentAt / SILENCE_BUCKET_MS) * SILENCE_BUCKET_MS;

/** The stored item of a group, with its sweep keys. */
export function toGroupItem(record: GroupRecord, index: GroupIndex): Record<string, unknown> {
  const { group, clusterId, description, version, tokens, createdAt, updatedAt, ...extra } = record;
  const g: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(group)) {
    if (value === undefined || field === 'name' || field === 'members') continue;
    g[field] = JSON_FIELDS.has(field) && value !== null ? JSON.stringify(value) : value;
  }
  const item: Record<string, unknown> = {
    ...extra,
    name: group.name,
    clusterId,
    version,
    tokens,
    d: description,
    ca: createdAt,
    ua: updatedAt,
    g,
  };
  group.members.forEach((member, i) => {
    item[memberAttribute(i)] = encodeMember(member);
  });
  const op = group.operation;
  // The steady heartbeat's condition cannot look into the operation's JSON: it reads this.
  const awaited = op ? AWAITED_NODE.get(op.phase) : undefined;
  if (op && awaited) item.aw = op[awaited];
  if (index.timerDueAt !== null || index.silentAt !== null) item.sweepShard = sweepShardOf(group.name);
  if (index.timerDueAt !== null) item.timerDueAt = index.timerDueAt;
  if (index.silentAt !== null) item.silentAt = silenceBucket(index.silentAt);
  // The sparse census index (byAttention): present only while the group needs an operator.
  if (needsAttention(group)) item.attention = sweepShardOf(group.name);
  return item;
}

/** Attributes of the item that are not part of the record. */
const INDEX_ATTRIBUTES = new Set(['aw', 'sweepShard', 'timerDueAt', 'silentAt', 'attention']);

/** The attributes every stored group has, as read back. */
interface StoredGroup extends Record<string, unknown> {
  name: string;
  clusterId: string;
  version: number;
  tokens: Record<string, string>;
  d: string;
  ca: string;
  ua: string;
  g: Record<string, unknown>;
}

/** The record a stored item holds (also an item of the earlier layout, with the whole state under `g`). */
export function fromGroupItem(item: Record<string, unknown>): GroupRecord {
  const { name, clusterId, version, tokens, d, ca, ua, g, ...rest } = item as StoredGroup;
  if (Array.isArray(g.members)) {
    // Written before the compact layout: its next decision rewrites it in this one.
    const { description, createdAt, updatedAt } = rest as Pick<
      GroupRecord,
      'description' | 'createdAt' | 'updatedAt'
    >;
    return {
      group: g as unknown as GroupState,
      clusterId,
      description,
      version,
      tokens,
      createdAt,
      updatedAt,
    };
  }
  const group: Record<string, unknown> = { name };
  for (const [field, value] of Object.entries(g)) {
    group[field] = JSON_FIELDS.has(field) && typeof value === 'string' ? JSON.parse(value) : value;
  }
  const members: Member[] = [];
  for (let i = 0; memberAttribute(i) in rest; i++) {
    members.push(decodeMember(rest[memberAttribute(i)] as Record<string, unknown>));
  }
  group.members = members;
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (!INDEX_ATTRIBUTES.has(key) && !/^m\d+$/.test(key)) extra[key] = value;
  }
  return {
    ...extra,
    group: group as unknown as GroupState,
    clusterId,
    description: d,
    version,
    tokens,
    createdAt: ca,
    updatedAt: ua,
  } as GroupRecord;
}
