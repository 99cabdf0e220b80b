import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { HeartbeatBodySchema } from '../core';
import { heartbeat, HeartbeatCache, type Ports } from '../app';
import { ports } from './composition';
import { bearerToken } from './http/auth';
import { httpHandler } from './http/httpHandler';
import { pathParam } from './http/params';
import { parse } from './http/parse';
import { metrics } from './observability';

/**
 * Lives as long as the warm function (one per set of ports, so the embedded default and
 * tests that swap ports never share it): what lets a steady heartbeat skip every read.
 */
const caches = new WeakMap<Ports, HeartbeatCache>();
function cacheFor(p: Ports): HeartbeatCache {
  let c = caches.get(p);
  if (!c) caches.set(p, (c = new HeartbeatCache()));
  return c;
}

/** A node's heartbeat, authenticated by its own token (SPEC §5). */
export const handler = httpHandler({
  'POST /v1/nodes/{nodeId}/heartbeat': async ({ event, path, body }) => {
    const nodeId = pathParam(path, 'nodeId');
    const token = bearerToken(event);
    const answer = await heartbeat(
      ports(),
      cacheFor(ports()),
      nodeId,
      token,
      parse(HeartbeatBodySchema, body, 'body'),
    );
    metrics.addMetric('Heartbeats', MetricUnit.Count, 1);
    return { status: 200, body: answer };
  },
});
