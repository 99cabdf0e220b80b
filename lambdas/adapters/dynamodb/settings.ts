import { GetCommand, type DocumentDb } from './commands';
import {
  DEFAULT_CLUSTER_PARAMETERS,
  DEFAULT_ENTERPRISE_PARAMETERS,
  type ClusterParameters,
} from '../../core';
import { ConflictError } from '../../app/errors';
import type { SettingsRepository } from '../../app/ports';
import type { EnterpriseRecord } from '../../app/records';
import type { OutboxRecord } from '../../app/outbox';
import { isConditionFailure, type TableNames } from './client';
import { writeAudited } from './outbox';

const clusterScope = (clusterId: string) => `cluster#${clusterId}`;
const ENTERPRISE = 'enterprise';

/**
 * How `clusterParameters` reads: `consistent` (1 read unit) sees a change at once;
 * `eventual` (half a unit) may see the previous value for about a second after a change.
 * The versioned read that a parameter change starts from is always consistent.
 */
export type ParameterReads = 'consistent' | 'eventual';

/** Cluster and enterprise parameters; a cluster never configured uses the manual's defaults. */
export class DynamoSettingsRepository implements SettingsRepository {
  constructor(
    private readonly db: DocumentDb,
    private readonly tables: TableNames,
    private readonly parameterReads: ParameterReads = 'consistent',
  ) {}

  private async readCluster(
    clusterId: string,
    consistent: boolean,
  ): Promise<{ parameters: ClusterParameters; version: number } | null> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tables.settings,
        Key: { scope: clusterScope(clusterId) },
        ConsistentRead: consistent,
      }),
    );
    if (!out.Item) return null;
    return { parameters: out.Item.parameters as ClusterParameters, version: out.Item.version as number };
  }

  async clusterParametersRecord(
    clusterId: string,
  ): Promise<{ parameters: ClusterParameters; version: number } | null> {
    return this.readCluster(clusterId, true);
  }

  async clusterParameters(clusterId: string): Promise<ClusterParameters> {
    const record = await this.readCluster(clusterId, this.parameterReads === 'consistent');
    return record?.parameters ?? DEFAULT_CLUSTER_PARAMETERS;
  }

  async saveClusterParameters(
    clusterId: string,
    parameters: ClusterParameters,
    expectedVersion: number,
    audit?: OutboxRecord,
  ): Promise<void> {
    try {
      await writeAudited(
        this.db,
        this.tables.history,
        {
          Put: {
            TableName: this.tables.settings,
            Item: { scope: clusterScope(clusterId), parameters, version: expectedVersion + 1 },
            ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(#scope)' : '#version = :v',
            ExpressionAttributeNames:
              expectedVersion === 0 ? { '#scope': 'scope' } : { '#version': 'version' },
            ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':v': expectedVersion } }),
          },
        },
        audit,
      );
    } catch (e) {
      if (isConditionFailure(e)) {
        throw new ConflictError(
          `The parameters of cluster ${clusterId} were changed by another request; read them again and retry.`,
          'CONCURRENT_UPDATE',
        );
      }
      throw e;
    }
  }

  async enterprise(): Promise<EnterpriseRecord> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tables.settings, Key: { scope: ENTERPRISE } }),
    );
    return out.Item
      ? { userAssignmentMode: out.Item.userAssignmentMode }
      : { ...DEFAULT_ENTERPRISE_PARAMETERS };
  }

  async saveEnterprise(record: EnterpriseRecord, audit?: OutboxRecord): Promise<void> {
    await writeAudited(
      this.db,
      this.tables.history,
      { Put: { TableName: this.tables.settings, Item: { scope: ENTERPRISE, ...record } } },
      audit,
    );
  }
}
