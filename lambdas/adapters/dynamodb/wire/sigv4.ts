/**
 * AWS Signature Version 4 for one HTTP request, over node:crypto: what the SDK's signer
 * does for a JSON call such as DynamoDB's (headers signed, no query string, the body
 * hashed), without loading the SDK. The unit tests hold it to `@smithy/signature-v4`.
 */
import { createHash, createHmac } from 'node:crypto';

/** The keys a request is signed with; `sessionToken` for temporary (role) credentials. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

/** The parts of an HTTP request the signature covers. */
export interface SignableRequest {
  readonly method: string;
  /** The Host header: host name, and `:port` when it is not the scheme's default. */
  readonly host: string;
  /** The path, without query string (the callers here send none). */
  readonly path: string;
  /** Headers to send and sign, besides host, x-amz-date and x-amz-security-token. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Where the request goes: the region and service the signature is scoped to. */
export interface SigningScope {
  readonly region: string;
  readonly service: string;
}

/**
 * Headers never signed: a proxy or the HTTP stack may add, drop or rewrite them on the
 * way, which would break the signature (the same list as the SDK's signer).
 */
const UNSIGNABLE = new Set([
  'authorization',
  'cache-control',
  'connection',
  'expect',
  'from',
  'keep-alive',
  'max-forwards',
  'pragma',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
]);

const ALGORITHM = 'AWS4-HMAC-SHA256';

/**
 * Signing keys derived for a day, region, service and secret. Deriving one takes four
 * HMACs; a function signs many requests a day with the same credentials, so the last few
 * are kept (a small bound: credentials of a Lambda function change a few times a day).
 */
const signingKeys = new Map<string, Buffer>();
const MAX_SIGNING_KEYS = 8;

/**
 * The signing key of `day` (YYYYMMDD) for `scope` and `secretAccessKey`:
 * HMAC("AWS4"+secret, day) → region → service → "aws4_request", cached.
 */
export function signingKey(secretAccessKey: string, day: string, scope: SigningScope): Buffer {
  const cacheKey = `${day}\n${scope.region}\n${scope.service}\n${secretAccessKey}`;
  const cached = signingKeys.get(cacheKey);
  if (cached) return cached;
  let key: Buffer | string = `AWS4${secretAccessKey}`;
  for (const part of [day, scope.region, scope.service, 'aws4_request']) {
    key = createHmac('sha256', key).update(part, 'utf8').digest();
  }
  const derived = key as Buffer;
  if (signingKeys.size >= MAX_SIGNING_KEYS) {
    const oldest = signingKeys.keys().next().value;
    if (oldest !== undefined) signingKeys.delete(oldest);
  }
  signingKeys.set(cacheKey, derived);
  return derived;
}

/** `now` as SigV4 writes it: the long form for x-amz-date, the day for the scope. */
export function amzDate(now: Date): { long: string; day: string } {
  const long = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return { long, day: long.slice(0, 8) };
}

/** RFC 3986 escaping as SigV4 wants it: also `!'()*`, which encodeURIComponent leaves. */
function escapeUri(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The canonical path: `.` and `..` segments and empty segments removed, each segment
 * escaped (a second time, as every service but S3 expects), slashes kept.
 */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const joined = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(joined).replace(/%2F/g, '/');
}

/**
 * The canonical request of SigV4 and the list of signed headers: header names in lower
 * case, sorted; values with line breaks and runs of blanks folded to one space and
 * trimmed; last the body's SHA-256 in hex (`payloadHash`).
 */
export function canonicalRequest(
  request: SignableRequest,
  headers: Readonly<Record<string, string>>,
  payloadHash: string,
): { canonical: string; signedHeaders: string } {
  const canonicalHeaders = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (UNSIGNABLE.has(lower) || lower.startsWith('proxy-') || lower.startsWith('sec-')) continue;
    canonicalHeaders.set(
      lower,
      value
        .replace(/[\r\n]/g, ' ')
        .replace(/[ \t]+/g, ' ')
        .replace(/^ | $/g, ''),
    );
  }
  const names = [...canonicalHeaders.keys()].sort();
  const signedHeaders = names.join(';');
  const canonical = [
    request.method.toUpperCase(),
    canonicalPath(request.path),
    '', // the query string: none
    ...names.map((n) => `${n}:${canonicalHeaders.get(n)}`),
    '',
    signedHeaders,
    payloadHash,
  ].join('\n');
  return { canonical, signedHeaders };
}

/**
 * Signs `request` for `scope` with `credentials` at `now`: the headers to send, i.e. the
 * request's own plus `host`, `x-amz-date`, `x-amz-content-sha256` (the body's hash, which
 * the SDK sends too), `x-amz-security-token` (temporary credentials only; it is signed
 * too) and `authorization`.
 */
export function signRequest(
  request: SignableRequest,
  credentials: AwsCredentials,
  scope: SigningScope,
  now: Date = new Date(),
): Record<string, string> {
  const { long, day } = amzDate(now);
  const payloadHash = createHash('sha256').update(request.body, 'utf8').digest('hex');
  const headers: Record<string, string> = {
    ...request.headers,
    host: request.host,
    'x-amz-date': long,
    'x-amz-content-sha256': payloadHash,
  };
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;
  const { canonical, signedHeaders } = canonicalRequest(request, headers, payloadHash);
  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = [
    ALGORITHM,
    long,
    credentialScope,
    createHash('sha256').update(canonical, 'utf8').digest('hex'),
  ].join('\n');
  const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, day, scope))
    .update(stringToSign, 'utf8')
    .digest('hex');
  headers.authorization = `${ALGORITHM} Credential=${credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
