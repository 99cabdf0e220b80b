/**
 * fast-check arbitraries read off a zod schema's JSON Schema: values the schema accepts
 * (drawn from small pools where a field names something that exists, so that requests
 * reach past validation), and hostile values — wrong types, numbers and lengths at and
 * around every bound, strings that break naive code.
 */
import fc from 'fast-check';
import { z } from 'zod';

/** The part of JSON Schema that zod's `toJSONSchema` writes for the API's schemas. */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  enum?: unknown[];
  default?: unknown;
}

/** The input side of a schema as JSON Schema; refinements it cannot express are left out. */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/** Names every plain object answers to through its prototype. */
export const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'prototype',
  'isPrototypeOf',
  '__defineGetter__',
] as const;

/** Strings that have broken parsers, loggers, key builders and comparisons before. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\t\r\n',
  ' padded ',
  '\u00A0',
  '\u200B',
  '\uFEFF',
  // Right-to-left text and overrides.
  '\u202Eevil\u202C',
  'مرحبا',
  'שלום-1',
  // Combining marks: one visible character, many code points.
  'e\u0301',
  `Z${'\u0336\u0308\u0301'.repeat(40)}`,
  'a'.padEnd(129, '\u0300'),
  // Emoji, joined sequences, astral characters.
  '👩‍👩‍👧‍👦',
  '🏳️‍🌈',
  '😀'.repeat(65),
  // Lone surrogates: not encodable as UTF-8.
  '\uD800',
  '\uDFFF',
  'a\uD83Db',
  // Keys and separators the storage layer builds with.
  'cluster#c1',
  'enterprise',
  'due',
  '#',
  'a#b',
  // Paths and percent signs.
  '.',
  '..',
  '../etc/passwd',
  'a/b',
  '%2F',
  '%',
  '%00',
  '%252F',
  // Numbers that are not numbers.
  'NaN',
  'Infinity',
  '-0',
  '1e3',
  '0x10',
  '١٢٣',
  '１２',
  // Injection-shaped text.
  "'; DROP TABLE nodes; --",
  '${jndi:ldap://x/a}',
  '<script>alert(1)</script>',
  '{"nodeId":"imp-a"}',
  ...PROTOTYPE_KEYS,
];

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));

/** A short string of any code units, or one of the hostile strings. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: codeUnit, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
);

/** The character class and length bounds of a pattern of the form `^[class]{min,max}$`. */
export function patternBounds(pattern: string | undefined): { cls: string; min: number; max: number } | null {
  const m = pattern ? /^\^\[([^\]]+)\]\{(\d+),(\d+)\}\$$/.exec(pattern) : null;
  return m ? { cls: m[1]!, min: Number(m[2]), max: Number(m[3]) } : null;
}

/** Integers at, just inside and just past each bound, and non-integers beside them. */
export function numberBoundaries(js: JsonSchema): number[] {
  const out = new Set<number>([-1, 0, 1, 0.5, -0.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2]);
  for (const b of [js.minimum, js.maximum]) {
    if (b === undefined) continue;
    for (const d of [-1, -0.5, 0, 0.5, 1]) out.add(b + d);
  }
  out.add(1e308);
  out.add(-1e308);
  out.add(5e-324);
  return [...out];
}

/** Lengths at, just inside and just past the string's length bounds. */
export function lengthBoundaries(js: JsonSchema): number[] {
  const p = patternBounds(js.pattern);
  const min = p?.min ?? js.minLength;
  const max = p?.max ?? js.maxLength;
  const out = new Set<number>();
  for (const b of [min, max]) {
    if (b === undefined) continue;
    for (const d of [-1, 0, 1]) if (b + d >= 0) out.add(b + d);
  }
  return [...out];
}

/** A string of exactly `n` characters the field's pattern allows (or plain letters). */
export function stringOfLength(js: JsonSchema, n: number): fc.Arbitrary<string> {
  const p = patternBounds(js.pattern);
  if (n === 0) return fc.constant('');
  if (p) return fc.stringMatching(new RegExp(`^[${p.cls}]{${n}}$`));
  return fc.constantFrom('a'.repeat(n), 'é'.repeat(n), '😀'.repeat(n));
}

