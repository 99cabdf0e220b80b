/**
 * A DynamoDB client for the bench that asks DynamoDB for the capacity of every call
 * (`ReturnConsumedCapacity: INDEXES`, which DynamoDB Local reports too) and adds it up,
 * reads and writes apart, indexes included.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Calls that read; every other data call writes. */
const READS = /^(Get|Query|Scan|BatchGet|TransactGet)/;
/** Calls that take ReturnConsumedCapacity. */
const DATA_CALLS = /^(Get|Put|Update|Delete|Query|Scan|BatchGet|BatchWrite|TransactGet|TransactWrite)/;

export interface Meter {
  calls: number;
  rcu: number;
  wcu: number;
  /** The last UpdateItem input as sent (marshalled), for the raw baseline. */
  lastUpdate: Record<string, unknown> | null;
  reset(): void;
}

interface Consumed {
  CapacityUnits?: number;
}

/** A DynamoDB client on `endpoint` whose calls are metered into the returned meter. */
export function meteredClient(endpoint: string): { client: DynamoDBClient; meter: Meter } {
  const meter: Meter = {
    calls: 0,
    rcu: 0,
    wcu: 0,
    lastUpdate: null,
    reset() {
      this.calls = 0;
      this.rcu = 0;
      this.wcu = 0;
    },
  };
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? '');
      const input = args.input as Record<string, unknown>;
      if (DATA_CALLS.test(name)) input.ReturnConsumedCapacity = 'INDEXES';
      meter.calls += 1;
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: Consumed | Consumed[] }).ConsumedCapacity;
      const units = [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      if (READS.test(name)) meter.rcu += units;
      else meter.wcu += units;
      return result;
    },
    { step: 'initialize', name: 'benchCapacityMeter' },
  );
  client.middlewareStack.add(
    (next, context) => (args) => {
      if (/^Update/.test(String(context.commandName ?? ''))) {
        meter.lastUpdate = structuredClone(args.input as Record<string, unknown>);
      }
      return next(args);
    },
    { step: 'build', name: 'benchLastUpdate' },
  );
  return { client, meter };
}
