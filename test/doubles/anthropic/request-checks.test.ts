/**
 * The real Messages API rules the Anthropic fake enforces (request-checks.ts), on bodies typed with the SDK's
 * own params. The one non-obvious decision: the "accepts" cases matter as much as the rejections, because a
 * fake stricter than the API would fail agent code that works in production.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import type { MessagesRequest } from './anthropic-fake.js';
import { checkRequest } from './request-checks.js';

const MODEL = 'claude-haiku-4-5';
const proposeTool: Anthropic.Tool = {
  name: 'propose_options',
  input_schema: { type: 'object', properties: { options: { type: 'array' } } },
};

describe('checkRequest (the real API rules the fake enforces)', () => {
  const ask = (...messages: Anthropic.MessageParam[]): MessagesRequest => ({ model: MODEL, max_tokens: 8, messages });
  const use = (...ids: string[]): Anthropic.MessageParam => ({
    role: 'assistant',
    content: ids.map((id) => ({ type: 'tool_use', id, name: 'propose_options', input: {} })),
  });
  const results = (...ids: string[]): Anthropic.ContentBlockParam[] =>
    ids.map((id) => ({ type: 'tool_result', tool_use_id: id, content: 'ok' }));

  it('accepts parallel tool calls answered first in the next user turn, text after, system turns between', () => {
    const reply: Anthropic.MessageParam = {
      role: 'user',
      content: [...results('t1', 't2'), { type: 'text', text: 'go' }],
    };
    expect(checkRequest(ask({ role: 'user', content: 'hi' }, use('t1', 't2'), reply))).toBeNull();
    const withSystem = ask(
      { role: 'user', content: 'hi' },
      use('t1'),
      { role: 'system', content: 'be brief' },
      {
        role: 'user',
        content: results('t1'),
      },
    );
    expect(checkRequest(withSystem)).toBeNull();
    expect(
      checkRequest({ ...ask({ role: 'user', content: 'hi' }), tools: [{ type: 'web_search_20250305' }] }),
    ).toBeNull();
  });

  it.each([
    ['no messages', ask(), 'at least one message'],
    ['a tool_result for an unknown id', ask({ role: 'user', content: results('t9') }), 'unexpected `tool_use_id`'],
    [
      'text before a tool_result',
      ask({ role: 'user', content: 'hi' }, use('t1'), {
        role: 'user',
        content: [{ type: 'text', text: 'first' }, ...results('t1')],
      }),
      'must come first',
    ],
    ['a whitespace-only text block', ask({ role: 'user', content: [{ type: 'text', text: '  ' }] }), 'non-whitespace'],
    ['an empty user turn', ask({ role: 'user', content: [] }), 'non-empty content'],
    [
      'a reused tool_use id',
      ask({ role: 'user', content: 'hi' }, use('t1'), { role: 'user', content: results('t1') }, use('t1')),
      'must be unique',
    ],
    [
      'duplicate tool names',
      { ...ask({ role: 'user', content: 'hi' }), tools: [proposeTool, proposeTool] },
      'Tool names must be unique',
    ],
  ])('rejects %s', (_name, body, message) => {
    expect(checkRequest(body)).toContain(message);
  });
});
