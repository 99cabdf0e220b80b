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
