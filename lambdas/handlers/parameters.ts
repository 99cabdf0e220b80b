import {
  clusterParameters,
  enterpriseParameters,
  patchClusterParameters,
  putEnterpriseParameters,
  type Ports,
} from '../app';
import { callerOf } from './http/caller';
import { httpHandler } from './http/httpHandler';

/** Cluster-wide and enterprise parameters. */
export function makeParametersHandler(ports: Ports) {
  return httpHandler('parameters', {
    'GET /v1/clusters/{clusterId}/parameters': ({ path }) => clusterParameters(ports, path.clusterId),
    'PATCH /v1/clusters/{clusterId}/parameters': ({ path, body, event }) =>
      patchClusterParameters(ports, path.clusterId, body, callerOf(event)),
    'GET /v1/enterprise-parameters': () => enterpriseParameters(ports),
    'PUT /v1/enterprise-parameters': ({ body, event }) =>
      putEnterpriseParameters(ports, body, callerOf(event)),
  });
}
