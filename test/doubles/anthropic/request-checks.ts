/**
 * The subset of the real Messages API's request validation that an agent loop can trip over, so a test against
 * the fake fails the way production would (400 invalid_request_error) instead of passing. The one non-obvious
 * decision: only rules the real API is known to enforce are here, each worded after its real message, so the
 * fake never rejects what the API accepts; everything else (models, limits, schemas) is left unchecked.
 */
import type { WireBlock, WireMessage } from './wire-types.js';

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

/** Returns the first violated rule as an API-style message, or null when the body is acceptable. */
export function checkRequest(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body: Input should be an object';
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model === '') return 'model: Field required';
  if (typeof b.max_tokens !== 'number' || !Number.isInteger(b.max_tokens) || b.max_tokens < 1) {
    return 'max_tokens: Field required (a positive integer)';
  }
  if (!Array.isArray(b.messages) || b.messages.length === 0) return 'messages: at least one message is required';
  return checkTools(b.tools) ?? checkMessages(b.messages as unknown[]);
}

function checkTools(tools: unknown): string | null {
  if (tools === undefined) return null;
  if (!Array.isArray(tools)) return 'tools: Input should be a valid list';
  const seen = new Set<string>();
  for (const [i, tool] of tools.entries()) {
    const { name, input_schema } = (tool ?? {}) as { name?: unknown; input_schema?: unknown };
    if (input_schema === undefined && name === undefined) continue; // a server toolset, named by its type
    if (input_schema !== undefined && (typeof name !== 'string' || !TOOL_NAME.test(name))) {
      return `tools.${i}.custom.name: String should match pattern '${TOOL_NAME.source}'`;
    }
    if (typeof name !== 'string') continue;
    if (seen.has(name)) return 'tools: Tool names must be unique.';
    seen.add(name);
  }
  return null;
}

function blocksOf(message: WireMessage): WireBlock[] {
  if (typeof message.content === 'string') return [];
  return message.content.filter((block) => typeof block === 'object' && block !== null);
}

function checkMessages(raw: unknown[]): string | null {
  const messages = raw as WireMessage[];
  const toolUseIds = new Set<string>();
  for (const [i, message] of messages.entries()) {
    if (message?.role !== 'user' && message?.role !== 'assistant' && message?.role !== 'system') {
      return `messages.${i}.role: Input should be 'user', 'assistant' or 'system'`;
    }
    const { content } = message;
    if (typeof content !== 'string' && !Array.isArray(content)) return `messages.${i}.content: Field required`;
    const isFinalAssistant = i === messages.length - 1 && message.role === 'assistant';
    if (content.length === 0 && !isFinalAssistant) {
      return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
    }
    for (const block of blocksOf(message)) {
      if (block.type === 'text' && (block.text ?? '').trim() === '') {
        return 'messages: text content blocks must contain non-whitespace text';
      }
      if (block.type === 'tool_use' && typeof block.id === 'string') {
        if (toolUseIds.has(block.id)) return `messages.${i}: \`tool_use\` ids must be unique (${block.id})`;
        toolUseIds.add(block.id);
      }
    }
    const problem = checkToolPairing(messages, i);
    if (problem) return problem;
  }
  return null;
}

/**
 * tool_use ids in an assistant turn need tool_result blocks, first, in the very next user turn, and vice versa.
 * 'system' turns in between are skipped, so the fake never rejects an ordering the API might accept.
 */
function checkToolPairing(messages: WireMessage[], i: number): string | null {
  const message = messages[i];
  const neighbour = (step: -1 | 1): WireMessage | undefined => {
    let j = i + step;
    while (messages[j]?.role === 'system') j += step;
    return messages[j];
  };
  if (!message) return null;
  if (message.role === 'user') {
    const blocks = blocksOf(message);
    const firstOther = blocks.findIndex((b) => b.type !== 'tool_result');
    const lastResult = blocks.findLastIndex((b) => b.type === 'tool_result');
    if (firstOther !== -1 && lastResult > firstOther) {
      return `messages.${i}: \`tool_result\` blocks must come first in the content array, before any other block`;
    }
    const previous = neighbour(-1);
    const offered = new Set(
      previous?.role === 'assistant' ? blocksOf(previous).flatMap((b) => (b.type === 'tool_use' ? [b.id] : [])) : [],
    );
    const unexpected = blocks.filter((b) => b.type === 'tool_result' && !offered.has(b.tool_use_id));
    if (unexpected.length > 0) {
      const ids = unexpected.map((b) => b.tool_use_id).join(', ');
      return `messages.${i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${ids}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
    }
    return null;
  }
  if (message.role !== 'assistant') return null;
  const next = neighbour(1);
  if (!next) return null;
  const answered = new Set(
    next.role === 'user' ? blocksOf(next).flatMap((b) => (b.type === 'tool_result' ? [b.tool_use_id] : [])) : [],
  );
  const missing = blocksOf(message).filter((b) => b.type === 'tool_use' && !answered.has(b.id));
  if (missing.length === 0) return null;
  const ids = missing.map((b) => b.id).join(', ');
  return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${ids}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
}
