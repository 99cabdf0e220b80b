/**
 * `DocumentDb` over plain Node HTTP(S): DynamoDB's JSON protocol, signed with SigV4
 * (./sigv4.ts), with the document client's marshalling and the SDK's retry habits. It
 * loads in a few milliseconds, where the SDK's DynamoDB client and document client take
 * about two hundred, which was most of the heartbeat function's cold start.
 *
 * What it must agree with the SDK on, and does (test/integration/adapters/wireDocumentDb
 * compares the two on the same table):
 * - which parts of each input are documents to marshall, and which parts of each answer
 *   are attribute values to unmarshall (the same paths as `@aws-sdk/lib-dynamodb`), with
 *   the same `@aws-sdk/util-dynamodb` and the same options;
 * - errors: an `Error` named after DynamoDB's error type, with DynamoDB's message, and
 *   the answer's other fields (`CancellationReasons`) on it;
 * - retries: throttling, 5xx answers and dropped or timed-out connections are tried again,
 *   with full-jitter exponential backoff; nothing else is. A transaction carries an
 *   idempotency token (ClientRequestToken), the same on every attempt, as the SDK's does.
 * One difference: the items in a cancelled transaction's reasons (and a failed
 * condition's `Item`, with `ReturnValuesOnConditionCheckFailure`) come back as plain
 * values, where the SDK leaves them as attribute values.
 */
import { request as httpRequest, Agent as HttpAgent, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { randomUUID } from 'node:crypto';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DocumentCommand, DocumentDb, DocumentOperation, DocumentOperations } from '../commands';
import { signRequest, type AwsCredentials } from './sigv4';

/** How to reach DynamoDB and sign for it. */
export interface WireOptions {
  /** Base URL, e.g. `https://dynamodb.eu-west-1.amazonaws.com` or DynamoDB Local's `http://127.0.0.1:8000`. */
  endpoint: string;
  /** The region the requests are signed for. */
  region: string;
  /** Called before every request (cheap): Lambda's credentials live in the environment and rotate. */
  credentials: () => AwsCredentials;
  /** Tries per call, the first included; default 4 (the SDK's standard mode has 3). */
  maxAttempts?: number;
  /**
   * How long a request may go without a byte from DynamoDB before it is abandoned and
   * tried again. Default 30 s: only a guard against a call that never ends, since
   * DynamoDB Local on a busy machine can stall for seconds, and a write tried again after
   * it went through fails its own condition. Against AWS, `wireOptionsFromEnv` sets 3 s.
   */
  requestTimeoutMs?: number;
}

const DEFAULT_MAX_ATTEMPTS = 4;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/**
 * DynamoDB answers in milliseconds: a connection silent for seconds is a dead one (say,
 * kept alive across a frozen Lambda), better abandoned and tried again on a new one than
 * waited on until the function's own timeout (a few seconds) ends the invocation.
 */
const AWS_REQUEST_TIMEOUT_MS = 3_000;
/** Full-jitter backoff: attempt n waits a random time below BASE·2^(n-1), at most CAP. */
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 5_000;

/**
 * Options from the environment a Lambda function gets: the region from AWS_REGION (or
 * AWS_DEFAULT_REGION), the endpoint from AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL
 * (LocalStack, DynamoDB Local) or else the region's public one, and the credentials from
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, read at each call since
 * Lambda renews them. Nothing is checked here: a missing variable fails the first call,
 * with an error naming it, as the SDK would. Requests to AWS's endpoint time out after
 * 3 s of silence; to another (LocalStack, DynamoDB Local) after the lenient default.
 */
export function wireOptionsFromEnv(env: NodeJS.ProcessEnv): WireOptions {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || '';
  const override = env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL;
  const endpoint =
    override ||
    (region ? `https://dynamodb.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}` : '');
  return {
    endpoint,
    region,
    ...(override ? {} : { requestTimeoutMs: AWS_REQUEST_TIMEOUT_MS }),
    credentials: () => {
      const accessKeyId = env.AWS_ACCESS_KEY_ID;
      const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
      const missing = !accessKeyId ? 'AWS_ACCESS_KEY_ID' : !secretAccessKey ? 'AWS_SECRET_ACCESS_KEY' : null;
      if (missing || !accessKeyId || !secretAccessKey) {
        throw new Error(
          `${missing} is not set: the DynamoDB client signs with the credentials in the environment, which Lambda ` +
            'sets from the function role. Outside Lambda set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ' +
            '(and AWS_SESSION_TOKEN for temporary credentials).',
        );
      }
      return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
    },
  };
}

