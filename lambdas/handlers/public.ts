import { readiness, type Ports } from '../app';
import { openApiDocument } from '../contract/openapi';
import { httpHandler } from './http/httpHandler';

/** No auth: readiness (storage answers), and the OpenAPI document. */
export function makePublicHandler(ports: Pick<Ports, 'storage'>) {
  return httpHandler('public', {
    'GET /v1/health': () => readiness(ports),
    'GET /v1/openapi.json': async () => openApiDocument(),
  });
}
