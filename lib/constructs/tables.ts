import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  Table,
  TableEncryption,
  type Attribute,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import {
  TABLE_IDS,
  TABLES,
  type KeyDefinition,
  type TableDefinition,
  type TableId,
} from '../../lambdas/contract';
import { pascalCase } from '../project';

export interface TablesProps {
  /** DynamoDB deletion protection, and RETAIN when the stack is deleted. */
  readonly deletionProtection: boolean;
  /**
   * Heartbeats a second the declared fleet sends at most (`fleetSize` /
   * `heartbeatIntervalSeconds` in lib/config.ts): the groups table is pre-warmed for them.
   */
  readonly heartbeatsPerSecond?: number;
}

/** What a new on-demand table serves at once without pre-warming (write / read units a second). */
export const NEW_TABLE_WRITE_UNITS = 4_000;
export const NEW_TABLE_READ_UNITS = 12_000;
/** Write units of a steady heartbeat (measured by `npm run bench`), and room for a fleet catching up after an outage. */
const WRITE_UNITS_PER_HEARTBEAT = 1.05;
const CATCH_UP_HEADROOM = 2;

/**
 * The warm throughput of the groups table for a fleet: what its heartbeats write at twice
 * their steady rate, and the reads of the heartbeats that go through the state machine
 * then (two each), when that is more than a new on-demand table serves at once. Undefined
 * when the defaults suffice (fleets up to about 28,000 nodes at 15 s).
 */
export function groupsWarmThroughput(
  heartbeatsPerSecond: number,
): { readUnitsPerSecond: number; writeUnitsPerSecond: number } | undefined {
  const writes = Math.ceil(heartbeatsPerSecond * WRITE_UNITS_PER_HEARTBEAT * CATCH_UP_HEADROOM);
  if (writes <= NEW_TABLE_WRITE_UNITS) return undefined;
  return {
    writeUnitsPerSecond: writes,
    readUnitsPerSecond: Math.max(
      NEW_TABLE_READ_UNITS,
      Math.ceil(heartbeatsPerSecond * 2 * CATCH_UP_HEADROOM),
    ),
  };
}

const attribute = (key: KeyDefinition): Attribute => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/**
 * Every table of `TABLES`, exactly as defined there (keys, indexes, TTL), so the stack
 * and the offline runtime cannot disagree. On-demand: the load is a heartbeat per node
 * every few seconds plus bursts at failover, which provisioned capacity would either
 * waste or throttle.
 */
export class Tables extends Construct {
  readonly byId: Readonly<Record<TableId, Table>>;

  constructor(scope: Construct, id: string, props: TablesProps) {
    super(scope, id);
    const byId: Partial<Record<TableId, Table>> = {};
    for (const tableId of TABLE_IDS) byId[tableId] = this.table(TABLES[tableId], props);
    this.byId = byId as Record<TableId, Table>;
  }

  private table(def: TableDefinition, props: TablesProps): Table {
    // AWS::DynamoDB::Table rather than TableV2's GlobalTable: one region is all this
    // control plane needs, and LocalStack and cdk-nag both know Table best.
    const table = new Table(this, pascalCase(def.id), {
      partitionKey: attribute(def.partitionKey),
      sortKey: def.sortKey ? attribute(def.sortKey) : undefined,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: def.timeToLiveAttribute,
      deletionProtection: props.deletionProtection,
      // Only the groups table takes a write per heartbeat; the others follow operators.
      warmThroughput:
        def.id === 'groups' && props.heartbeatsPerSecond !== undefined
          ? groupsWarmThroughput(props.heartbeatsPerSecond)
          : undefined,
      removalPolicy: props.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const index of def.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: index.sortKey ? attribute(index.sortKey) : undefined,
        projectionType: index.projection === 'ALL' ? ProjectionType.ALL : ProjectionType.KEYS_ONLY,
      });
    }
    return table;
  }
}
