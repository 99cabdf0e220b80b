/**
 * The small DynamoDB client signs its requests itself. A signature DynamoDB does not
 * accept is a function that cannot read or write anything, so the signer is held to the
 * SDK's own (`@smithy/signature-v4`) for the same request at the same instant; and the
 * client finds its region, endpoint and credentials where Lambda puts them.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/core/protocols';
import { signRequest, type AwsCredentials } from '../../../lambdas/adapters/dynamodb/wire/sigv4';
import { wireDocumentDb, wireOptionsFromEnv } from '../../../lambdas/adapters/dynamodb/wire/wireDocumentDb';
import { GetCommand, PutCommand } from '../../../lambdas/adapters/dynamodb/commands';

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): string | Uint8Array =>
  typeof d === 'string'
    ? d
    : ArrayBuffer.isView(d)
      ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength)
      : new Uint8Array(d);

/** SHA-256 (or HMAC-SHA-256 with a secret) in the shape the SDK's signer takes. */
class NodeSha256 {
  private hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    throw new Error('not used by the signer');
  }
}

const LONG_TERM: AwsCredentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const TEMPORARY: AwsCredentials = {
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCWV1LXdlc3QtMSJHMEUCIQ==',
};

/** What the SDK's signer puts on the same DynamoDB request. */
async function sdkSigned(
  host: string,
  headers: Record<string, string>,
  body: string,
  credentials: AwsCredentials,
  region: string,
  at: Date,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials, region, service: 'dynamodb', sha256: NodeSha256 });
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'https:',
    hostname: host.split(':')[0],
    path: '/',
    headers: { ...headers, host },
    body,
  });
  const signed = await signer.sign(request, { signingDate: at });
  return (signed as HttpRequest).headers;
}

const DYNAMO_HEADERS = {
  'content-type': 'application/x-amz-json-1.0',
  'x-amz-target': 'DynamoDB_20120810.PutItem',
};

const BODIES = {
  'an empty object': '{}',
  'an item with text outside ASCII': JSON.stringify({
    TableName: 'prod-groups',
    Item: { name: { S: 'zürich-🚀' }, n: { N: '1.50' }, tags: { L: [{ S: 'a b\tc' }, { NULL: true }] } },
    ConditionExpression: 'attribute_not_exists(#n)',
    ExpressionAttributeNames: { '#n': 'name' },
  }),
  'a large batch': JSON.stringify({
    RequestItems: {
      t: Array.from({ length: 25 }, (_, i) => ({
        PutRequest: { Item: { k: { S: `key-${i}`.repeat(40) } } },
      })),
    },
  }),
};

describe('SigV4 signing of DynamoDB requests', () => {
  const at = new Date('2026-03-14T23:59:58.765Z');

  for (const [label, body] of Object.entries(BODIES)) {
    for (const [kind, credentials] of [
      ['long-term keys', LONG_TERM],
      ['temporary credentials', TEMPORARY],
    ] as const) {
      it(`signs ${label} with ${kind} exactly as the SDK does`, async () => {
        const host = 'dynamodb.eu-central-1.amazonaws.com';
        const ours = signRequest(
          { method: 'POST', host, path: '/', headers: DYNAMO_HEADERS, body },
          credentials,
          { region: 'eu-central-1', service: 'dynamodb' },
          at,
        );
        const sdk = await sdkSigned(host, DYNAMO_HEADERS, body, credentials, 'eu-central-1', at);
        expect(ours.authorization).toBe(sdk.authorization);
        expect(ours['x-amz-date']).toBe('20260314T235958Z');
        expect(ours['x-amz-date']).toBe(sdk['x-amz-date']);
        expect(ours['x-amz-content-sha256']).toBe(sdk['x-amz-content-sha256']);
        expect(ours['x-amz-security-token']).toBe(credentials.sessionToken);
        expect(ours['x-amz-security-token']).toBe(sdk['x-amz-security-token']);
        expect(ours.authorization).toContain(
          credentials.sessionToken
            ? 'SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target,'
            : 'SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target,',
        );
      });
    }
  }

  it('signs for DynamoDB Local on a port, leaving out headers a proxy may change, like the SDK', async () => {
    const headers = { ...DYNAMO_HEADERS, 'User-Agent': 'probe/1', 'X-Custom': '  two   spaces\tand a tab ' };
    const at = new Date('2026-07-01T08:30:00Z');
    const ours = signRequest(
      { method: 'POST', host: '127.0.0.1:8000', path: '/', headers, body: '{}' },
      LONG_TERM,
      { region: 'local', service: 'dynamodb' },
      at,
    );
    const sdk = await sdkSigned('127.0.0.1:8000', headers, '{}', LONG_TERM, 'local', at);
    expect(ours.authorization).toBe(sdk.authorization);
    expect(ours.authorization).toContain(
      'SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-custom,',
    );
  });

  it('derives a new signing key when the day changes, rather than reusing the cached one', async () => {
    const body = BODIES['an empty object'];
    for (const day of ['2026-03-14T12:00:00Z', '2026-03-15T00:00:01Z', '2026-03-14T12:00:05Z']) {
      const instant = new Date(day);
      const ours = signRequest(
        {
          method: 'POST',
          host: 'dynamodb.us-east-1.amazonaws.com',
          path: '/',
          headers: DYNAMO_HEADERS,
          body,
        },
        LONG_TERM,
        { region: 'us-east-1', service: 'dynamodb' },
        instant,
      );
      const sdk = await sdkSigned(
        'dynamodb.us-east-1.amazonaws.com',
        DYNAMO_HEADERS,
        body,
        LONG_TERM,
        'us-east-1',
        instant,
      );
      expect(ours.authorization).toBe(sdk.authorization);
    }
  });
});

