import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { authenticateNode, heartbeat, HeartbeatCache, type Ports } from '../app';
import { bearerToken } from './http/auth';
import { httpHandler } from './http/httpHandler';
import { metrics } from './observability';

/** How often a warm function publishes its count of accepted heartbeats. */
const PUBLISH_HEARTBEATS_EVERY_MS = 60_000;
let heartbeatsUnpublished = 0;
let heartbeatsPublishedAt = 0;

/**
 * Counts an accepted heartbeat into the `Heartbeats` metric, published at most once a
 * minute per warm function: a metric is a log line (EMF), and one per heartbeat would be
 * most of what a steady heartbeat costs in CloudWatch Logs. The first heartbeat of a
 * function publishes at once; a function that stops keeps at most a minute's count.
 */
function countHeartbeat(): void {
  heartbeatsUnpublished += 1;
  const now = Date.now();
  if (now - heartbeatsPublishedAt < PUBLISH_HEARTBEATS_EVERY_MS) return;
  metrics.addMetric('Heartbeats', MetricUnit.Count, heartbeatsUnpublished);
  heartbeatsUnpublished = 0;
  heartbeatsPublishedAt = now;
}

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
        countHeartbeat();
        return answer;
      },
    },
    {
      // The token's MAC is checked before the body is read: forged tokens cost no I/O.
      nodeToken: (nodeId, token) => authenticateNode(ports, nodeId, token),
    },
  );
}
