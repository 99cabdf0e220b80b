import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  DEFAULT_CLUSTER_PARAMETERS,
  DEFAULT_ENTERPRISE_PARAMETERS,
  type ClusterParameters,
} from '../../core';
import { ConflictError } from '../../app/errors';
import type { SettingsRepository } from '../../app/ports';
import type { EnterpriseRecord } from '../../app/records';
import { isConditionFailure, type TableNames } from './client';

const clusterScope = (clusterId: string) => `cluster#${clusterId}`;
const ENTERPRISE = 'enterprise';

/** Cluster and enterprise parameters; a cluster never configured uses the manual's defaults. */
export class DynamoSettingsRepository implements SettingsRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: TableNames,
  ) {}

  async clusterParametersRecord(
    clusterId: string,
  ): Promise<{ parameters: ClusterParameters; version: number } | null> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tables.settings,
        Key: { scope: clusterScope(clusterId) },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return null;
    return { parameters: out.Item.parameters as ClusterParameters, version: out.Item.version as number };
  }

  async clusterParameters(clusterId: string): Promise<ClusterParameters> {
    return (await this.clusterParametersRecord(clusterId))?.parameters ?? DEFAULT_CLUSTER_PARAMETERS;
  }

  async saveClusterParameters(
    clusterId: string,
    parameters: ClusterParameters,
    expectedVersion: number,
  ): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tables.settings,
          Item: { scope: clusterScope(clusterId), parameters, version: expectedVersion + 1 },
          ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(#scope)' : '#version = :v',
          ExpressionAttributeNames: expectedVersion === 0 ? { '#scope': 'scope' } : { '#version': 'version' },
          ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':v': expectedVersion } }),
        }),
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

  async saveEnterprise(record: EnterpriseRecord): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.tables.settings, Item: { scope: ENTERPRISE, ...record } }),
    );
  }
}
