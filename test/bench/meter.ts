/**
 * The repositories' DynamoDB port for the bench: the small signed HTTP client the heartbeat
 * function uses on Lambda, asking DynamoDB for the capacity of every call
 * (`ReturnConsumedCapacity: INDEXES`, which DynamoDB Local reports too) and adding it up,
 * reads and writes apart, indexes included.
 */
import {
  UpdateCommand,
  type DocumentDb,
  type DocumentOperation,
} from '../../lambdas/adapters/dynamodb/commands';
import { localDocumentDb } from '../../local/dynamodbLocal';

/** Calls that read; every other data call writes. */
const READS: ReadonlySet<DocumentOperation> = new Set<DocumentOperation>([
  'GetItem',
  'Query',
  'Scan',
  'BatchGetItem',
]);

export interface Meter {
  calls: number;
  rcu: number;
  wcu: number;
  /** The last UpdateItem input as the repository sent it (document-shaped), for the raw baseline. */
  lastUpdate: UpdateCommandInputOf | null;
  reset(): void;
}

type UpdateCommandInputOf = InstanceType<typeof UpdateCommand>['input'];

interface Consumed {
  CapacityUnits?: number;
}

/** A DynamoDB port on `endpoint` whose calls are metered into the returned meter. */
export function meteredDb(endpoint: string): { db: DocumentDb; meter: Meter } {
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
  const wire = localDocumentDb(endpoint);
  const db: DocumentDb = {
    async send(command) {
      if (command.operation === 'UpdateItem')
        meter.lastUpdate = structuredClone(command.input as UpdateCommandInputOf);
      meter.calls += 1;
      const metered = { ...command, input: { ...command.input, ReturnConsumedCapacity: 'INDEXES' as const } };
      const output = await wire.send(metered);
      const consumed = (output as { ConsumedCapacity?: Consumed | Consumed[] }).ConsumedCapacity;
      const units = [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      if (READS.has(command.operation)) meter.rcu += units;
      else meter.wcu += units;
      return output;
    },
  };
  return { db, meter };
}
