/**
 * Requests for any route of the route table, built from the route's own schemas: valid
 * ones that reach the use cases, and hostile ones — in the path, the query, the body,
 * its encoding and size, the content type and the credentials.
 */
import fc from 'fast-check';
import { DEFAULT_CRITICAL_SERVICES } from '../../../lambdas/core';
import { PATH_PARAMETERS, ROUTE_LIST, type RouteDefinition, type RouteKey } from '../../../lambdas/contract';
import { MAX_BODY_BYTES } from '../../../lambdas/handlers';
import { matchRoute } from '../../../local/apiGatewayEvent';
import {
  applyMutations,
  deeplyNested,
  hostileString,
  jsonSchemaOf,
  mutation,
  ownObject,
  POOLS,
  PROTOTYPE_KEYS,
  validValue,
  type JsonSchema,
} from './schemaArbitraries';

/** Stands for the node's next heartbeat sequence, filled in when the request is sent. */
export const NEXT_SEQUENCE = '<next sequence>';

/** A body sent as text: as is, or a JSON body grown to an exact size in bytes. */
export type RawBody =
  { text: string } | { grow: unknown; bytes: number; filler: string; into: 'field' | 'space' };

/** Who the request claims to be. */
export interface Credentials {
  /** The scopes the authorizer vouched for; null: no token. */
  scopes: string[] | null;
  /** A node's bearer token, by node id (resolved when sent), or a raw Authorization header. */
  bearer?: { node: string; tamper?: 'case' | 'suffix' } | { header: string };
}

export interface FuzzRequest {
  /** What is hostile about it, in a few words. */
  label: string;
  route: RouteKey;
  method: string;
  /** The path as sent, percent-encoded. */
  path: string;
  query?: Record<string, string>;
  /** A JSON value, serialised when sent; absent: no body (unless raw). */
  body?: unknown;
  raw?: RawBody;
  /** null: no content-type header. */
  contentType?: string | null;
  base64?: boolean;
  credentials: Credentials;
  /** Milliseconds the clock moves before the request. */
  tick: number;
}

/** Every route the handlers answer (streams are the embedded server's). */
export const FUZZ_ROUTES: readonly RouteDefinition[] = ROUTE_LIST.filter((r) => !r.spec.stream);

const routeOf = (key: RouteKey): RouteDefinition => FUZZ_ROUTES.find((r) => r.key === key)!;

// ---------------------------------------------------------------- path parameters

const ENCODED_SEGMENTS = [
  '%2F',
  'a%2Fb',
  '%2e%2e',
  '%2E',
  '..',
  '.',
  '%25',
  '%2525',
  '%00',
  '%20',
  '+',
  'a%23b',
  '%3F',
  '%E2%80%AE',
  '%F0%9F%98%80',
  'x'.repeat(65),
  'x'.repeat(129),
  'x'.repeat(4096),
];

const encode = (s: string): string | null => {
  try {
    return encodeURIComponent(s);
  } catch {
    return null; // a lone surrogate has no UTF-8 form
  }
};

/** One path segment: a valid or pooled id, or a hostile one, percent-encoded. */
function segment(name: keyof typeof PATH_PARAMETERS, valid: boolean): fc.Arbitrary<string> {
  const js = jsonSchemaOf(PATH_PARAMETERS[name]);
  const ok = validValue(js, name === 'name' ? 'name' : name).map((v) => encodeURIComponent(String(v)));
  if (valid) return ok;
  return fc.oneof(
    ok,
    fc.constantFrom(...ENCODED_SEGMENTS),
    hostileString.map((s) => encode(s) ?? '%EF%BF%BD').filter((s) => s !== ''),
  );
}

function pathArb(
  r: RouteDefinition,
  valid: boolean,
  fixed: Record<string, string> = {},
): fc.Arbitrary<string> {
  if (r.params.length === 0) return fc.constant(r.path);
  return fc
    .tuple(
      ...r.params.map((p) =>
        fixed[p] !== undefined ? fc.constant(encodeURIComponent(fixed[p])) : segment(p, valid),
      ),
    )
    .map((values) => {
      let i = 0;
      return r.path.replace(/\{\w+\}/g, () => values[i++]!);
    })
    .filter((path) => matchRoute(r.method, path) !== null);
}

// ---------------------------------------------------------------- query strings

