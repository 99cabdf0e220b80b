import {
  DEFAULT_CLUSTER_PARAMETERS,
  DEFAULT_ENTERPRISE_PARAMETERS,
  type ClusterParameters,
} from '../../../lambdas/core';
import { ConflictError, type EnterpriseRecord, type SettingsRepository } from '../../../lambdas/app';
import { copy, type MemoryDatabase } from './database';

/** Cluster and enterprise parameters in memory; a cluster never configured uses the defaults. */
export class MemorySettingsRepository implements SettingsRepository {
  constructor(private readonly db: MemoryDatabase) {}

  async clusterParametersRecord(
    clusterId: string,
  ): Promise<{ parameters: ClusterParameters; version: number } | null> {
    await this.db.call('settings.clusterParametersRecord');
    const stored = this.db.clusterParameters.get(clusterId);
    return stored ? copy(stored) : null;
  }

  async clusterParameters(clusterId: string): Promise<ClusterParameters> {
    return (await this.clusterParametersRecord(clusterId))?.parameters ?? DEFAULT_CLUSTER_PARAMETERS;
  }

  async saveClusterParameters(
    clusterId: string,
    parameters: ClusterParameters,
    expectedVersion: number,
  ): Promise<void> {
    await this.db.call('settings.saveClusterParameters');
    const stored = this.db.clusterParameters.get(clusterId);
    if ((stored?.version ?? 0) !== expectedVersion) {
      throw new ConflictError(
        `The parameters of cluster ${clusterId} were changed by another request; read them again and retry.`,
        'CONCURRENT_UPDATE',
      );
    }
    this.db.clusterParameters.set(clusterId, { parameters: copy(parameters), version: expectedVersion + 1 });
  }

  async enterprise(): Promise<EnterpriseRecord> {
    await this.db.call('settings.enterprise');
    return this.db.enterprise
      ? { userAssignmentMode: this.db.enterprise.userAssignmentMode }
      : { ...DEFAULT_ENTERPRISE_PARAMETERS };
  }

  async saveEnterprise(record: EnterpriseRecord): Promise<void> {
    await this.db.call('settings.saveEnterprise');
    this.db.enterprise = copy(record);
  }
}
