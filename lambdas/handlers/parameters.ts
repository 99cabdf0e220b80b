import { ClusterParametersPatchSchema, EnterpriseParametersSchema } from '../core';
import {
  clusterParameters,
  enterpriseParameters,
  patchClusterParameters,
  putEnterpriseParameters,
} from '../app';
import { ports } from './composition';
import { httpHandler } from './http/httpHandler';
import { pathParam } from './http/params';
import { parse } from './http/parse';

/** Cluster-wide and enterprise parameters. */
export const handler = httpHandler({
  'GET /v1/clusters/{clusterId}/parameters': async ({ path }) => ({
    status: 200,
    body: await clusterParameters(ports(), pathParam(path, 'clusterId')),
  }),
  'PATCH /v1/clusters/{clusterId}/parameters': async ({ path, body }) => ({
    status: 200,
    body: await patchClusterParameters(
      ports(),
      pathParam(path, 'clusterId'),
      parse(ClusterParametersPatchSchema, body, 'body'),
    ),
  }),
  'GET /v1/enterprise-parameters': async () => ({ status: 200, body: await enterpriseParameters(ports()) }),
  'PUT /v1/enterprise-parameters': async ({ body }) => ({
    status: 200,
    body: await putEnterpriseParameters(ports(), parse(EnterpriseParametersSchema, body, 'body')),
  }),
});