const LIMIT_VALUES = [
  '0',
  '1',
  '2',
  '999',
  '1000',
  '1001',
  '-1',
  '-0',
  '1.5',
  '1e3',
  '0x10',
  'NaN',
  'Infinity',
  '',
  ' 5',
  '5 ',
  '٥',
  '１０',
  '99999999999999999999',
  '1,2',
  'true',
];

function queryArb(r: RouteDefinition, valid: boolean): fc.Arbitrary<Record<string, string> | undefined> {
  const js = r.spec.query ? jsonSchemaOf(r.spec.query) : undefined;
  const fields = Object.entries(js?.properties ?? {});
  const validEntry = fc
    .constantFrom(...(fields.length > 0 ? fields : [['limit', {}] as [string, JsonSchema]]))
    .chain(([k, s]) =>
      (s.type === 'integer'
        ? fc.integer({ min: s.minimum ?? 0, max: s.maximum ?? 10 }).map(String)
        : (validValue(s, k) as fc.Arbitrary<string>)
      ).map((v) => [k, String(v)] as const),
    );
  if (valid)
    return fields.length === 0
      ? fc.constant(undefined)
      : fc.option(
          fc.array(validEntry, { maxLength: 1 }).map((e) => ownObject(e) as Record<string, string>),
          { nil: undefined },
        );
  const hostileEntry = fc.oneof(
    fc
      .constantFrom(...(fields.length > 0 ? fields.map(([k]) => k) : ['limit', 'name']))
      .chain((k) =>
        fc
          .oneof(
            fc.constantFrom(...LIMIT_VALUES),
            hostileString,
            fc.constantFrom('g'.repeat(129), 'prg-', '%', 'a b', '.', 'a.', '.b', 'a.b.c', 'a+b.c/d'),
          )
          .map((v) => [k, v] as const),
      ),
    fc.tuple(
      fc.constantFrom(...PROTOTYPE_KEYS, 'extra', '', 'LIMIT'),
      fc.oneof(fc.constantFrom('1', ''), hostileString),
    ),
  );
  return fc.option(
    fc
      .array(fc.oneof(validEntry, hostileEntry), { minLength: 1, maxLength: 3 })
      .map((e) => ownObject(e) as Record<string, string>),
    { nil: undefined, freq: 6 },
  );
}

// ---------------------------------------------------------------- bodies

const healthyServices = () => ownObject(DEFAULT_CRITICAL_SERVICES.map((s) => [s, 'running'] as const));

/** A heartbeat a registered node could send: its own boot, its next sequence, mostly healthy. */
function heartbeatBody(nodeId: string | undefined): fc.Arbitrary<Record<string, unknown>> {
  const node = nodeId ?? 'imp-a';
  return fc
    .record({
      bootId: fc.oneof(
        { weight: 6, arbitrary: fc.constant(`${node}-boot-1`) },
        fc.constantFrom(...POOLS.bootId!),
      ),
      boot: fc.oneof(
        { weight: 6, arbitrary: fc.constant(1) },
        fc.constantFrom(0, 2, 3, Number.MAX_SAFE_INTEGER),
      ),
      sequence: fc.oneof(
        { weight: 6, arbitrary: fc.constant<unknown>(NEXT_SEQUENCE) },
        fc.constantFrom(0, 1, 2, 50, Number.MAX_SAFE_INTEGER),
      ),
      services: fc.oneof(
        { weight: 5, arbitrary: fc.constant(null).map(healthyServices) },
        fc
          .constantFrom(...DEFAULT_CRITICAL_SERVICES)
          .map((down) =>
            ownObject(DEFAULT_CRITICAL_SERVICES.map((s) => [s, s === down ? 'stopped' : 'running'] as const)),
          ),
        validValue(
          jsonSchemaOf(routeOf('POST /v1/nodes/{nodeId}/heartbeat').spec.body!).properties!.services!,
          'services',
        ),
        fc
          .constantFrom(...PROTOTYPE_KEYS.filter((k) => k !== '__proto__'))
          .map((k) => ownObject([...Object.entries(healthyServices()), [k, 'running']])),
      ),
      database: fc.constantFrom('up', 'up', 'up', 'down'),
      replication: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined, freq: 3 }),
      notice: fc.option(fc.constantFrom('reboot', 'shutdown'), { nil: undefined, freq: 8 }),
    })
    .map((b) => ownObject(Object.entries(b).filter(([, v]) => v !== undefined)));
}

