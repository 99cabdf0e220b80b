import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { authenticateNode, heartbeat, HeartbeatCache, type Ports } from '../app';
import { bearerToken } from './http/auth';
import { httpHandler } from './http/httpHandler';
import { metrics } from './observability';

/**
 * A node's heartbeat, authenticated by its own token. The cache lives as long as the
 * handler (one warm function): it is what lets a steady heartbeat skip every read.
 */
export function makeHeartbeatHandler(ports: Ports, cache: HeartbeatCache = new HeartbeatCache()) {
  return httpHandler(
    'heartbeat',
    {
      'POST /v1/nodes/{nodeId}/heartbeat': async ({ event, path, body }) => {
        const answer = await heartbeat(ports, cache, path.nodeId, bearerToken(event), body);
        metrics.addMetric('Heartbeats', MetricUnit.Count, 1);
        return answer;
      },
    },
    {
      // The token's MAC is checked before the body is read: forged tokens cost no I/O.
      nodeToken: (nodeId, token) => authenticateNode(ports, nodeId, token),
    },
  );
}
