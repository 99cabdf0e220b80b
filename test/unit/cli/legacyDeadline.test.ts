import { describe, expect, it } from 'vitest';
import { legacyDeadline } from '../../../cli/commands/node';

/**
 * `prg node list` and `prg node show` say when a node's legacy (prgn.) token stops working,
 * from the API's `legacyTokenAcceptedUntil`: the operator plans the rotation by that date.
 */
describe('when a legacy token is refused, as prg says it', () => {
  const now = Date.parse('2026-11-28T12:00:00.000Z');

  it('a window still open: the date and the days left', () => {
    expect(legacyDeadline('2027-03-01T00:00:00.000Z', now)).toBe(
      'refused from 2027-03-01T00:00:00.000Z, in 92 days',
    );
    expect(legacyDeadline('2026-11-29T13:00:00.000Z', now)).toBe(
      'refused from 2026-11-29T13:00:00.000Z, in 1 day',
    );
  });

  it('less than a day left: the hours, rounded up', () => {
    expect(legacyDeadline('2026-11-28T14:30:00.000Z', now)).toBe(
      'refused from 2026-11-28T14:30:00.000Z, in 3 h',
    );
  });

  it('a window already closed: refused since then', () => {
    expect(legacyDeadline('2026-11-01T00:00:00.000Z', now)).toBe(
      'refused since the legacy window closed at 2026-11-01T00:00:00.000Z',
    );
  });

  it('a deployment without a legacy window (null) refuses it now', () => {
    expect(legacyDeadline(null, now)).toBe('refused: this deployment accepts no legacy token');
  });

  it('a control plane that does not say (no field) gets the words without a date', () => {
    expect(legacyDeadline(undefined, now)).toBe('refused once the legacy window closes');
  });
});
