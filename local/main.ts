/** `PRG_DYNAMODB_ENDPOINT` as a URL, or a start-up error saying what is wrong with it. */
function dynamoEndpointFrom(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`PRG_DYNAMODB_ENDPOINT must be a URL such as http://127.0.0.1:8000, not "${value}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`PRG_DYNAMODB_ENDPOINT must be an http:// or https:// URL, not "${value}".`);
  return url.origin;
}

/** `npm start`: the embedded default, configured from the environment. */
async function main(): Promise<void> {
  const started = Date.now();
  const env = process.env;
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) {
    throw new Error(
      `the embedded default runs its workflows with aws-local-stepfunctions, which needs Node 22 (this is Node ${process.versions.node}). ` +
        'Start it with npm start: the project installs Node 22 for its npm scripts.',
    );
  }
  // On one machine there is no CloudWatch to read metric blobs; keep the log for people.
  env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const { startEmbedded } = await import('./embedded');
  // The console is built (when missing or stale) while DynamoDB Local starts, not after it.
  const { CONSOLE_DIST, ensureConsoleBuilt } = await import('../console/build');
  const consoleStarted = Date.now();
  const consoleBuild = ensureConsoleBuilt().then(
    (built) => (built ? `built in ${((Date.now() - consoleStarted) / 1000).toFixed(1)} s` : 'up to date'),
    (e: unknown) => `NOT built (${e instanceof Error ? e.message : String(e)}); run npm run console:build`,
  );
  const sweepSeconds = Number(env.PRG_SWEEP_SECONDS ?? 1);
  if (!(sweepSeconds > 0))
    throw new Error(
      `PRG_SWEEP_SECONDS must be a positive number of seconds, not "${env.PRG_SWEEP_SECONDS}".`,
    );
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a TCP port number, not "${env.PORT}".`);
  const embedded = await startEmbedded({
    host: env.HOST ?? '127.0.0.1',
    port,
    sweepSeconds,
    ...(env.PRG_DATA_DIR ? { dataDir: env.PRG_DATA_DIR } : {}),
    // An existing DynamoDB (your own DynamoDB Local, say) instead of starting one; the
    // tables are created there when missing.
    ...(env.PRG_DYNAMODB_ENDPOINT ? { dynamoEndpoint: dynamoEndpointFrom(env.PRG_DYNAMODB_ENDPOINT) } : {}),
    ...(env.PRG_ADMIN_TOKEN ? { adminToken: env.PRG_ADMIN_TOKEN } : {}),
    ...(env.PRG_READ_TOKEN ? { readToken: env.PRG_READ_TOKEN } : {}),
    testSwitches: env.PRG_TEST_SWITCHES === '1',
    consoleDir: CONSOLE_DIST,
  });
  const consoleState = await consoleBuild;
  const api = `${embedded.url}/v1`;
  const lines = [
    '',
    `presence-ha is running (embedded default, started in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
    '',
    `  console       ${embedded.url}/#token=${embedded.adminToken}   (signs in as admin; ${consoleState})`,
    `  API           ${api}   (OpenAPI: ${api}/openapi.json)`,
    `  admin token   ${embedded.adminToken}`,
    `  read token    ${embedded.readToken}`,
    `  events        ${api}/events   (server-sent events, read token)`,
    `  data          ${
      env.PRG_DYNAMODB_ENDPOINT
        ? `in the DynamoDB at ${embedded.dynamoEndpoint} (PRG_DYNAMODB_ENDPOINT)`
        : env.PRG_DATA_DIR
          ? `kept in ${env.PRG_DATA_DIR}`
          : 'in memory (set PRG_DATA_DIR to keep it)'
    }`,
    `  sweep         every ${sweepSeconds} s`,
    `  DynamoDB      ${embedded.dynamoEndpoint} ${embedded.dynamoDbLocal ? '(DynamoDB Local, on this machine only; restarted if it dies)' : '(yours: not started or watched by presence-ha)'}`,
    '',
    'Try:',
    `  curl -s -H "Authorization: Bearer ${embedded.adminToken}" ${api}/groups`,
    '',
    'Event lines follow as JSON. Ctrl-C stops everything, DynamoDB Local included.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping presence-ha…\n`);
    embedded.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`Stopping failed: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  process.stderr.write(`presence-ha could not start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
