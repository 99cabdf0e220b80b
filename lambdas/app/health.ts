import { UnavailableError } from './errors';
import type { Ports } from './ports';

/**
 * Readiness: the control plane is ready when its storage answers. A health check that
 * answered 200 while every data route failed would tell a load balancer, a monitor or
 * an operator the opposite of the truth.
 */
export async function readiness(ports: Pick<Ports, 'storage'>): Promise<{ status: 'ok' }> {
  try {
    await ports.storage.check();
  } catch (e) {
    throw new UnavailableError(
      `Storage does not answer (${e instanceof Error ? e.message : String(e)}); every data route fails until it does. ` +
        'Locally, npm start restarts DynamoDB Local by itself; on AWS, check the DynamoDB service health and the function logs.',
    );
  }
  return { status: 'ok' };
}