/** A body the route's schema accepts (mostly), naming records the baseline holds. */
function validBody(r: RouteDefinition, pathNode?: string): fc.Arbitrary<unknown> {
  if (r.key === 'POST /v1/nodes/{nodeId}/heartbeat') return heartbeatBody(pathNode);
  return validValue(jsonSchemaOf(r.spec.body!));
}

/** Number encodings JSON.stringify never writes: some are not JSON at all, some parse to odd numbers. */
const NUMBER_TEXTS = [
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '-0.0',
  '0.0',
  '1e400',
  '-1e400',
  '1e-400',
  '1E2',
  '1.0',
  '2.50',
  '+1',
  '.5',
  '01',
  '0x1F',
  '1_0',
  '"1"',
  '9007199254740993',
];

/** Texts that are not a JSON object, or not JSON at all. */
const NON_JSON = [
  '{',
  '}',
  '{"a":}',
  '{"nodeId":"imp-a",}',
  "{'nodeId':'imp-a'}",
  'nodeId=imp-a&clusterId=c1',
  '<node><id>imp-a</id></node>',
  'null',
  'true',
  '0',
  '"text"',
  '[]',
  '[{}]',
  '\uFEFF{}',
  '{}\u0000',
  '{} {}',
  ' ',
  '\n',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"a":1,"a":2}',
  '\uD800',
];

function numberEncoding(r: RouteDefinition, base: fc.Arbitrary<unknown>): fc.Arbitrary<RawBody> | null {
  const js = jsonSchemaOf(r.spec.body!);
  const numeric = Object.entries(js.properties ?? {}).filter(
    ([, s]) => s.type === 'integer' || s.type === 'number',
  );
  if (numeric.length === 0) return null;
  return fc
    .tuple(base, fc.constantFrom(...numeric.map(([k]) => k)), fc.constantFrom(...NUMBER_TEXTS))
    .map(([b, field, text]) => {
      const marker = '\u0001number\u0001';
      const o = applyMutations(typeof b === 'object' && b !== null ? (b as Record<string, unknown>) : {}, [
        { kind: 'extra', field, value: marker },
      ]);
      return { text: JSON.stringify(o).replace(JSON.stringify(marker), text) };
    });
}

/** A body grown to exactly a number of bytes around the limit, with one- to four-byte characters. */
function sizedBody(base: fc.Arbitrary<unknown>): fc.Arbitrary<RawBody> {
  return fc.record({
    grow: base,
    bytes: fc.constantFrom(
      MAX_BODY_BYTES - 1,
      MAX_BODY_BYTES,
      MAX_BODY_BYTES + 1,
      MAX_BODY_BYTES + 3,
      2 * MAX_BODY_BYTES,
    ),
    filler: fc.constantFrom('a', 'é', '€', '😀'),
    into: fc.constantFrom('field' as const, 'space' as const),
  });
}

