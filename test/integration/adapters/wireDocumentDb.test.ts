/**
 * The small signed HTTP client for DynamoDB (lambdas/adapters/dynamodb/wire) serves the
 * heartbeat and public functions on Lambda and every function in the embedded runtime. It
 * must be indistinguishable from the SDK's document client to the repositories: the same
 * requests on the wire, the same documents back, the same errors; and it must ride out
 * throttling and dropped connections the way the SDK does. Each test runs both clients
 * against the same DynamoDB Local table; a loopback proxy in front of it records requests
 * and plays throttling, server errors, hang-ups and silence.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { sdkDocumentDb } from '../../../lambdas/adapters/dynamodb/sdkDocumentDb';
import { wireDocumentDb } from '../../../lambdas/adapters/dynamodb/wire/wireDocumentDb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DocumentCommand,
  type DocumentDb,
} from '../../../lambdas/adapters/dynamodb/commands';
import { allItems, cancellationReasons, isConditionFailure } from '../../../lambdas/adapters/dynamodb/client';
import { createTables } from '../../../local/dynamodbLocal';
import type { TableNames } from '../../../lambdas/contract/tables';

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** What the proxy does with the next request instead of passing it on. */
type Trick = 'throttle' | 'server-error' | 'hang-up' | 'silence' | 'half-answer' | 'cut-answer' | 'html-503';

interface Proxy {
  url: string;
  /** The X-Amz-Target and body of every request that reached the proxy, in order. */
  seen: { target: string; body: string }[];
  /** Played one per request, first to last; requests after them go to DynamoDB Local. */
  tricks: Trick[];
  close(): Promise<void>;
}

