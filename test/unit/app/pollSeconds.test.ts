import { describe, expect, it } from 'vitest';
import { pollSeconds } from '../../../lambdas/app';
import { DEFAULT_CLUSTER_PARAMETERS } from '../../../lambdas/core';

describe('how often the fallback workflow checks on the node taking back', () => {
  it('about once a heartbeat interval, at most every 10 s, at least every second', () => {
    expect(pollSeconds(DEFAULT_CLUSTER_PARAMETERS)).toBe(10);
    expect(pollSeconds({ ...DEFAULT_CLUSTER_PARAMETERS, keepAliveInterval: 2 })).toBe(2);
  });

  it('never so often that the longest wait overflows the 25,000 events of an execution', () => {
    const p = { ...DEFAULT_CLUSTER_PARAMETERS, keepAliveInterval: 1, initializationKeepAliveTimeout: 3600 };
    const polls = p.initializationKeepAliveTimeout / pollSeconds(p);
    expect(polls * 9).toBeLessThan(25_000);
  });
});
