import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { groupCensus, relayOutbox, sweep, type Ports } from '../app';
import { flushMetrics, logger, metrics } from './observability';

/** The minute sweep (EventBridge schedule): fails the invocation when a group could not be judged, so its alarm fires. */
export function makeSweepHandler(ports: Ports) {
  return middy(async () => {
    // First the decisions whose events a crashed or failed request did not publish.
    const relayed = await relayOutbox(ports).catch((error: unknown) => {
      logger.error('Sweep could not read the outbox; unpublished events wait for the next sweep.', {
        error: String(error),
      });
      return 0;
    });
    if (relayed > 0) metrics.addMetric('OutboxRelayed', MetricUnit.Count, relayed);
    const report = await sweep(ports);
    metrics.addMetric('SweepGroupsVisited', MetricUnit.Count, report.visited);
    metrics.addMetric('SweepGroupsChanged', MetricUnit.Count, report.changed.length);
    await recordCensus(ports);
    // A sweep that found nothing due is the normal case: keep it out of the operators' log.
    if (report.visited > 0) logger.info('Sweep done', { ...report });
    else logger.debug('Sweep done', { ...report });
    if (report.failed.length > 0) {
      throw new Error(
        `Sweep could not evaluate ${report.failed.length} group(s): ${report.failed.join(', ')}. Their next heartbeat or the next sweep tries again; check the function log for why.`,
      );
    }
    return report;
  })
    .use(injectLambdaContext(logger))
    .use(flushMetrics());
}

/**
 * The dashboard's and the GroupsNotNormal alarm's numbers, once a minute. A failed count
 * is logged and skipped: it must not stop the sweep, which detects failures.
 */
async function recordCensus(ports: Ports): Promise<void> {
  try {
    const census = await groupCensus(ports);
    metrics.addMetric('GroupsNotNormal', MetricUnit.Count, census.notNormal);
    // One metric per state some node is in (a state no node is in costs no custom metric).
    for (const [state, count] of census.nodesInState) {
      const single = metrics.singleMetric();
      single.addDimension('State', state);
      single.addMetric('NodesInState', MetricUnit.Count, count);
    }
  } catch (error) {
    logger.error('Sweep could not count the groups not Normal; the GroupsNotNormal metric misses a point.', {
      error: String(error),
    });
  }
}