/** A loopback HTTP proxy in front of DynamoDB Local that can misbehave on cue. */
async function startProxy(upstream: string): Promise<Proxy> {
  const target = new URL(upstream);
  const held: ServerResponse[] = [];
  const proxy: Proxy = { url: '', seen: [], tricks: [], close: async () => {} };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      proxy.seen.push({ target: String(req.headers['x-amz-target']), body: body.toString('utf8') });
      const trick = proxy.tricks.shift();
      const json = (status: number, type: string, message: string) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }));
      };
      if (trick === 'throttle')
        return json(400, 'ThrottlingException', 'Rate of requests exceeds the allowed throughput.');
      if (trick === 'server-error') return json(500, 'InternalServerError', 'Internal server error');
      if (trick === 'html-503') {
        res.writeHead(503, { 'content-type': 'text/html' });
        return res.end('<html>Service Unavailable</html>');
      }
      if (trick === 'hang-up') return req.socket.destroy();
      if (trick === 'silence') return void held.push(res);
      if (trick === 'half-answer' || trick === 'cut-answer') {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': '200' });
        res.write('{"Item":{"scope":');
        if (trick === 'cut-answer') return void setTimeout(() => req.socket.destroy(), 20);
        return void held.push(res);
      }
      const forward = httpRequest(
        {
          hostname: target.hostname,
          port: target.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

/** Everything a repository may store: each kind of value, nesting, and awkward keys. */
function document(group: string, sk: string) {
  return {
    group,
    sk,
    text: 'zürich ✓ 🚀',
    empty: '',
    zero: 0,
    negative: -12.5,
    fraction: 0.1,
    large: Number.MAX_SAFE_INTEGER,
    yes: true,
    no: false,
    nothing: null,
    left: undefined,
    nested: { a: { b: { c: [1, 'two', { three: 3, four: [] }] } }, emptyMap: {} },
    lists: [[], {}, [null, true, ''], 7],
    sparse: [1, undefined, 2],
    // A map keyed by input may hold these names; the marshaller must still store it as a map.
    services: { constructor: { enabled: true }, toString: 'x', hasOwnProperty: 1, __defineGetter__: 'y' },
    tags: new Set(['b', 'a']),
    point: new Point(1, 2),
    bytes: new Uint8Array([0, 1, 127, 128, 255]),
  };
}

/** `document()` as it reads back: undefined dropped, class instances as plain maps. */
function stored(group: string, sk: string) {
  const written: Partial<ReturnType<typeof document>> = document(group, sk);
  delete written.left;
  return { ...written, sparse: [1, 2], point: { x: 1, y: 2 } };
}

let endpoint: string;
let tables: TableNames;
let proxy: Proxy;
let sdk: DocumentDb;
let wire: DocumentDb;
let sdkClient: DynamoDBClient;

/** The wire client, pointed at the proxy. */
function wireVia(p: Proxy, options: { maxAttempts?: number; requestTimeoutMs?: number } = {}): DocumentDb {
  return wireDocumentDb({ endpoint: p.url, region: 'local', credentials: () => CREDENTIALS, ...options });
}

/**
 * The same value, down to prototypes and value types (Set, Uint8Array, number). Not
 * `toStrictEqual`: it compares objects' `constructor` property, which a map with a key
 * named "constructor" (which these documents have) turns into data.
 */
function expectSame(actual: unknown, expected: unknown): void {
  expect(actual).toEqual(expected);
  expect(isDeepStrictEqual(actual, expected)).toBe(true);
}

/** Runs `f`, returning what it threw (it must throw). */
async function thrown(f: () => Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await f();
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  endpoint = inject('dynamoEndpoint');
  tables = await createTables(endpoint, 'wiredb');
  proxy = await startProxy(endpoint);
  sdkClient = new DynamoDBClient({
    endpoint: proxy.url,
    region: 'local',
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
  sdk = sdkDocumentDb(sdkClient);
  wire = wireVia(proxy);
});

afterAll(async () => {
  sdkClient?.destroy();
  await proxy?.close();
});

describe('the wire client reads and writes the same documents as the SDK document client', () => {
  it('an item written by either reads back the same through either, every kind of value intact', async () => {
    await wire.send(new PutCommand({ TableName: tables.history, Item: document('docs', 'by-wire') }));
    await sdk.send(new PutCommand({ TableName: tables.history, Item: document('docs', 'by-sdk') }));
    for (const sk of ['by-wire', 'by-sdk']) {
      const get = new GetCommand({
        TableName: tables.history,
        Key: { group: 'docs', sk },
        ConsistentRead: true,
      });
      const [viaWire, viaSdk] = [(await wire.send(get)).Item, (await sdk.send(get)).Item];
      expectSame(viaWire, viaSdk);
      expectSame(viaWire, stored('docs', sk));
      expect(viaWire!.bytes).toBeInstanceOf(Uint8Array);
    }
  });

  it('sends the very request body the SDK sends, for every operation', async () => {
    const h = tables.history;
    const commands: DocumentCommand[] = [
      new PutCommand({
        TableName: h,
        Item: document('body', 'a'),
        ConditionExpression: 'attribute_not_exists(#g) OR #z = :zero',
        ExpressionAttributeNames: { '#g': 'group', '#z': 'zero' },
        ExpressionAttributeValues: { ':zero': 0 },
        ReturnConsumedCapacity: 'TOTAL',
      }),
      new GetCommand({
        TableName: h,
        Key: { group: 'body', sk: 'a' },
        ProjectionExpression: 'nested, services',
      }),
      new UpdateCommand({
        TableName: h,
        Key: { group: 'body', sk: 'a' },
        UpdateExpression: 'SET services = :s, point = :p, tags = :t REMOVE nothing',
        ExpressionAttributeValues: { ':s': { constructor: 1 }, ':p': new Point(3, 4), ':t': new Set([1, 2]) },
        ReturnValues: 'ALL_NEW',
      }),
      new QueryCommand({
        TableName: h,
        KeyConditionExpression: '#g = :g AND begins_with(sk, :p)',
        ExpressionAttributeNames: { '#g': 'group' },
        ExpressionAttributeValues: { ':g': 'body', ':p': 'a', ':unused': undefined },
        ExclusiveStartKey: { group: 'body', sk: 'a' },
        Limit: 3,
      }),
      new ScanCommand({
        TableName: h,
        FilterExpression: 'yes = :t',
        ExpressionAttributeValues: { ':t': true },
      }),
      new BatchWriteCommand({
        RequestItems: {
          [h]: [
            { PutRequest: { Item: document('body', 'b') } },
            { DeleteRequest: { Key: { group: 'body', sk: 'gone' } } },
          ],
        },
      }),
      new BatchGetCommand({
        RequestItems: {
          [h]: {
            Keys: [
              { group: 'body', sk: 'a' },
              { group: 'body', sk: 'b' },
            ],
            ConsistentRead: true,
          },
        },
      }),
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: h,
              Key: { group: 'body', sk: 'a' },
              ConditionExpression: 'zero = :z',
              ExpressionAttributeValues: { ':z': 0 },
            },
          },
          { Put: { TableName: h, Item: document('body', 'c') } },
          {
            Update: {
              TableName: h,
              Key: { group: 'body', sk: 'b' },
              UpdateExpression: 'SET fraction = :f',
              ExpressionAttributeValues: { ':f': 0.25 },
            },
          },
          {
            Delete: {
              TableName: h,
              Key: { group: 'body', sk: 'gone' },
              ConditionExpression: 'attribute_not_exists(sk)',
            },
          },
        ],
      }),
      new DeleteCommand({ TableName: h, Key: { group: 'body', sk: 'c' }, ReturnValues: 'ALL_OLD' }),
    ];
    const operations = new Set<string>();
    for (const command of commands) {
      proxy.seen.length = 0;
      const bySdk = await sdk.send(command);
      const sdkSeen = proxy.seen.splice(0);
      // What the SDK's delete took away, put back, so that both deletes answer the same.
      if (command.operation === 'DeleteItem') {
        await wire.send(new PutCommand({ TableName: h, Item: document('body', 'c') }));
      }
      proxy.seen.length = 0;
      const byWire = await wire.send(command);
      const wireSeen = proxy.seen.splice(0);
      expect([...sdkSeen, ...wireSeen].map((s) => s.target)).toEqual([
        `DynamoDB_20120810.${command.operation}`,
        `DynamoDB_20120810.${command.operation}`,
      ]);
      const [sdkBody, wireBody] = [sdkSeen[0]!, wireSeen[0]!].map(
        (s) => JSON.parse(s.body) as Record<string, unknown>,
      );
      if (command.operation === 'TransactWriteItems') {
        // Each client makes its own idempotency token; both must send one.
        expect(wireBody!.ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
        expect(sdkBody!.ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
        delete wireBody!.ClientRequestToken;
        delete sdkBody!.ClientRequestToken;
      }
      expect(wireBody).toEqual(sdkBody);
      // The same answer too (both ran the same idempotent request on the same data).
      const sdkAnswer: Record<string, unknown> = { ...bySdk };
      delete sdkAnswer.$metadata;
      expectSame(byWire, sdkAnswer);
      operations.add(command.operation);
    }
    expect(operations.size).toBe(9);
  });

  it('pages a query the same way: the same items and the same LastEvaluatedKey, page after page', async () => {
    await wire.send(
      new BatchWriteCommand({
        RequestItems: {
          [tables.history]: Array.from({ length: 7 }, (_, i) => ({
            PutRequest: { Item: { group: 'paged', sk: `e#${i}`, n: i, detail: { constructor: i } } },
          })),
        },
      }),
    );
    const query = {
      TableName: tables.history,
      KeyConditionExpression: '#g = :g',
      ExpressionAttributeNames: { '#g': 'group' },
      ExpressionAttributeValues: { ':g': 'paged' },
      Limit: 3,
      ScanIndexForward: false,
    };
    let start: Record<string, unknown> | undefined;
    let pages = 0;
    do {
      const page = await wire.send(new QueryCommand({ ...query, ExclusiveStartKey: start }));
      const same = await sdk.send(new QueryCommand({ ...query, ExclusiveStartKey: start }));
      expectSame(page.Items, same.Items);
      expectSame(page.LastEvaluatedKey, same.LastEvaluatedKey);
      expect(page.Count).toBe(same.Count);
      start = page.LastEvaluatedKey;
      pages += 1;
    } while (start);
    expect(pages).toBe(3);
    const all = await allItems(wire, query);
    expect(all.map((i) => i.n)).toEqual([6, 5, 4, 3, 2, 1, 0]);
    expectSame(all[0], { group: 'paged', sk: 'e#6', n: 6, detail: { constructor: 6 } });
  });

  it('passes ReturnConsumedCapacity through and hands back ConsumedCapacity as DynamoDB reports it', async () => {
    const out = await wire.send(
      new PutCommand({
        TableName: tables.history,
        Item: { group: 'cap', sk: '1' },
        ReturnConsumedCapacity: 'INDEXES',
      }),
    );
    expect(out.ConsumedCapacity).toMatchObject({ TableName: tables.history, CapacityUnits: 1 });
  });
});

