/**
 * The deploy-time choices of the stack, read from CDK context (`cdk.json` or
 * `npx cdk deploy -c key=value`). Values given on the command line arrive as strings,
 * values in cdk.json as JSON, so both spellings are accepted.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { legacyWindowEnd } from '../lambdas/app';

export interface AppConfig {
  readonly stackName: string;
  readonly deletionProtection: boolean;
  /** Cognito domain prefix; undefined lets the stack derive one from its name and account. */
  readonly cognitoDomainPrefix?: string;
  readonly logRetention: RetentionDays;
  /** Run the cdk-nag AwsSolutions checks on synth. */
  readonly nag: boolean;
}

export const DEFAULT_STACK_NAME = 'PresenceHa';
export const DEFAULT_LOG_RETENTION = RetentionDays.ONE_MONTH;

/** Reads a boolean context value: `true`/`false` as JSON or as the strings the CLI passes. */
export function booleanContext(value: unknown, fallback: boolean, key: string): boolean {
  if (value === undefined || value === null || value === '') return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`Context ${key} must be true or false, got ${JSON.stringify(value)}`);
}

function stringContext(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new Error(`Context ${key} must be a string, got ${JSON.stringify(value)}`);
  return value;
}

function retentionContext(value: unknown): RetentionDays {
  if (value === undefined || value === null || value === '') return DEFAULT_LOG_RETENTION;
  const days = Number(value);
  const allowed = Object.values(RetentionDays).filter((v): v is RetentionDays => typeof v === 'number');
  if (!allowed.includes(days)) {
    throw new Error(
      `Context logRetentionDays must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return days;
}

/** The stack's configuration from a context lookup (`(key) => app.node.tryGetContext(key)`). */
export function readAppConfig(context: (key: string) => unknown): AppConfig {
  const stackName = stringContext(context('stackName'), 'stackName') ?? DEFAULT_STACK_NAME;
  if (!/^[A-Za-z][A-Za-z0-9-]{0,100}$/.test(stackName)) {
    throw new Error(
      `Context stackName must be a CloudFormation stack name, got ${JSON.stringify(stackName)}`,
    );
  }
  const cognitoDomainPrefix = stringContext(context('cognitoDomainPrefix'), 'cognitoDomainPrefix');
  if (
    cognitoDomainPrefix !== undefined &&
    !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(cognitoDomainPrefix)
  ) {
    throw new Error(
      `Context cognitoDomainPrefix must be lowercase letters, digits and hyphens, got ${JSON.stringify(cognitoDomainPrefix)}`,
    );
  }
  return {
    stackName,
    deletionProtection: booleanContext(context('deletionProtection'), true, 'deletionProtection'),
    cognitoDomainPrefix,
    logRetention: retentionContext(context('logRetentionDays')),
    nag: booleanContext(context('nag'), false, 'nag'),
  };
}

/** Per-route limits of one route (or of the stage's default), as API Gateway takes them. */
export interface RouteThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** The optional CloudFront + AWS WAF front of the API (docs/threat-model.md). */
export interface FrontConfig {
  readonly kind: 'waf';
  /** The API's custom domain, CloudFront's origin once the execute-api endpoint is off. */
  readonly apiDomainName: string;
  /** An ACM certificate for `apiDomainName`, in the stack's region. */
  readonly apiCertificateArn: string;
  /** Requests one client IP may make in 5 minutes before WAF blocks it for a while. */
  readonly requestsPerIpPer5Min: number;
  /** Add the AWS managed common rule set and IP reputation list (billed per rule). */
  readonly managedRules: boolean;
  /**
   * A web ACL made elsewhere (the us-east-1 companion stack, `wafAclArn`): attached as it is,
   * and the stack makes none, so the stack may live in any region.
   */
  readonly webAclArn?: string;
}

/** A CloudFront-scoped web ACL's ARN: made in us-east-1, `global` scope. */
export const CLOUDFRONT_WEB_ACL_ARN =
  /^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]{1,128}\/[\w-]{1,128}$/;

/** What the API's limits are sized from: the fleet the operator declares. */
export interface FleetConfig {
  /** Nodes that will heartbeat, at most. */
  readonly fleetSize: number;
  /** The shortest keepAliveInterval any cluster will use, in seconds. */
  readonly heartbeatIntervalSeconds: number;
  /** Overrides the reserved concurrency of the heartbeat function; 0 reserves none. */
  readonly heartbeatReservedConcurrency?: number;
  readonly front: FrontConfig | null;
}

export const DEFAULT_FLEET_SIZE = 1000;
export const DEFAULT_HEARTBEAT_INTERVAL_SECONDS = 15;
/** Headroom of the heartbeat route over the fleet's steady rate: agents retrying, catching up after an outage. */
export const HEARTBEAT_HEADROOM = 2;
/** Every other route: an operator's CLI, the console, dashboards. Per route, not shared with heartbeats. */
export const OTHER_ROUTE_THROTTLE: RouteThrottle = { rateLimit: 50, burstLimit: 100 };
/** What one heartbeat may take at the limit, for concurrency sizing (p99 of the slow path, generous). */
const HEARTBEAT_SECONDS_AT_LIMIT = 0.25;
/** API Gateway's largest burst. */
const MAX_BURST = 5000;
export const DEFAULT_REQUESTS_PER_IP_PER_5_MIN = 2000;

/**
 * The API's limits for a declared fleet: the heartbeat route gets its own bucket of
 * `HEARTBEAT_HEADROOM` × the fleet's steady rate, with a burst of one heartbeat per node
 * (every agent at once after an outage); every other route its own modest bucket, so
 * neither kind of traffic can starve the other. The heartbeat function's reserved
 * concurrency covers the heartbeat route at its limit, and also caps it, so a flood
 * cannot take the concurrency the sweep and the workflows need.
 */
export function throttlePlan(
  fleet: Pick<FleetConfig, 'fleetSize' | 'heartbeatIntervalSeconds' | 'heartbeatReservedConcurrency'>,
): {
  heartbeat: RouteThrottle;
  other: RouteThrottle;
  heartbeatReservedConcurrency: number;
} {
  const steady = fleet.fleetSize / fleet.heartbeatIntervalSeconds;
  const rateLimit = Math.max(10, Math.ceil(steady * HEARTBEAT_HEADROOM));
  const burstLimit = Math.min(MAX_BURST, Math.max(100, fleet.fleetSize, rateLimit));
  return {
    heartbeat: { rateLimit, burstLimit },
    other: OTHER_ROUTE_THROTTLE,
    heartbeatReservedConcurrency:
      fleet.heartbeatReservedConcurrency ?? Math.max(5, Math.ceil(rateLimit * HEARTBEAT_SECONDS_AT_LIMIT)),
  };
}

function positiveIntegerContext(value: unknown, fallback: number, key: string, min = 1): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) {
    throw new Error(`Context ${key} must be a whole number of at least ${min}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * The web ACL's rules from context: `wafRequestsPerIpPer5Min` (2000) and `wafManagedRules`
 * (false). Read by the main stack, or by the us-east-1 companion stack when it makes the ACL.
 */
export function readFrontWafRules(
  context: (key: string) => unknown,
): Pick<FrontConfig, 'requestsPerIpPer5Min' | 'managedRules'> {
  return {
    requestsPerIpPer5Min: positiveIntegerContext(
      context('wafRequestsPerIpPer5Min'),
      DEFAULT_REQUESTS_PER_IP_PER_5_MIN,
      'wafRequestsPerIpPer5Min',
      10,
    ),
    managedRules: booleanContext(context('wafManagedRules'), false, 'wafManagedRules'),
  };
}

function webAclArnContext(value: unknown): { webAclArn?: string } {
  const arn = stringContext(value, 'wafAclArn');
  if (arn === undefined) return {};
  if (!CLOUDFRONT_WEB_ACL_ARN.test(arn)) {
    throw new Error(
      `Context wafAclArn must be the ARN of a CloudFront-scoped web ACL in us-east-1 (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>, the WebAclArn output of the FrontWaf companion stack), got ${JSON.stringify(arn)}`,
    );
  }
  return { webAclArn: arn };
}

/**
 * Until when node tokens of the release before MAC tokens (`prgn.`) are still accepted,
 * from context `legacyNodeTokensUntil`: an ISO date-time, or `closed`. Unset: the
 * end built into the release (`DEFAULT_LEGACY_NODE_TOKENS_UNTIL`; docs/runbooks.md, upgrading).
 */
export function readLegacyNodeTokensUntil(value: unknown): string | undefined {
  const text = stringContext(value, 'legacyNodeTokensUntil');
  if (text === undefined) return undefined;
  legacyWindowEnd(text, 'Context legacyNodeTokensUntil');
  return text;
}

/**
 * The fleet and front choices from CDK context: `fleetSize` (1000), `heartbeatIntervalSeconds`
 * (15), `heartbeatReservedConcurrency` (sized from the fleet; 0 for none), `front` (`none` or
 * `waf`; `waf` needs `apiDomainName` and `apiCertificateArn`, and takes
 * `wafRequestsPerIpPer5Min` (2000), `wafManagedRules` (false) and `wafAclArn` (a web ACL
 * of the us-east-1 companion stack, for a stack in another region)).
 */
export function readFleetConfig(context: (key: string) => unknown): FleetConfig {
  const fleetSize = positiveIntegerContext(context('fleetSize'), DEFAULT_FLEET_SIZE, 'fleetSize');
  const heartbeatIntervalSeconds = positiveIntegerContext(
    context('heartbeatIntervalSeconds'),
    DEFAULT_HEARTBEAT_INTERVAL_SECONDS,
    'heartbeatIntervalSeconds',
  );
  if (heartbeatIntervalSeconds > 300) {
    throw new Error(
      `Context heartbeatIntervalSeconds must be at most 300 (keepAliveInterval's bound), got ${heartbeatIntervalSeconds}`,
    );
  }
  const reserved = context('heartbeatReservedConcurrency');
  const frontKind = stringContext(context('front'), 'front') ?? 'none';
  if (frontKind !== 'none' && frontKind !== 'waf') {
    throw new Error(`Context front must be "none" or "waf", got ${JSON.stringify(frontKind)}`);
  }
  let front: FrontConfig | null = null;
  if (frontKind === 'waf') {
    const apiDomainName = stringContext(context('apiDomainName'), 'apiDomainName');
    const apiCertificateArn = stringContext(context('apiCertificateArn'), 'apiCertificateArn');
    if (!apiDomainName || !apiCertificateArn) {
      throw new Error(
        'Context front=waf turns the execute-api endpoint off, so CloudFront needs the API on a custom domain: give apiDomainName and apiCertificateArn (an ACM certificate for it in the stack region).',
      );
    }
    front = {
      kind: 'waf',
      apiDomainName,
      apiCertificateArn,
      ...readFrontWafRules(context),
      ...webAclArnContext(context('wafAclArn')),
    };
  }
  return {
    fleetSize,
    heartbeatIntervalSeconds,
    ...(reserved === undefined || reserved === null || reserved === ''
      ? {}
      : {
          heartbeatReservedConcurrency: positiveIntegerContext(
            reserved,
            0,
            'heartbeatReservedConcurrency',
            0,
          ),
        }),
    front,
  };
}
