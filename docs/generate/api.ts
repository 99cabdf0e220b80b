/**
 * Renders docs/api.md from the route table (`lambdas/contract`): every route with who
 * may call it, what it takes and what it answers, field by field, from the same schemas
 * the handlers validate with. `npm run docs:api` writes the file;
 * test/unit/docs/api-doc.test.ts fails when the file and the route table disagree.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import { z } from 'zod';
import { PATH_PARAMETERS, ROUTE_LIST, type RouteDefinition, type RouteAuth } from '../../lambdas/contract';

/** Where the rendered document lives. */
export const API_DOC_PATH = fileURLToPath(new URL('../api.md', import.meta.url));

const WHO: Record<RouteAuth, string> = {
  none: 'anyone (no token)',
  read: 'a token with scope `prg/read` or `prg/admin`',
  admin: 'a token with scope `prg/admin`',
  node: 'the node itself, with its own node token',
};

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  default?: unknown;
  description?: string;
  additionalProperties?: JsonSchema | boolean;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** A field's type in a few words: `string (1–128)`, `"up" or "down"`, `array of object`, … */
function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) {
    // Long lists are the state and reason codes, which docs/states.md explains one by one.
    if (schema.enum.length > 6) return 'a code of docs/states.md';
    return schema.enum.map((v) => JSON.stringify(v)).join(' or ');
  }
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return alternatives.map(typeOf).join(' or ');
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : (schema.type ?? 'any');
  const bounds: string[] = [];
  const range = (low?: number, high?: number, unit = '') => {
    if (low !== undefined && high !== undefined) bounds.push(`${low}–${high}${unit}`);
    else if (low !== undefined) bounds.push(`≥ ${low}${unit}`);
    else if (high !== undefined) bounds.push(`≤ ${high}${unit}`);
  };
  if (type === 'string') range(schema.minLength, schema.maxLength, ' chars');
  const bounded = (limit?: number) =>
    limit === undefined || Math.abs(limit) >= Number.MAX_SAFE_INTEGER ? undefined : limit;
  if (type === 'integer' || type === 'number') range(bounded(schema.minimum), bounded(schema.maximum));
  if (type === 'array') {
    range(schema.minItems, schema.maxItems, ' items');
    return `array of ${schema.items ? typeOf(schema.items) : 'any'}${bounds.length ? ` (${bounds.join(', ')})` : ''}`;
  }
  if (type === 'object' && !schema.properties && schema.additionalProperties) {
    return typeof schema.additionalProperties === 'object'
      ? `map of ${typeOf(schema.additionalProperties)}`
      : 'object';
  }
  return `${type}${bounds.length ? ` (${bounds.join(', ')})` : ''}`;
}

/** One table row per field, nested objects flattened as `parent.child`. */
function fieldRows(schema: JsonSchema, prefix = ''): string[] {
  const rows: string[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${name}`;
    const notes = [
      field.description,
      field.default !== undefined ? `default ${JSON.stringify(field.default)}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    rows.push(
      `| \`${path}\` | ${cell(typeOf(field))} | ${required.has(name) ? 'yes' : 'no'} | ${cell(notes)} |`,
    );
    const nested = field.anyOf?.find((alternative) => alternative.properties) ?? field;
    if (nested.properties) rows.push(...fieldRows(nested, `${path}.`));
    if (nested.type === 'array' && nested.items?.properties)
      rows.push(...fieldRows(nested.items, `${path}[].`));
  }
  return rows;
}

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;

function fieldTable(title: string, schema: JsonSchema): string[] {
  const rows = fieldRows(schema);
  if (rows.length === 0) return [`${title}: ${typeOf(schema)}.`, ''];
  return [title, '', '| field | type | required | notes |', '| --- | --- | --- | --- |', ...rows, ''];
}

function describeRoute(route: RouteDefinition): string[] {
  const { spec } = route;
  const lines = [`### \`${route.key}\``, '', `${spec.summary}.`, ''];
  lines.push(`- Who: ${WHO[spec.auth]}`);
  lines.push(
    `- Served by: the \`${spec.function}\` function${spec.stream ? ' (embedded default only)' : ''}`,
  );
  lines.push(`- Success: ${spec.status}${spec.status === 204 ? ', no body' : ''}`);
  lines.push('');
  if (route.params.length > 0) {
    const params = z.object(Object.fromEntries(route.params.map((name) => [name, PATH_PARAMETERS[name]])));
    lines.push(...fieldTable('Path parameters', jsonSchema(params, 'input')));
  }
  if (spec.query) lines.push(...fieldTable('Query', jsonSchema(spec.query, 'input')));
  if (spec.body) lines.push(...fieldTable('Body (JSON)', jsonSchema(spec.body, 'input')));
  if (spec.stream)
    lines.push('Answer: `text/event-stream`, one event per state change (docs/events.md).', '');
  else if (spec.response)
    lines.push(...fieldTable(`Answer (${spec.status}, JSON)`, jsonSchema(spec.response, 'output')));
  return lines;
}

/** The Markdown of docs/api.md, formatted as prettier formats the repository. */
export async function renderApiDoc(): Promise<string> {
  const lines = [
    '# API reference',
    '',
    '<!-- Generated from lambdas/contract by `npm run docs:api`; edit the route table, not this file. -->',
    '',
    'Every route of the presence-ha HTTP API. The same table feeds the AWS stack, the',
    'embedded default, the OpenAPI document (`GET /v1/openapi.json`) and the typed client,',
    'so this page cannot describe a route the code does not serve.',
    '',
    'Errors are RFC 9457 `application/problem+json`: `400` names each invalid field in',
    '`errors` (nothing is written), `401`/`403` for a missing or wrong token, `404` for an',
    'unknown resource, `409` when the current states forbid the action (`states` lists',
    'them with their labels), `413` for a body over 256 KiB.',
    '',
    'Lists come a page at a time: `?limit=` (1–1000, default 100) and `?cursor=`, the',
    '`next` of the previous answer (`null` after the last page). A cursor is signed and',
    'bound to its list and filters: an altered one, or one of another list, is a `400`',
    'naming `cursor`. Pages follow storage order, not names; a page may hold fewer items',
    'than asked (even none) and still have a `next`. Items present for the whole walk are',
    'each read exactly once; items added meanwhile at most once.',
    '',
    '## Routes',
    '',
    ...ROUTE_LIST.map((route) => `- [\`${route.key}\`](#${anchor(route.key)}) — ${route.spec.summary}`),
    '',
    ...ROUTE_LIST.flatMap(describeRoute),
  ];
  const options = (await prettier.resolveConfig(API_DOC_PATH)) ?? {};
  return prettier.format(lines.join('\n'), { ...options, filepath: API_DOC_PATH });
}

/** GitHub's heading anchor for a route key heading. */
function anchor(key: string): string {
  return key
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

/** The document as committed, or null when there is none. */
export async function readApiDoc(): Promise<string | null> {
  try {
    return await readFile(API_DOC_PATH, 'utf8');
  } catch {
    return null;
  }
}

const runDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (runDirectly) {
  await writeFile(API_DOC_PATH, await renderApiDoc());
  process.stdout.write(`Wrote ${API_DOC_PATH}\n`);
}
