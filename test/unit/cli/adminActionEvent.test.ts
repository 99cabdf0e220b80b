/**
 * `prg events` shows an admin action as who did what to which object, with the fields it
 * set; before, it fell through to the operation format ("users ? → ?").
 */
import { describe, expect, it } from 'vitest';
import pc from 'picocolors';
import { formatEvent } from '../../../cli/commands/events';
import type { BusEvent } from '../../../local/eventBus';

const plain = pc.createColors(false);
const adminAction = (detail: Record<string, unknown>) =>
  ({
    id: 7,
    source: 'presence-ha',
    'detail-type': 'AdminAction',
    time: '2026-11-25T09:00:00.000Z',
    detail: { changed: [], summary: '…', at: '2026-11-25T09:00:00.000Z', ...detail },
  }) as unknown as BusEvent;

describe('prg events: an AdminAction line', () => {
  it('names the action, the caller, the object acted on and the fields it set', () => {
    const line = formatEvent(
      adminAction({
        action: 'NodeTokenRotated',
        group: 'prg-1',
        nodeId: 'imp-a',
        changed: ['token'],
        by: 'user alice',
      }),
      plain,
    );
    expect(line).toMatch(/AdminAction\s+prg-1\s+imp-a\s+NodeTokenRotated by user alice\s+changed token$/);
    expect(line).not.toContain('users');
  });

  it('an action on no group shows "-" for the group and its cluster or user as the object', () => {
    const line = formatEvent(
      adminAction({
        action: 'ClusterParametersChanged',
        clusterId: 'c1',
        changed: ['keepAliveTimeout'],
        by: 'admin token',
      }),
      plain,
    );
    expect(line).toMatch(
      /AdminAction\s+-\s+c1\s+ClusterParametersChanged by admin token\s+changed keepAliveTimeout$/,
    );
  });
});
