/**
 * What our /slack/events route refuses before Bolt: timestamps more than 5 minutes ahead (Bolt checks only the
 * past) and content types Slack never sends. Everything else is left for Bolt to verify.
 */
import { describe, expect, it } from 'vitest';
import { refuseSlackRequest } from '../../src/adapters/slack/slack-request-guard.js';

const NOW_MS = 1_800_000_000_000;
const at = (seconds: number, contentType = 'application/json') => ({
  'content-type': contentType,
  'x-slack-request-timestamp': String(seconds),
});

describe('the Slack request guard', () => {
  it('lets through what Slack sends: a form or JSON, dated within 5 minutes either way of our clock', () => {
    const now = NOW_MS / 1_000;
    expect(refuseSlackRequest(at(now), NOW_MS)).toBeUndefined();
    expect(refuseSlackRequest(at(now + 299, 'application/x-www-form-urlencoded'), NOW_MS)).toBeUndefined();
    expect(refuseSlackRequest(at(now, 'Application/JSON; charset=utf-8'), NOW_MS)).toBeUndefined();
    // Old ones are Bolt's to refuse, with the signature check: it answers 401 as well.
    expect(refuseSlackRequest(at(now - 3_600), NOW_MS)).toBeUndefined();
  });

  it('refuses a timestamp from the future, or one that is not a number of seconds, with 401', () => {
    const now = NOW_MS / 1_000;
    expect(refuseSlackRequest(at(now + 600), NOW_MS)).toEqual({ status: 401, reason: 'timestamp' });
    expect(refuseSlackRequest({ ...at(now), 'x-slack-request-timestamp': '1e12' }, NOW_MS)).toMatchObject({
      status: 401,
    });
    expect(refuseSlackRequest({ ...at(now), 'x-slack-request-timestamp': '' }, NOW_MS)).toMatchObject({ status: 401 });
  });

  it('refuses any other content type with 415, before looking at the timestamp', () => {
    const now = NOW_MS / 1_000;
    for (const type of ['text/plain', 'multipart/form-data; boundary=x', '', 'application/jsonp']) {
      expect(refuseSlackRequest(at(now, type), NOW_MS)).toEqual({ status: 415, reason: 'content-type' });
    }
    expect(refuseSlackRequest({ 'x-slack-request-timestamp': String(now) }, NOW_MS)).toMatchObject({ status: 415 });
  });
});
