import { openApiDocument } from '../contract/openapi';
import { httpHandler } from './http/httpHandler';

/** No auth: readiness, and the OpenAPI document. */
export function makePublicHandler() {
  return httpHandler('public', {
    'GET /v1/health': async () => ({ status: 'ok' as const }),
    'GET /v1/openapi.json': async () => openApiDocument(),
  });
}