/** Values of a JSON type other than the schema's own. */
export function wrongTypeValues(js: JsonSchema): unknown[] {
  const all: [string, unknown][] = [
    ['null', null],
    ['boolean', true],
    ['boolean', false],
    ['integer', 0],
    ['integer', 7],
    ['number', 1.5],
    ['string', ''],
    ['string', 'text'],
    ['string', '1'],
    ['string', 'true'],
    ['array', []],
    ['array', ['x']],
    ['object', {}],
    ['object', { value: 1 }],
  ];
  const type = js.type ?? (js.enum ? 'string' : undefined);
  return all.filter(([t]) => t !== type && !(type === 'number' && t === 'integer')).map(([, v]) => v);
}

/** A value nested `depth` levels deep, in arrays or objects. */
export function deeplyNested(depth: number, kind: 'array' | 'object'): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

/** Values the field's schema may well refuse: wrong types, bounds, hostile strings, nesting. */
export function hostileValue(js: JsonSchema): fc.Arbitrary<unknown> {
  const options: fc.Arbitrary<unknown>[] = [
    fc.constantFrom(...wrongTypeValues(js)),
    fc
      .integer({ min: 1, max: 200 })
      .chain((d) => fc.constantFrom(deeplyNested(d, 'array'), deeplyNested(d, 'object'))),
  ];
  if (js.type === 'integer' || js.type === 'number') {
    options.push(fc.constantFrom(...numberBoundaries(js)), fc.double());
  }
  if (js.type === 'string' || js.enum) {
    options.push(hostileString);
    const lengths = lengthBoundaries(js);
    if (lengths.length > 0) options.push(fc.constantFrom(...lengths).chain((n) => stringOfLength(js, n)));
    options.push(fc.constantFrom('x'.repeat(4096), 'é'.repeat(70_000)));
  }
  if (js.enum) {
    const names = js.enum.map(String);
    options.push(
      fc
        .constantFrom(...names)
        .chain((e) => fc.constantFrom(e.toUpperCase(), ` ${e}`, `${e} `, e.slice(1), `${e}\u0000`)),
    );
  }
  if (js.type === 'array') {
    const item = js.items ?? {};
    options.push(
      fc.array(validValue(item), { minLength: (js.maxItems ?? 3) + 1, maxLength: (js.maxItems ?? 3) + 2 }),
      fc.constant([]),
      validValue(item).map((v) => [v, v]),
      fc.array(hostileValue(item), { minLength: 1, maxLength: 3 }),
    );
  }
  if (js.type === 'object' && typeof js.additionalProperties === 'object') {
    // A record: keys too long, too many keys, prototype names as keys, bad values.
    const value = js.additionalProperties;
    options.push(
      fc.constantFrom(...PROTOTYPE_KEYS).chain((k) => validValue(value).map((v) => ownObject([[k, v]]))),
      validValue(value).map((v) => ownObject([['k'.repeat((js.propertyNames?.maxLength ?? 128) + 1), v]])),
      validValue(value).map((v) => ownObject([['', v]])),
      fc
        .integer({ min: 65, max: 80 })
        .map((n) => ownObject(Array.from({ length: n }, (_, i) => [`svc-${i}`, 'running']))),
      hostileValue(value).map((v) => ownObject([['Cisco SIP Proxy', v]])),
    );
  }
  return fc.oneof(...options);
}

/** An object with exactly these own, enumerable keys — `__proto__` included as a plain key. */
export function ownObject(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return o;
}

