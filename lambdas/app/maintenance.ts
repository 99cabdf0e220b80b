import { MAX_MAINTENANCE_MS, type MaintenanceBody } from '../core';
import { applyGroupEvent } from './applyGroupEvent';
import { ValidationError } from './errors';
import { groupView, type GroupView } from './groups';
import type { Ports } from './ports';

/**
 * Starts a maintenance window on a group, or replaces the one that is on: until `until`,
 * no automatic failover or fallback starts; states are still judged and shown, manual
 * actions work and agents still fence. `until` must be later than now and at most seven
 * days ahead (400 naming `until` otherwise).
 *
 * @param by who asks, as the API identified the caller
 */
export async function startMaintenance(
  ports: Ports,
  name: string,
  body: MaintenanceBody,
  by: string,
): Promise<GroupView> {
  const now = ports.clock.now();
  const until = Date.parse(body.until);
  if (!(until > now) || until - now > MAX_MAINTENANCE_MS) {
    throw new ValidationError('The maintenance window cannot end at that time.', [
      {
        path: 'until',
        message: `must be later than now (${new Date(now).toISOString()}) and at most 7 days ahead (${new Date(now + MAX_MAINTENANCE_MS).toISOString()}); it is ${body.until}`,
      },
    ]);
  }
  const { record } = await applyGroupEvent(ports, name, {
    type: 'StartMaintenance',
    reason: body.reason,
    until,
    by,
  });
  ports.log.info('Maintenance started', { group: name, until: body.until, by });
  return groupView(record);
}

/** Ends a group's maintenance window now; nothing happens when none is on. The group is judged at once. */
export async function endMaintenance(ports: Ports, name: string, by: string): Promise<void> {
  const { result } = await applyGroupEvent(ports, name, { type: 'EndMaintenance', by });
  if (result.outcome === 'applied') ports.log.info('Maintenance ended', { group: name, by });
}
