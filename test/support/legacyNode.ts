/**
 * A node as the release before MAC node tokens stored it: the hash of its `prgn.` token
 * and no token generation, so it authenticates only while the legacy window is open.
 * Written straight to the nodes repository, since the API no longer registers such nodes.
 */
import type { NodeRecord } from '../../lambdas/app';
import { DEFAULT_NODE_PARAMETERS } from '../../lambdas/core';

export function legacyNodeRecord(
  nodeId: string,
  o: { clusterId: string; publisherId?: string; tokenHash?: string; registeredAt?: string },
): NodeRecord {
  return {
    nodeId,
    hostname: `${nodeId}.example.com`,
    clusterId: o.clusterId,
    softwareVersion: '15.0',
    publisherId: o.publisherId ?? 'pub-1',
    // Any 64 hex digits do where no test authenticates with the token.
    tokenHash: o.tokenHash ?? 'a'.repeat(64),
    group: null,
    parameters: { ...DEFAULT_NODE_PARAMETERS },
    userCount: 0,
    lastHeartbeat: null,
    registeredAt: o.registeredAt ?? new Date().toISOString(),
  };
}