describe('the wire client fails the way the SDK does', () => {
  it('a failed condition is ConditionalCheckFailedException, with the SDK’s message, tried once', async () => {
    await wire.send(new PutCommand({ TableName: tables.settings, Item: { scope: 'cond', v: 1 } }));
    const put = new PutCommand({
      TableName: tables.settings,
      Item: { scope: 'cond', v: 2 },
      ConditionExpression: 'attribute_not_exists(#s)',
      ExpressionAttributeNames: { '#s': 'scope' },
    });
    const fromSdk = await thrown(() => sdk.send(put));
    proxy.seen.length = 0;
    const fromWire = await thrown(() => wire.send(put));
    expect(proxy.seen).toHaveLength(1);
    expect(fromWire.name).toBe('ConditionalCheckFailedException');
    expect(isConditionFailure(fromWire)).toBe(true);
    expect(fromWire.message).toBe(fromSdk.message);
    expect(fromWire).toBeInstanceOf(Error);
  });

  it('a cancelled transaction carries its reasons in order, and the failed item as a document', async () => {
    await wire.send(new PutCommand({ TableName: tables.settings, Item: { scope: 'tx-existing', v: 1 } }));
    const transaction = new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: tables.settings, Item: { scope: 'tx-new', v: 1 } } },
        {
          ConditionCheck: {
            TableName: tables.settings,
            Key: { scope: 'tx-existing' },
            ConditionExpression: 'attribute_not_exists(v)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        {
          Update: {
            TableName: tables.settings,
            Key: { scope: 'tx-other' },
            UpdateExpression: 'SET v = :v',
            ExpressionAttributeValues: { ':v': 2 },
          },
        },
      ],
    });
    const fromSdk = await thrown(() => sdk.send(transaction));
    proxy.seen.length = 0;
    const fromWire = await thrown(() => wire.send(transaction));
    expect(proxy.seen).toHaveLength(1);
    expect(fromWire.name).toBe('TransactionCanceledException');
    expect(fromWire.message).toBe(fromSdk.message);
    expect(cancellationReasons(fromWire)).toEqual(['None', 'ConditionalCheckFailed', 'None']);
    expect(cancellationReasons(fromWire)).toEqual(cancellationReasons(fromSdk));
    const [wireReason, sdkReason] = [fromWire, fromSdk].map(
      (e) => (e.CancellationReasons as { Item?: Record<string, unknown> }[])[1]!.Item,
    );
    expectSame(wireReason, { scope: 'tx-existing', v: 1 });
    expectSame(wireReason, unmarshall(sdkReason as never));
    const untouched = await wire.send(
      new GetCommand({ TableName: tables.settings, Key: { scope: 'tx-new' } }),
    );
    expect(untouched.Item).toBeUndefined();
  });

  it('a ValidationException is thrown at once, never tried again', async () => {
    proxy.seen.length = 0;
    const e = await thrown(() =>
      wire.send(new GetCommand({ TableName: tables.history, Key: { group: 'docs' } /* no sort key */ })),
    );
    expect(e.name).toBe('ValidationException');
    expect(e.message).toMatch(/key/i);
    expect(proxy.seen).toHaveLength(1);
  });
});