/** Existing or plausible names, by field name: valid values that hit the baseline's records. */
export const POOLS: Record<string, readonly string[]> = {
  nodeId: [
    'imp-a',
    'imp-b',
    'imp-c',
    'imp-d',
    'ghost',
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    '..',
    '.',
    'n'.repeat(64),
  ],
  publisherId: ['pub-1', 'pub-2', '__proto__', 'toString'],
  clusterId: ['c1', 'c2', '__proto__', 'constructor', 'toString', '..'],
  name: ['prg-1', 'prg-2', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'g'.repeat(128)],
  userId: ['u1', 'u2', 'alice@example.com', 'a+b@x.y', '__proto__', 'constructor', 'toString'],
  hostname: [
    'imp-a.example.com',
    'imp-d.example.com',
    '10.0.0.5',
    'localhost',
    `${'a'.repeat(63)}.example.com`,
  ],
  softwareVersion: ['15.0', '15.1', '15.0 SU1', '~'],
  bootId: ['imp-a-boot-1', 'imp-b-boot-1', 'boot-2', 'toString', 'b'.repeat(128)],
  service: [
    'Cisco Client Profile Agent',
    'Cisco Sync Agent',
    'Cisco XCP Router',
    'Cisco SIP Proxy',
    'Cisco Presence Engine',
    'toString',
    '__proto__',
    'constructor',
    'hasOwnProperty',
    'valueOf',
  ],
  description: [
    '',
    'primary pair',
    'Zürich — étage 3',
    '👩‍💻 on call',
    'toString',
    'x'.repeat(128),
    'é'.repeat(128),
  ],
  // Cursors shaped like the API's (base64url, a dot, a MAC) that it never handed out:
  // forged keys, keys of other lists and filters, content that is not a key, a MAC of the
  // wrong length. Each must be a 400 naming cursor that reads and writes nothing.
  cursor: [
    forgedCursor({ v: 1, s: 'nodes', k: { nodeId: 'imp-a' } }, 'A'.repeat(43)),
    forgedCursor({ v: 1, s: 'groups&name=', k: { name: 'prg-1' } }, 'x'.repeat(43)),
    forgedCursor({ v: 1, s: 'history&group=prg-1', k: { group: 'prg-1', sk: '~' } }, '_'.repeat(43)),
    forgedCursor({ v: 1, s: 'users', k: { userId: { S: 'u1' } } }, 'A'),
    forgedCursor({ v: 1, s: 'nodes', k: JSON.parse('{"__proto__":{"nodeId":"x"}}') }, 'AAAA'),
    forgedCursor({ v: 2, s: 'nodes', k: {} }, 'A'.repeat(43)),
    forgedCursor('not an object', 'A'.repeat(43)),
    `${Buffer.from('{"v":1').toString('base64url')}.${'A'.repeat(43)}`,
    'a.b',
    `${'A'.repeat(2000)}.${'B'.repeat(100)}`,
  ],
};

/** A cursor of the API's shape over `content`, with a MAC the API never made. */
function forgedCursor(content: unknown, mac: string): string {
  return `${Buffer.from(JSON.stringify(content)).toString('base64url')}.${mac}`;
}

/** The names the fuzzer's baseline holds, drawn more often than the rest of each pool. */
export const EXISTING: Record<string, readonly string[]> = {
  nodeId: ['imp-a', 'imp-b', 'imp-c'],
  clusterId: ['c1'],
  name: ['prg-1'],
  userId: ['u1'],
  service: ['Cisco SIP Proxy', 'Cisco Presence Engine'],
};

/** The pool for a field, if there is one (array items and record keys share their field's). */
const POOL_ALIASES: Record<string, string> = {
  nodes: 'nodeId',
  criticalServices: 'service',
  services: 'service',
};