/** The body part of a request: valid, mutated, replaced, mis-encoded, oversized. */
function bodyArb(
  r: RouteDefinition,
  valid: boolean,
  pathNode?: string,
  base?: fc.Arbitrary<unknown>,
): fc.Arbitrary<Pick<FuzzRequest, 'body' | 'raw' | 'label'>> {
  if (!r.spec.body) {
    if (valid) return fc.constant({ label: 'no body' });
    return fc.oneof(
      { weight: 6, arbitrary: fc.constant({ label: 'no body' }) },
      fc.constantFrom(...NON_JSON).map((text) => ({ raw: { text }, label: 'unexpected raw body' })),
      fc.constant({ body: { unexpected: true }, label: 'unexpected body' }),
    );
  }
  const good = base ?? validBody(r, pathNode);
  if (valid) return good.map((body) => ({ body, label: 'valid' }));
  const js = jsonSchemaOf(r.spec.body);
  const options: fc.WeightedArbitrary<Pick<FuzzRequest, 'body' | 'raw' | 'label'>>[] = [
    { weight: 3, arbitrary: good.map((body) => ({ body, label: 'valid' })) },
    {
      weight: 6,
      arbitrary: fc.tuple(good, fc.array(mutation(js), { minLength: 1, maxLength: 2 })).map(([b, ms]) => ({
        body: applyMutations(b as Record<string, unknown>, ms),
        label: `mutated: ${ms.map((m) => `${m.kind} ${m.field}`).join(', ')}`,
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom<unknown>(
          null,
          [],
          'imp-a',
          42,
          true,
          deeplyNested(100, 'array'),
          deeplyNested(100, 'object'),
          undefined,
        )
        .map((body) => ({ body, label: 'body replaced' })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...NON_JSON).map((text) => ({ raw: { text }, label: 'not a JSON object' })),
    },
    {
      weight: 1,
      arbitrary: sizedBody(good).map((raw) => ({
        raw,
        label: `sized body ${(raw as { bytes: number }).bytes} bytes`,
      })),
    },
    {
      weight: 1,
      // Deeper than any recursive walk survives, but within the size limit.
      arbitrary: fc
        .tuple(
          fc.integer({ min: 1, max: 100_000 }),
          fc.constantFrom('array', 'object', 'field'),
          fc.constantFrom(...Object.keys(js.properties ?? { x: 0 })),
        )
        .map(([depth, kind, field]) => ({
          raw: {
            text:
              kind === 'array'
                ? `${'['.repeat(depth)}${']'.repeat(depth)}`
                : kind === 'object'
                  ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
                  : `{${JSON.stringify(field)}:${'['.repeat(depth)}${']'.repeat(depth)}}`,
          },
          label: `nested ${depth} deep (${kind})`,
        })),
    },
  ];
  const numbers = numberEncoding(r, good);
  if (numbers)
    options.push({ weight: 1, arbitrary: numbers.map((raw) => ({ raw, label: 'number encoding' })) });
  return fc.oneof(...options);
}

// ---------------------------------------------------------------- credentials and encoding

function credentialsArb(r: RouteDefinition, valid: boolean, pathNode?: string): fc.Arbitrary<Credentials> {
  if (r.spec.auth === 'node') {
    const own = { scopes: null, bearer: { node: pathNode ?? 'imp-a' } };
    if (valid) return fc.constant(own);
    return fc.oneof(
      { weight: 5, arbitrary: fc.constant<Credentials>(own) },
      fc.constantFrom<Credentials>(
        { scopes: null },
        { scopes: ['prg/admin'] },
        { scopes: null, bearer: { node: 'imp-a' } },
        { scopes: null, bearer: { node: 'imp-b' } },
        { scopes: null, bearer: { node: pathNode ?? 'imp-a', tamper: 'case' } },
        { scopes: null, bearer: { node: pathNode ?? 'imp-a', tamper: 'suffix' } },
        { scopes: null, bearer: { header: 'Bearer' } },
        { scopes: null, bearer: { header: 'Bearer  ' } },
        { scopes: null, bearer: { header: 'Basic aW1wLWE6eA==' } },
        { scopes: null, bearer: { header: 'Bearer a b' } },
        { scopes: null, bearer: { header: 'Bearer imp-a.' } },
        { scopes: null, bearer: { header: 'Bearer __proto__.x' } },
        { scopes: null, bearer: { header: `Bearer ${'t'.repeat(10_000)}` } },
      ),
      hostileString.map((s) => ({ scopes: null, bearer: { header: `Bearer ${s}` } })),
    );
  }
  const right: Credentials = { scopes: r.spec.auth === 'read' ? ['prg/read'] : ['prg/admin'] };
  if (valid) return fc.constant(r.spec.auth === 'read' ? { scopes: ['prg/admin'] } : right);
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(right) },
    fc.constantFrom<Credentials>(
      { scopes: null },
      { scopes: [] },
      { scopes: ['prg/read'] },
      { scopes: ['other'] },
      { scopes: ['PRG/ADMIN', 'prg/admin '] },
      { scopes: ['prg/read', 'prg/admin'] },
      { scopes: null, bearer: { node: 'imp-a' } },
    ),
  );
}

const CONTENT_TYPES = [
  null,
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/xml',
  'APPLICATION/JSON',
  'application/problem+json',
  '',
];

const encodingArb = (valid: boolean) =>
  valid
    ? fc.constant({})
    : fc.oneof(
        { weight: 12, arbitrary: fc.constant({}) },
        fc.constantFrom(...CONTENT_TYPES).map((contentType) => ({ contentType })),
        fc.constant({ base64: true }),
      );

const tickArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant(0) },
  fc.constantFrom(500, 1000, 3000, 7000, 60_000, 3_600_000),
);

// ---------------------------------------------------------------- requests

export interface RequestOptions {
  /** Everything well-formed, so that the use case decides. */
  valid?: boolean;
  /** Path parameters to use rather than generate. */
  path?: Record<string, string>;
  /** The valid body to start from (mutated unless `valid`). */
  body?: fc.Arbitrary<unknown>;
}