// ---------------------------------------------------------------------------------------
// Marshalling: which parts of a request are documents, which parts of an answer are items.

/**
 * Where attribute values sit in a request or an answer: `'value'` is one value,
 * `'record'` a map (or list) of values (an item, a key, ExpressionAttributeValues),
 * `{ '*': shape }` a map or list of entries of that shape, and any other object the named
 * fields of that shape (other fields are kept as they are). The paths are those of the
 * SDK's document client (`@aws-sdk/lib-dynamodb`).
 */
type Shape = 'value' | 'record' | { readonly [field: string]: Shape };

/** Conditions of the legacy API (Expected, KeyConditions, …): a value and a list of values. */
const CONDITIONS: Shape = { '*': { Value: 'value', AttributeValueList: 'record' } };
const WRITE_METRICS: Shape = { ItemCollectionKey: 'record' };

const INPUT_SHAPES: { readonly [O in DocumentOperation]: Shape } = {
  GetItem: { Key: 'record' },
  PutItem: { Item: 'record', Expected: CONDITIONS, ExpressionAttributeValues: 'record' },
  UpdateItem: {
    Key: 'record',
    AttributeUpdates: { '*': { Value: 'value' } },
    Expected: CONDITIONS,
    ExpressionAttributeValues: 'record',
  },
  DeleteItem: { Key: 'record', Expected: CONDITIONS, ExpressionAttributeValues: 'record' },
  Query: {
    KeyConditions: CONDITIONS,
    QueryFilter: CONDITIONS,
    ExclusiveStartKey: 'record',
    ExpressionAttributeValues: 'record',
  },
  Scan: { ScanFilter: CONDITIONS, ExclusiveStartKey: 'record', ExpressionAttributeValues: 'record' },
  BatchGetItem: { RequestItems: { '*': { Keys: { '*': 'record' } } } },
  BatchWriteItem: {
    RequestItems: { '*': { '*': { PutRequest: { Item: 'record' }, DeleteRequest: { Key: 'record' } } } },
  },
  TransactWriteItems: {
    TransactItems: {
      '*': {
        ConditionCheck: { Key: 'record', ExpressionAttributeValues: 'record' },
        Put: { Item: 'record', ExpressionAttributeValues: 'record' },
        Delete: { Key: 'record', ExpressionAttributeValues: 'record' },
        Update: { Key: 'record', ExpressionAttributeValues: 'record' },
      },
    },
  },
};

const OUTPUT_SHAPES: { readonly [O in DocumentOperation]: Shape } = {
  GetItem: { Item: 'record' },
  PutItem: { Attributes: 'record', ItemCollectionMetrics: WRITE_METRICS },
  UpdateItem: { Attributes: 'record', ItemCollectionMetrics: WRITE_METRICS },
  DeleteItem: { Attributes: 'record', ItemCollectionMetrics: WRITE_METRICS },
  Query: { Items: { '*': 'record' }, LastEvaluatedKey: 'record' },
  Scan: { Items: { '*': 'record' }, LastEvaluatedKey: 'record' },
  BatchGetItem: {
    Responses: { '*': { '*': 'record' } },
    UnprocessedKeys: { '*': { Keys: { '*': 'record' } } },
  },
  BatchWriteItem: {
    UnprocessedItems: { '*': { '*': { PutRequest: { Item: 'record' }, DeleteRequest: { Key: 'record' } } } },
    ItemCollectionMetrics: { '*': { '*': WRITE_METRICS } },
  },
  TransactWriteItems: { ItemCollectionMetrics: { '*': { '*': WRITE_METRICS } } },
};

/** The fields of an error answer that hold items. */
const ERROR_SHAPE: Shape = { Item: 'record', CancellationReasons: { '*': { Item: 'record' } } };

