/**
 * An embedded default in a process of its own, for the self-fencing scenario: stopping
 * it must not stop the API the other scenarios use, and the embedded default keeps its
 * wiring in process-wide state (one per process). It shares the run's DynamoDB Local
 * and its tables are named by PRG_E2E_PREFIX, so a second start on the same port and
 * prefix is the same control plane coming back with its data.
 *
 * Environment: PRG_E2E_DYNAMO, PRG_E2E_PREFIX, PORT, PRG_ADMIN_TOKEN, PRG_READ_TOKEN.
 * Prints one JSON line `{ "url": … }` once it listens.
 */
import { startEmbedded } from '../../../local/embedded';

const env = process.env;
const embedded = await startEmbedded({
  port: Number(env.PORT ?? 0),
  dynamoEndpoint: env.PRG_E2E_DYNAMO,
  tablePrefix: env.PRG_E2E_PREFIX,
  adminToken: env.PRG_ADMIN_TOKEN,
  readToken: env.PRG_READ_TOKEN,
  sweepSeconds: 1,
  writeLine: () => undefined,
});
process.stdout.write(`${JSON.stringify({ url: embedded.url })}\n`);
process.on('SIGTERM', () => void embedded.stop().then(() => process.exit(0)));