/** One request to a route. */
export function requestArb(key: RouteKey, o: RequestOptions = {}): fc.Arbitrary<FuzzRequest> {
  const r = routeOf(key);
  const valid = o.valid ?? false;
  // Most hostility is in the body; one request in four has a hostile path.
  const pathValid = fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(valid));
  return pathValid
    .chain((ok) => pathArb(r, ok, o.path))
    .chain((path) => {
      const node = matchRoute(r.method, path)?.pathParameters.nodeId;
      return fc
        .record({
          body: bodyArb(r, valid, node, o.body),
          query: queryArb(r, valid),
          credentials: credentialsArb(r, valid, node),
          encoding: encodingArb(valid),
          tick: valid ? fc.constant(0) : tickArb,
        })
        .map(({ body, query, credentials, encoding, tick }) => {
          const req: FuzzRequest = {
            label: body.label,
            route: r.key,
            method: r.method,
            path,
            credentials,
            tick,
            ...encoding,
            ...(query ? { query } : {}),
            ...('raw' in body && body.raw ? { raw: body.raw } : {}),
            ...('body' in body && body.body !== undefined ? { body: body.body } : {}),
          };
          return withSummary(req);
        });
    });
}

/** Any request to any route, valid or hostile. */
export const anyRequest: fc.Arbitrary<FuzzRequest> = fc
  .constantFrom(...FUZZ_ROUTES.map((r) => r.key))
  .chain((key) =>
    fc.oneof(
      { weight: 1, arbitrary: requestArb(key, { valid: true }) },
      { weight: 3, arbitrary: requestArb(key) },
    ),
  );

/** A step of a sequence: a request, time passing, or a workflow task for the group's last operation. */
export type Step =
  { request: FuzzRequest } | { tick: number } | { task: 'moveUsers' | 'checkOperation'; group: string };

const taskStep = (group: string): fc.Arbitrary<Step> =>
  fc.constantFrom('moveUsers' as const, 'checkOperation' as const).map((task) => ({ task, group }));

const stepOf = (key: RouteKey, o: RequestOptions = {}): fc.Arbitrary<Step> =>
  fc
    .oneof(
      { weight: 3, arbitrary: requestArb(key, { ...o, valid: true }) },
      { weight: 1, arbitrary: requestArb(key, o) },
    )
    .map((request) => ({ request }));

const tickStep: fc.Arbitrary<Step> = fc
  .constantFrom(1000, 2000, 4000, 10_000, 600_000)
  .map((tick) => ({ tick }));

const clusterPatch = fc.oneof(
  fc.constant<unknown>({ criticalServices: ['Cisco SIP Proxy'] }),
  fc.constant<unknown>({ keepAliveInterval: 2, keepAliveTimeout: 5 }),
  fc.constant<unknown>({ criticalServiceDelay: 0 }),
  fc
    .constantFrom(...PROTOTYPE_KEYS.filter((k) => k !== '__proto__'))
    .map((k) => ({ criticalServices: [k, 'Cisco SIP Proxy'] })),
  validValue(jsonSchemaOf(routeOf('PATCH /v1/clusters/{clusterId}/parameters').spec.body!)),
);

