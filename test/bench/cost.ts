/**
 * What one node costs a month on AWS at the defaults, from what the bench measured and
 * the list prices below. Every price is a dated constant: when AWS changes one, change
 * it here with the date, and the bench says what the change does.
 */

/** us-east-1 list prices, as published on the date given. */
export const PRICES = {
  asOf: '2026-11-27',
  /** API Gateway HTTP API, per request (first 300 million a month; metered per 512 KB). */
  httpApiPerRequest: 1.0 / 1e6,
  /** Lambda, per request. */
  lambdaPerRequest: 0.2 / 1e6,
  /** Lambda on arm64, per GB-second of billed duration (1 ms granularity). */
  lambdaArmPerGbSecond: 0.0000133334,
  /** DynamoDB on-demand, per write request unit and per read request unit. */
  dynamoDbPerWru: 0.625 / 1e6,
  dynamoDbPerRru: 0.125 / 1e6,
  /** CloudWatch Logs ingestion per GB, Standard class (the functions' own log groups). */
  logsPerGb: 0.5,
  /** CloudWatch Logs ingestion per GB, Infrequent Access class. */
  logsInfrequentAccessPerGb: 0.25,
  /** EventBridge Scheduler/rules invocations of the sweep are free; custom events, per event. */
  eventBridgePerEvent: 1.0 / 1e6,
} as const;

/**
 * What one DynamoDB call takes from a Lambda function in the same region, ms: the
 * assumption that turns the handler's measured overhead into a billed duration (DynamoDB
 * Local on a shared machine is slower than the real service, so its latency is not used).
 */
export const IN_REGION_DYNAMODB_CALL_MS = 4;

export interface HeartbeatFigures {
  /** Seconds between a node's heartbeats (keepAliveInterval). */
  intervalSeconds: number;
  wcuPerBeat: number;
  rcuPerBeat: number;
  /** Billed duration of one heartbeat invocation, ms (rounded up to whole ms by Lambda). */
  lambdaMs: number;
  lambdaMemoryMiB: number;
  /** Bytes the function logs per heartbeat (its own lines and metrics). */
  functionLogBytesPerBeat: number;
  /** Bytes of the API's access log line per request. */
  accessLogBytesPerBeat: number;
  /** The access log group's class, as the stack sets it. */
  accessLogClass: 'STANDARD' | 'INFREQUENT_ACCESS';
  /** Lambda's own START/END/REPORT lines per invocation (0 when the system log level is WARN). */
  platformLogBytesPerBeat: number;
  /** The sweep's cost per month shared by every node of the declared fleet. */
  sweepUsdPerMonthPerNode: number;
}

export interface CostBreakdown {
  heartbeatsPerMonth: number;
  lines: { what: string; usd: number }[];
  totalUsd: number;
}

const SECONDS_PER_MONTH = 30 * 24 * 3600;

/** Cost of one node for a 30-day month. */
export function costPerNodeMonth(f: HeartbeatFigures): CostBreakdown {
  const beats = SECONDS_PER_MONTH / f.intervalSeconds;
  const gbSeconds = (Math.ceil(f.lambdaMs) / 1000) * (f.lambdaMemoryMiB / 1024);
  const functionLogBytes = f.functionLogBytesPerBeat + f.platformLogBytesPerBeat;
  const accessLogPerGb =
    f.accessLogClass === 'INFREQUENT_ACCESS' ? PRICES.logsInfrequentAccessPerGb : PRICES.logsPerGb;
  const lines = [
    { what: 'HTTP API requests', usd: beats * PRICES.httpApiPerRequest },
    { what: 'Lambda requests', usd: beats * PRICES.lambdaPerRequest },
    { what: 'Lambda duration (arm64)', usd: beats * gbSeconds * PRICES.lambdaArmPerGbSecond },
    { what: 'DynamoDB writes', usd: beats * f.wcuPerBeat * PRICES.dynamoDbPerWru },
    { what: 'DynamoDB reads', usd: beats * f.rcuPerBeat * PRICES.dynamoDbPerRru },
    {
      what: 'CloudWatch Logs: function and platform lines',
      usd: ((beats * functionLogBytes) / 1e9) * PRICES.logsPerGb,
    },
    {
      what: `CloudWatch Logs: API access log (${f.accessLogClass === 'INFREQUENT_ACCESS' ? 'IA' : 'Standard'})`,
      usd: ((beats * f.accessLogBytesPerBeat) / 1e9) * accessLogPerGb,
    },
    { what: 'sweep, shared by the fleet', usd: f.sweepUsdPerMonthPerNode },
  ];
  return { heartbeatsPerMonth: beats, lines, totalUsd: lines.reduce((sum, l) => sum + l.usd, 0) };
}

/**
 * The sweep's monthly cost for a fleet: one invocation a minute, each querying every
 * shard of both sweep indexes (at least 0.5 read unit each, eventually consistent),
 * spread over the fleet's nodes. Work on due groups is paid by the groups that fail.
 */
export function sweepUsdPerMonthPerNode(
  fleetNodes: number,
  shards: number,
  sweepMs: number,
  memoryMiB: number,
): number {
  const runs = SECONDS_PER_MONTH / 60;
  const perRun =
    PRICES.lambdaPerRequest +
    (Math.ceil(sweepMs) / 1000) * (memoryMiB / 1024) * PRICES.lambdaArmPerGbSecond +
    2 * shards * 0.5 * PRICES.dynamoDbPerRru;
  return (runs * perRun) / fleetNodes;
}