/** A value the field's JSON Schema accepts, preferring names that exist. */
export function validValue(js: JsonSchema, field?: string): fc.Arbitrary<unknown> {
  const poolName = field ? (POOL_ALIASES[field] ?? field) : undefined;
  const pool = poolName ? POOLS[poolName] : undefined;
  if (js.enum) return fc.constantFrom(...js.enum);
  switch (js.type) {
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const min = js.minimum ?? -1000;
      const max = js.maximum ?? 1000;
      return fc.oneof(
        fc.constantFrom(...new Set([min, min + 1, max - 1, max].filter((v) => v >= min && v <= max))),
        fc.integer({ min, max }),
      );
    }
    case 'string': {
      const options: fc.Arbitrary<string>[] = [];
      const existing = poolName ? EXISTING[poolName] : undefined;
      if (existing)
        options.push(
          fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...existing) }, fc.constantFrom(...pool!)),
        );
      else if (pool) options.push(fc.constantFrom(...pool));
      if (js.pattern) options.push(fc.stringMatching(new RegExp(js.pattern)));
      else if (!pool)
        options.push(
          fc.string({ minLength: js.minLength ?? 0, maxLength: Math.min(js.maxLength ?? 32, 32) }),
        );
      return options.length === 1
        ? options[0]!
        : fc.oneof({ weight: 3, arbitrary: options[0]! }, ...options.slice(1));
    }
    case 'array': {
      const item = validValue(js.items ?? {}, field);
      return fc.uniqueArray(item, { minLength: js.minItems ?? 0, maxLength: js.maxItems ?? 3 });
    }
    case 'object': {
      if (js.properties) {
        const entries = Object.entries(js.properties);
        const required = new Set(js.required ?? []);
        return fc
          .tuple(
            ...entries.map(([k, s]) =>
              required.has(k) ? validValue(s, k) : fc.option(validValue(s, k), { nil: undefined, freq: 3 }),
            ),
          )
          .map((values) =>
            ownObject(
              entries.flatMap(([k], i) => (values[i] === undefined ? [] : [[k, values[i]] as const])),
            ),
          );
      }
      if (typeof js.additionalProperties === 'object') {
        const keys = validValue(
          { type: 'string', minLength: 1, maxLength: 128 },
          field,
        ) as fc.Arbitrary<string>;
        return fc
          .uniqueArray(fc.tuple(keys, validValue(js.additionalProperties)), {
            maxLength: 6,
            selector: ([k]) => k,
          })
          .map((entries) => ownObject(entries));
      }
      return fc.constant({});
    }
    default:
      return fc.constant(null);
  }
}

/** One change that makes an object body suspect; the oracle, not the generator, decides whether it is a fault. */
export type Mutation =
  | { kind: 'wrong-value'; field: string; value: unknown }
  | { kind: 'missing'; field: string }
  | { kind: 'extra'; field: string; value: unknown };

/** Mutations of an object schema's fields: hostile values, missing fields, unknown fields. */
export function mutation(js: JsonSchema): fc.Arbitrary<Mutation> {
  const fields = Object.entries(js.properties ?? {});
  const extraKey = fc.oneof(
    fc.constantFrom(...PROTOTYPE_KEYS),
    fc.constantFrom('extra', '', ' ', 'NODEID', 'nodeId ', '\u0000', '😀', 'a.b', '0'),
    ...(fields.length > 0 ? [fc.constantFrom(...fields.map(([k]) => `${k}_`))] : []),
  );
  const extraValue = fc.oneof(fc.constantFrom<unknown>(null, 1, 'x', true, [], {}), hostileString);
  const options: fc.Arbitrary<Mutation>[] = [
    extraKey.chain((field) => extraValue.map((value) => ({ kind: 'extra' as const, field, value }))),
  ];
  if (fields.length > 0) {
    options.push(
      fc
        .constantFrom(...fields)
        .chain(([field, s]) =>
          hostileValue(s).map((value) => ({ kind: 'wrong-value' as const, field, value })),
        ),
      fc.constantFrom(...fields.map(([k]) => k)).map((field) => ({ kind: 'missing' as const, field })),
    );
  }
  return fc.oneof(...options);
}

/** Applies mutations to a copy of an object body. */
export function applyMutations(
  body: Record<string, unknown>,
  mutations: readonly Mutation[],
): Record<string, unknown> {
  const entries = new Map<string, unknown>(Object.entries(body));
  for (const m of mutations) {
    if (m.kind === 'missing') entries.delete(m.field);
    else entries.set(m.field, m.value);
  }
  return ownObject([...entries]);
}