/** Short stories across routes, each step valid or not. */
export const sequences: fc.Arbitrary<Step[]> = fc.oneof(
  // A parameter change, then heartbeats under it.
  fc.tuple(
    stepOf('PATCH /v1/clusters/{clusterId}/parameters', { path: { clusterId: 'c1' }, body: clusterPatch }),
    tickStep,
    stepOf('POST /v1/nodes/{nodeId}/heartbeat', { path: { nodeId: 'imp-a' } }),
    stepOf('POST /v1/nodes/{nodeId}/heartbeat', { path: { nodeId: 'imp-b' } }),
    tickStep,
    stepOf('POST /v1/nodes/{nodeId}/heartbeat', { path: { nodeId: 'imp-a' } }),
    stepOf('GET /v1/groups/{name}', { path: { name: 'prg-1' } }),
  ),
  // A node registered, grouped, failed over and removed again.
  fc.constantFrom('imp-d', '__proto__', 'toString', 'constructor').chain((id) =>
    fc.tuple(
      stepOf('POST /v1/nodes', {
        body: fc.constant({
          nodeId: id,
          hostname: 'imp-d.example.com',
          clusterId: 'c1',
          softwareVersion: '15.0',
          publisherId: 'pub-1',
        }),
      }),
      stepOf('POST /v1/nodes/{nodeId}/heartbeat', { path: { nodeId: id } }),
      stepOf('POST /v1/groups', {
        body: fc
          .constantFrom('prg-2', id === 'imp-d' ? 'prg-3' : id)
          .map((name) => ({ name, nodes: ['imp-c', id], highAvailability: true })),
      }),
      stepOf('POST /v1/groups/{name}/failover', {
        path: { name: 'prg-2' },
        body: fc.constantFrom({ nodeId: 'imp-c' }, { nodeId: id }),
      }),
      taskStep('prg-2'),
      stepOf('POST /v1/groups/{name}/fallback', {
        path: { name: 'prg-2' },
        body: fc.constantFrom({ nodeId: 'imp-c' }, { nodeId: id }),
      }),
      stepOf('DELETE /v1/groups/{name}', { path: { name: 'prg-2' } }),
      stepOf('DELETE /v1/nodes/{nodeId}', { path: { nodeId: id } }),
    ),
  ),
  // Failover and fallback on the baseline's pair, with heartbeats and time between.
  fc.tuple(
    stepOf('POST /v1/groups/{name}/failover', {
      path: { name: 'prg-1' },
      body: fc.constantFrom({ nodeId: 'imp-a' }, { nodeId: 'imp-b' }),
    }),
    taskStep('prg-1'),
    stepOf('POST /v1/nodes/{nodeId}/heartbeat', { path: { nodeId: 'imp-a' } }),
    stepOf('POST /v1/nodes/{nodeId}/heartbeat', { path: { nodeId: 'imp-b' } }),
    tickStep,
    taskStep('prg-1'),
    stepOf('POST /v1/nodes/{nodeId}/heartbeat', { path: { nodeId: 'imp-a' } }),
    stepOf('POST /v1/nodes/{nodeId}/heartbeat', { path: { nodeId: 'imp-b' } }),
    stepOf('POST /v1/groups/{name}/fallback', {
      path: { name: 'prg-1' },
      body: fc.constantFrom({ nodeId: 'imp-a' }, { nodeId: 'imp-b' }),
    }),
    stepOf('POST /v1/groups/{name}/recover', { path: { name: 'prg-1' } }),
    stepOf('GET /v1/groups/{name}/history', { path: { name: 'prg-1' } }),
  ),
  // Users moved around a pair whose nodes change.
  fc.tuple(
    stepOf('POST /v1/users', {
      body: fc.constantFrom({ userId: 'u2', clusterId: 'c1' }, { userId: '__proto__', clusterId: 'c1' }),
    }),
    stepOf('PUT /v1/enterprise-parameters'),
    stepOf('PUT /v1/users/{userId}/home', { path: { userId: 'u1' } }),
    stepOf('POST /v1/clusters/{clusterId}/rebalance', { path: { clusterId: 'c1' } }),
    stepOf('DELETE /v1/nodes/{nodeId}', { path: { nodeId: 'imp-c' } }),
    stepOf('DELETE /v1/users/{userId}', { path: { userId: 'u1' } }),
  ),
  // Anything, in any order.
  fc.array(
    fc.oneof(
      { weight: 6, arbitrary: anyRequest.map((request) => ({ request })) },
      tickStep,
      taskStep('prg-1'),
    ),
    {
      minLength: 2,
      maxLength: 8,
    },
  ),
);

// ---------------------------------------------------------------- printing

const MAX_SHOWN = 120;

/** A request as fast-check prints it: huge strings cut short, so that a counterexample stays readable. */
export function summarize(value: unknown, depth = 0): string {
  if (typeof value === 'string') {
    return value.length > MAX_SHOWN
      ? `${JSON.stringify(value.slice(0, 40))}…(${value.length} chars)`
      : JSON.stringify(value);
  }
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value === null || typeof value !== 'object') return String(value);
  if (depth > 6) return '…(deeper)';
  if (Array.isArray(value)) return `[${value.map((v) => summarize(v, depth + 1)).join(',')}]`;
  return `{${Object.keys(value)
    .map((k) => `${JSON.stringify(k)}:${summarize((value as Record<string, unknown>)[k], depth + 1)}`)
    .join(',')}}`;
}

function withSummary(req: FuzzRequest): FuzzRequest {
  Object.defineProperty(req, fc.toStringMethod, { value: () => summarize({ ...req }), enumerable: false });
  return req;
}
