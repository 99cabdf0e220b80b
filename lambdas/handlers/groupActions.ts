import { NodeActionBodySchema } from '../core';
import { failover, fallback, recover } from '../app';
import { ports } from './composition';
import { httpHandler } from './http/httpHandler';
import { pathParam } from './http/params';
import { parse } from './http/parse';
import { metrics } from './observability';
import { MetricUnit } from '@aws-lambda-powertools/metrics';

/** Manual failover, fallback and recovery: 202 with the operation, 409 with the states. */
export const handler = httpHandler(
  {
    'POST /v1/groups/{name}/failover': async ({ path, body }) => {
      const accepted = await failover(
        ports(),
        pathParam(path, 'name'),
        parse(NodeActionBodySchema, body, 'body').nodeId,
      );
      metrics.addMetric('ManualFailovers', MetricUnit.Count, 1);
      return { status: 202, body: accepted };
    },
    'POST /v1/groups/{name}/fallback': async ({ path, body }) => ({
      status: 202,
      body: await fallback(
        ports(),
        pathParam(path, 'name'),
        parse(NodeActionBodySchema, body, 'body').nodeId,
      ),
    }),
    'POST /v1/groups/{name}/recover': async ({ path }) => ({
      status: 202,
      body: await recover(ports(), pathParam(path, 'name')),
    }),
  },
  { metrics: true },
);
