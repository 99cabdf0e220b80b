import {
  ClusterParametersSchema,
  type ClusterParameters,
  type ClusterParametersPatch,
  type EnterpriseParameters,
} from '../core';
import { applyGroupEvent } from './applyGroupEvent';
import { ValidationError } from './errors';
import type { Ports } from './ports';

export function clusterParameters(ports: Ports, clusterId: string): Promise<ClusterParameters> {
  return ports.settings.clusterParameters(clusterId);
}

/**
 * Changes cluster-wide parameters. The cross-field rules (timeout > interval, init
 * timeout ≥ timeout) are checked on the merged result, so related values can be raised
 * together; the write is conditional on the version read.
 */
export async function patchClusterParameters(
  ports: Ports,
  clusterId: string,
  patch: ClusterParametersPatch,
): Promise<ClusterParameters> {
  const stored = await ports.settings.clusterParametersRecord(clusterId);
  const current = stored?.parameters ?? (await ports.settings.clusterParameters(clusterId));
  const merged = ClusterParametersSchema.safeParse({ ...current, ...patch });
  if (!merged.success) {
    throw new ValidationError(
      'The parameters would break a rule; nothing was changed.',
      merged.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  await ports.settings.saveClusterParameters(clusterId, merged.data, stored?.version ?? 0);
  ports.log.info('Cluster parameters changed', { clusterId, changed: Object.keys(patch) });
  await reevaluateCluster(ports, clusterId);
  return merged.data;
}

/**
 * Lets the state machine judge every group of the cluster under its new parameters and
 * stores the result: a group's timers (an automatic fallback now enabled, a shorter
 * critical-service delay) are kept with it, and a steady heartbeat never rewrites them.
 * A group that cannot be re-judged now is re-judged by its next heartbeat with a fault,
 * or the sweep; it is logged, not fatal to the change.
 */
async function reevaluateCluster(ports: Ports, clusterId: string): Promise<void> {
  for (const record of await ports.groups.listByCluster(clusterId)) {
    try {
      await applyGroupEvent(ports, record.group.name, { type: 'SweepTick' }, (r) => r);
    } catch (error) {
      ports.log.warn(
        `Group ${record.group.name} was not re-judged under the new parameters of cluster ${clusterId}`,
        {
          error: String(error),
        },
      );
    }
  }
}

export function enterpriseParameters(ports: Ports): Promise<EnterpriseParameters> {
  return ports.settings.enterprise();
}

export async function putEnterpriseParameters(
  ports: Ports,
  body: EnterpriseParameters,
): Promise<EnterpriseParameters> {
  await ports.settings.saveEnterprise(body);
  ports.log.info('Enterprise parameters changed', { ...body });
  return body;
}