/** Sets `key` as an own property even when it is `__proto__` (keys here come from data). */
function put(target: Record<string, unknown> | unknown[], key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Entries of an object or array, functions left out (as the document client does). */
function entries(value: unknown): [string, unknown][] {
  return Object.entries(value ?? {}).filter(([, v]) => typeof v !== 'function');
}

/** `value` with `convert` applied at every place `shape` marks as attribute values. */
function transform(value: unknown, shape: Shape, convert: (v: unknown) => unknown): unknown {
  if (value === undefined) return undefined;
  if (shape === 'value') return convert(value);
  const out: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
  if (shape === 'record') {
    for (const [k, v] of entries(value)) {
      const converted = transform(v, 'value', convert);
      if (Array.isArray(out)) out.push(converted);
      else if (converted !== undefined) put(out, k, converted);
    }
    return out;
  }
  const each = shape['*'];
  if (each !== undefined && Object.keys(shape).length === 1) {
    for (const [k, v] of entries(value)) put(out, k, transform(v, each, convert));
    return out;
  }
  for (const [k, v] of entries(value)) put(out, k, v);
  for (const [field, inner] of Object.entries(shape)) {
    const v = (value as Record<string, unknown>)[field];
    if (typeof v === 'function') continue;
    const converted = transform(v, inner, convert);
    if (converted !== undefined) put(out, field, converted);
  }
  return out;
}

/** The document client's options: see sdkDocumentDb.ts for why classes become maps. */
const MARSHALL_OPTIONS = {
  removeUndefinedValues: true,
  convertClassInstanceToMap: true,
  convertTopLevelContainer: true,
} as const;
const UNMARSHALL_OPTIONS = { convertWithoutMapWrapper: true } as const;

const toAttributeValue = (v: unknown) => marshall(v as never, MARSHALL_OPTIONS);
const fromAttributeValue = (v: unknown) => unmarshall(decodeBinary(v) as never, UNMARSHALL_OPTIONS);
/** For answers without binary values (no `"B` in their text, the usual case): no copy first. */
const fromTextualAttributeValue = (v: unknown) => unmarshall(v as never, UNMARSHALL_OPTIONS);

/** Binary values travel as base64 in JSON; the SDK hands them out as Uint8Array. */
function decodeBinary(av: unknown): unknown {
  if (typeof av !== 'object' || av === null) return av;
  const a = av as Record<string, unknown>;
  if (typeof a.B === 'string') return { B: new Uint8Array(Buffer.from(a.B, 'base64')) };
  if (Array.isArray(a.BS)) return { BS: a.BS.map((b) => new Uint8Array(Buffer.from(String(b), 'base64'))) };
  if (Array.isArray(a.L)) return { L: a.L.map(decodeBinary) };
  if (typeof a.M === 'object' && a.M !== null) {
    const m: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(a.M)) put(m, k, decodeBinary(v));
    return { M: m };
  }
  return av;
}

/** JSON with binary values (Uint8Array, Buffer, other views) as base64, as DynamoDB wants them. */
function toJson(body: unknown): string {
  return JSON.stringify(body, function (this: Record<string, unknown>, key, value: unknown) {
    const raw = this[key];
    if (ArrayBuffer.isView(raw))
      return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
    if (raw instanceof ArrayBuffer) return Buffer.from(raw).toString('base64');
    return value;
  });
}

// ---------------------------------------------------------------------------------------
// Errors and retries.

/** Error types DynamoDB (or AWS in front of it) uses for "too many requests, slow down". */
const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  // A transaction with the same token still running: try again later (the SDK does too).
  'TransactionInProgressException',
]);

/** Connection failures worth another try: nothing or only part of an answer arrived. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

/** Why an attempt failed, for the retry decision and the final message. */
type Failure =
  | { kind: 'throttled' | 'server' | 'final'; error: Error }
  | { kind: 'network'; error: Error & { code?: string } };