/** A loopback server that checks each request's signature as DynamoDB would, and answers `{}`. */
async function verifyingServer(credentials: AwsCredentials, region: string) {
  const verdicts: { authorization: string; expected: string; token: string | undefined }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const authorization = String(req.headers.authorization);
        // DynamoDB recomputes the signature from the headers the request says it signed, as they arrived.
        const signedNames = /SignedHeaders=([^,]+),/.exec(authorization)![1]!.split(';');
        const headers = Object.fromEntries(signedNames.map((n) => [n, String(req.headers[n])]));
        const stamp = headers['x-amz-date']!.replace(
          /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/,
          '$1-$2-$3T$4:$5:$6Z',
        );
        const { host, ...rest } = headers;
        const expected = await sdkSigned(
          host!,
          rest,
          Buffer.concat(chunks).toString('utf8'),
          credentials,
          region,
          new Date(stamp),
        );
        verdicts.push({
          authorization,
          expected: expected.authorization!,
          token: req.headers['x-amz-security-token'] as string | undefined,
        });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end('{}');
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    verdicts,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('requests as they arrive', () => {
  it('carry a signature that verifies against the headers and body the server received', async () => {
    for (const credentials of [LONG_TERM, TEMPORARY]) {
      const server = await verifyingServer(credentials, 'eu-west-1');
      try {
        const db = wireDocumentDb({
          endpoint: server.endpoint,
          region: 'eu-west-1',
          credentials: () => credentials,
        });
        await db.send(new GetCommand({ TableName: 'groups', Key: { name: 'zürich ✓' } }));
        await db.send(
          new PutCommand({
            TableName: 'groups',
            Item: { name: 'g', services: { constructor: 1 }, list: [1, 'a'] },
          }),
        );
        expect(server.verdicts).toHaveLength(2);
        for (const v of server.verdicts) {
          expect(v.authorization).toBe(v.expected);
          expect(v.token).toBe(credentials.sessionToken);
        }
      } finally {
        await server.close();
      }
    }
  });
});

describe('the DynamoDB client configured from the environment Lambda sets', () => {
  it('uses the region’s public endpoint, and the China partition’s for cn- regions', () => {
    expect(wireOptionsFromEnv({ AWS_REGION: 'eu-west-1' })).toMatchObject({
      region: 'eu-west-1',
      endpoint: 'https://dynamodb.eu-west-1.amazonaws.com',
      // A connection silent this long on AWS is dead: tried again well within a function's timeout.
      requestTimeoutMs: 3_000,
    });
    expect(wireOptionsFromEnv({ AWS_REGION: 'cn-north-1' }).endpoint).toBe(
      'https://dynamodb.cn-north-1.amazonaws.com.cn',
    );
  });

  it('prefers AWS_REGION to AWS_DEFAULT_REGION, and the DynamoDB endpoint variable to the general one', () => {
    expect(wireOptionsFromEnv({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-east-1' }).region).toBe(
      'eu-west-1',
    );
    expect(wireOptionsFromEnv({ AWS_DEFAULT_REGION: 'us-east-1' })).toMatchObject({
      region: 'us-east-1',
      endpoint: 'https://dynamodb.us-east-1.amazonaws.com',
    });
    expect(
      wireOptionsFromEnv({
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: 'http://localhost:4566',
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      }).endpoint,
    ).toBe('http://127.0.0.1:8000');
    const localstack = wireOptionsFromEnv({
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: 'http://localhost:4566',
    });
    expect(localstack.endpoint).toBe('http://localhost:4566');
    // An emulator may be slow; it gets the lenient default, not AWS's 3 s.
    expect(localstack.requestTimeoutMs).toBeUndefined();
  });

  it('reads the credentials at each call, so keys Lambda renews are picked up', () => {
    const env: NodeJS.ProcessEnv = {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'ASIA1',
      AWS_SECRET_ACCESS_KEY: 'secret1',
      AWS_SESSION_TOKEN: 'token1',
    };
    const options = wireOptionsFromEnv(env);
    expect(options.credentials()).toEqual({
      accessKeyId: 'ASIA1',
      secretAccessKey: 'secret1',
      sessionToken: 'token1',
    });
    env.AWS_ACCESS_KEY_ID = 'AKIA2';
    env.AWS_SECRET_ACCESS_KEY = 'secret2';
    delete env.AWS_SESSION_TOKEN;
    expect(options.credentials()).toEqual({ accessKeyId: 'AKIA2', secretAccessKey: 'secret2' });
  });

  it('names the missing credential variable', () => {
    expect(() => wireOptionsFromEnv({ AWS_REGION: 'eu-west-1' }).credentials()).toThrow(
      /^AWS_ACCESS_KEY_ID is not set/,
    );
    expect(() =>
      wireOptionsFromEnv({ AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIA' }).credentials(),
    ).toThrow(/^AWS_SECRET_ACCESS_KEY is not set/);
  });

  it('without a region, a call fails saying which variable to set (building the client does not)', async () => {
    const db = wireDocumentDb(
      wireOptionsFromEnv({ AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 'secret' }),
    );
    await expect(db.send(new GetCommand({ TableName: 't', Key: { k: 'a' } }))).rejects.toThrow(
      /set AWS_REGION/,
    );
  });

  it('without credentials, a call fails naming the variable', async () => {
    const db = wireDocumentDb(wireOptionsFromEnv({ AWS_REGION: 'eu-west-1' }));
    await expect(db.send(new GetCommand({ TableName: 't', Key: { k: 'a' } }))).rejects.toThrow(
      /AWS_ACCESS_KEY_ID is not set/,
    );
  });
});