describe('the wire client rides out throttling and dropped connections, then gives up clearly', () => {
  it('throttled twice, the call is tried again with backoff and goes through', async () => {
    proxy.seen.length = 0;
    proxy.tricks = ['throttle', 'throttle'];
    await wire.send(new PutCommand({ TableName: tables.settings, Item: { scope: 'throttled', v: 3 } }));
    expect(proxy.seen).toHaveLength(3);
    const read = await wire.send(
      new GetCommand({ TableName: tables.settings, Key: { scope: 'throttled' }, ConsistentRead: true }),
    );
    expect(read.Item).toEqual({ scope: 'throttled', v: 3 });
  });

  it('throttled on every attempt, it gives up after maxAttempts with a message that says what was tried', async () => {
    proxy.seen.length = 0;
    proxy.tricks = Array.from({ length: 10 }, () => 'throttle' as const);
    const e = await thrown(() =>
      wire.send(new GetCommand({ TableName: tables.settings, Key: { scope: 'throttled' } })),
    );
    proxy.tricks = [];
    expect(proxy.seen).toHaveLength(4);
    expect(e.name).toBe('ThrottlingException');
    expect(e.message).toContain(`DynamoDB GetItem on ${tables.settings} failed 4 times`);
    expect(e.message).toContain('4× ThrottlingException');
    expect(e.message).toContain('Rate of requests exceeds the allowed throughput');
    expect(e.message).toMatch(
      /throughput\. The table or the account is over its throughput: raise its capacity/,
    );
    expect(e.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 4 });
  });

  it('a smaller maxAttempts is honoured', async () => {
    const twice = wireVia(proxy, { maxAttempts: 2 });
    proxy.seen.length = 0;
    proxy.tricks = ['throttle', 'throttle', 'throttle'];
    const e = await thrown(() =>
      twice.send(new GetCommand({ TableName: tables.settings, Key: { scope: 'x' } })),
    );
    proxy.tricks = [];
    expect(proxy.seen).toHaveLength(2);
    expect(e.message).toContain('failed 2 times');
  });

  it('server errors (JSON or not), a hung-up connection and a silent one are tried again', async () => {
    // Long enough for the real request behind the tricks on a busy DynamoDB Local, short enough for the silent one.
    const patient = wireVia(proxy, { maxAttempts: 5, requestTimeoutMs: 2_500 });
    proxy.seen.length = 0;
    proxy.tricks = ['server-error', 'html-503', 'hang-up', 'silence'];
    await patient.send(new PutCommand({ TableName: tables.settings, Item: { scope: 'flaky', v: 5 } }));
    expect(proxy.seen).toHaveLength(5);
    const read = await wire.send(
      new GetCommand({ TableName: tables.settings, Key: { scope: 'flaky' }, ConsistentRead: true }),
    );
    expect(read.Item).toEqual({ scope: 'flaky', v: 5 });
  });

  it('an answer that stops half-way, or is cut off, is tried again rather than waited for or half-read', async () => {
    const patient = wireVia(proxy, { requestTimeoutMs: 2_500 });
    proxy.seen.length = 0;
    proxy.tricks = ['half-answer', 'cut-answer'];
    await patient.send(new PutCommand({ TableName: tables.settings, Item: { scope: 'halved', v: 6 } }));
    expect(proxy.seen).toHaveLength(3);
  });

  it('a connection that keeps dropping ends in an error naming the endpoint, with the network code kept', async () => {
    const flaky = wireVia(proxy, { maxAttempts: 3 });
    proxy.seen.length = 0;
    proxy.tricks = ['hang-up', 'hang-up', 'hang-up'];
    const e = await thrown(() =>
      flaky.send(new GetCommand({ TableName: tables.settings, Key: { scope: 'x' } })),
    );
    proxy.tricks = [];
    expect(proxy.seen).toHaveLength(3);
    expect(e.code).toBe('ECONNRESET');
    expect(e.message).toContain('3× ECONNRESET');
    expect(e.message).toContain(`Check that ${proxy.url} is reachable`);
  });

  it('a retried transaction carries the same idempotency token on every attempt', async () => {
    proxy.seen.length = 0;
    proxy.tricks = ['server-error'];
    await wire.send(
      new TransactWriteCommand({
        TransactItems: [{ Put: { TableName: tables.settings, Item: { scope: 'tx-retried', v: 1 } } }],
      }),
    );
    const tokens = proxy.seen.map(
      (s) => (JSON.parse(s.body) as { ClientRequestToken: string }).ClientRequestToken,
    );
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).toBe(tokens[0]);
  });
});