/** An error of DynamoDB's answer: named after its type, with the answer's other fields on it. */
function answerError(
  operation: DocumentOperation,
  status: number,
  headers: IncomingHttpHeaders,
  text: string,
): Error {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's page, a truncated answer): named by the status below.
  }
  const headerType = String(headers['x-amzn-errortype'] ?? '').split(':')[0];
  const type = String(body.__type ?? body.code ?? headerType ?? '');
  const name =
    type.split('#').pop() ||
    (status === 503 ? 'ServiceUnavailable' : status >= 500 ? 'InternalServerError' : 'UnknownError');
  const message =
    (typeof body.message === 'string' && body.message) ||
    (typeof body.Message === 'string' && body.Message) ||
    `DynamoDB answered ${operation} with HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  const error = new Error(message);
  error.name = name;
  const extra = transform(body, ERROR_SHAPE, fromAttributeValue) as Record<string, unknown>;
  for (const [k, v] of Object.entries(extra)) {
    if (k !== '__type' && k !== 'message' && k !== 'Message' && k !== 'code') put(error as never, k, v);
  }
  put(error as never, '$fault', status >= 500 ? 'server' : 'client');
  put(error as never, '$metadata', {
    httpStatusCode: status,
    requestId: headers['x-amzn-requestid'],
  });
  return error;
}

/** How an attempt's failure is treated: tried again (throttled, server, network) or thrown. */
function classify(e: unknown): Failure {
  const error = e instanceof Error ? e : new Error(String(e));
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const code = (error as { code?: string }).code;
  if (THROTTLING.has(error.name) || status === 429) return { kind: 'throttled', error };
  if (status === undefined && (error.name === 'TimeoutError' || (code && NETWORK_CODES.has(code))))
    return { kind: 'network', error };
  if (status !== undefined && (status >= 500 || error.name === 'InternalServerError'))
    return { kind: 'server', error };
  return { kind: 'final', error };
}

/** The tables a command touches, for messages. */
function tablesOf(input: Record<string, unknown>): string {
  if (typeof input.TableName === 'string') return input.TableName;
  if (input.RequestItems && typeof input.RequestItems === 'object')
    return Object.keys(input.RequestItems).join(', ');
  if (Array.isArray(input.TransactItems)) {
    const names = new Set<string>();
    for (const t of input.TransactItems as Record<string, { TableName?: string } | undefined>[]) {
      for (const part of Object.values(t)) if (part?.TableName) names.add(part.TableName);
    }
    return [...names].join(', ');
  }
  return '';
}

/** The error thrown when every attempt failed: the last one's name and fields, saying what was tried. */
function gaveUp(
  operation: DocumentOperation,
  input: Record<string, unknown>,
  endpoint: string,
  failures: readonly Failure[],
  last: Failure,
  elapsedMs: number,
): Error {
  const counts = new Map<string, number>();
  for (const f of failures) {
    const label = f.kind === 'network' && f.error.code ? f.error.code : f.error.name;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const tried = [...counts].map(([label, n]) => `${n}× ${label}`).join(', ');
  const hint =
    last.kind === 'throttled'
      ? 'The table or the account is over its throughput: raise its capacity or limits, or spread the load; the caller may try again later.'
      : last.kind === 'network'
        ? `Check that ${endpoint} is reachable from here and answers.`
        : 'DynamoDB had internal errors; try again later, and check the AWS Health Dashboard if it lasts.';
  const tables = tablesOf(input);
  const error = new Error(
    `DynamoDB ${operation}${tables ? ` on ${tables}` : ''} failed ${failures.length} times in ${Math.round(elapsedMs)} ms ` +
      `(${tried}); the last: ${last.error.message.replace(/\.$/, '')}. ${hint}`,
    { cause: last.error },
  );
  error.name = last.error.name;
  for (const [k, v] of Object.entries(last.error))
    if (k !== 'name' && k !== 'message') put(error as never, k, v);
  const metadata = (last.error as { $metadata?: object }).$metadata;
  put(error as never, '$metadata', {
    ...metadata,
    attempts: failures.length,
    elapsedMs: Math.round(elapsedMs),
  });
  return error;
}

// ---------------------------------------------------------------------------------------
// The client.

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * A `DocumentDb` that speaks DynamoDB's JSON protocol over one keep-alive connection pool.
 * The endpoint and region are checked at the first call (a function that never calls
 * DynamoDB does not need them), credentials at every call.
 */
export function wireDocumentDb(options: WireOptions): DocumentDb {
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  let target: { url: URL; https: boolean; agent: HttpAgent } | null = null;

  /** The parsed endpoint and its connection pool, made once. */
  function resolveTarget() {
    if (target) return target;
    if (!options.region) {
      throw new Error('No AWS region for DynamoDB: set AWS_REGION (Lambda sets it) or AWS_DEFAULT_REGION.');
    }
    let url: URL;
    try {
      url = new URL(options.endpoint);
    } catch {
      throw new Error(
        `The DynamoDB endpoint "${options.endpoint}" is not a URL: fix AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL, or unset them to use AWS's.`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`The DynamoDB endpoint "${options.endpoint}" must be an http:// or https:// URL.`);
    }
    const https = url.protocol === 'https:';
    const agent = https ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    target = { url, https, agent };
    return target;
  }

  /** One signed POST; resolves with whatever DynamoDB answered, rejects on connection failures. */
  function post(operation: DocumentOperation, body: string): Promise<Answer> {
    const { url, https, agent } = resolveTarget();
    const path = url.pathname || '/';
    const headers = signRequest(
      {
        method: 'POST',
        host: url.host,
        path,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `DynamoDB_20120810.${operation}`,
        },
        body,
      },
      options.credentials(),
      { region: options.region, service: 'dynamodb' },
    );
    headers['content-length'] = String(Buffer.byteLength(body));
    return new Promise<Answer>((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(
        {
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port || undefined,
          path,
          method: 'POST',
          headers,
          agent,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          // A connection dropped mid-answer is an 'error' here (ECONNRESET, "aborted");
          // 'close' before the whole answer is a guard, so that no call can hang.
          res.on('error', reject);
          res.on('close', () => {
            if (!res.complete) {
              reject(
                Object.assign(new Error('DynamoDB closed the connection mid-answer'), { code: 'ECONNRESET' }),
              );
            }
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      req.on('timeout', () => {
        const error = Object.assign(new Error(`no answer from DynamoDB within ${timeoutMs} ms`), {
          name: 'TimeoutError',
          code: 'ETIMEDOUT',
        });
        req.destroy(error);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** One attempt: the unmarshalled answer, or the error DynamoDB (or the network) gave. */
  async function attempt(operation: DocumentOperation, body: string): Promise<unknown> {
    const answer = await post(operation, body);
    if (answer.status < 200 || answer.status >= 300)
      throw answerError(operation, answer.status, answer.headers, answer.text);
    let parsed: unknown;
    try {
      parsed = answer.text ? JSON.parse(answer.text) : {};
    } catch {
      throw new Error(
        `DynamoDB answered ${operation} with HTTP ${answer.status} and a body that is not JSON: ${answer.text.slice(0, 200)}`,
      );
    }
    const convert = answer.text.includes('"B') ? fromAttributeValue : fromTextualAttributeValue;
    return transform(parsed, OUTPUT_SHAPES[operation], convert);
  }

  return {
    async send<O extends DocumentOperation>(
      command: DocumentCommand<O>,
    ): Promise<DocumentOperations[O]['output']> {
      const { operation } = command;
      let input = command.input as unknown as Record<string, unknown>;
      // As the SDK does: a transaction carries a token, the same on every attempt, so that
      // one that went through before its answer was lost is not applied (or refused) again.
      if (operation === 'TransactWriteItems' && input.ClientRequestToken === undefined) {
        input = { ...input, ClientRequestToken: randomUUID() };
      }
      const body = toJson(transform(input, INPUT_SHAPES[operation], toAttributeValue));
      const started = performance.now();
      const failures: Failure[] = [];
      for (;;) {
        try {
          return (await attempt(operation, body)) as DocumentOperations[O]['output'];
        } catch (e) {
          const failure = classify(e);
          if (failure.kind === 'final') throw failure.error;
          failures.push(failure);
          if (failures.length >= maxAttempts) {
            throw gaveUp(operation, input, options.endpoint, failures, failure, performance.now() - started);
          }
          const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (failures.length - 1));
          await new Promise((r) => setTimeout(r, Math.random() * ceiling));
        }
      }
    },
  };
}
