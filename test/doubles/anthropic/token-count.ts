/**
 * A deterministic stand-in for Claude's tokenizer, used by the Anthropic fake for `usage.input_tokens` and by
 * the benchmark to compare prompt designs. The one non-obvious decision: it only approximates BPE (words,
 * digit groups, punctuation), which is enough to rank two designs against each other but is not a bill.
 *
 * Rule: split the text into pieces with /[A-Za-z]+|\d{1,3}|[^\sA-Za-z\d]/gu. A letter run of up to 8 letters is
 * one token, a longer one is ceil(length / 6) tokens; a group of up to 3 digits is one token; every other
 * non-space character (punctuation, symbol, non-Latin code point) is one token. Whitespace is free.
 */
import type { MessagesRequest, WireBlock } from './wire-types.js';

const PIECE = /[A-Za-z]+|\d{1,3}|[^\sA-Za-z\d]/gu;
const LONG_WORD = 8;
const LETTERS_PER_TOKEN = 6;

/** Flat cost of an image or document block: its bytes are not text, and a real count depends on pixels/pages. */
export const MEDIA_BLOCK_TOKENS = 1_000;

export function countTokens(text: string): number {
  let tokens = 0;
  for (const [piece] of text.matchAll(PIECE)) {
    const isWord = /^[A-Za-z]/.test(piece);
    tokens += isWord && piece.length > LONG_WORD ? Math.ceil(piece.length / LETTERS_PER_TOKEN) : 1;
  }
  return tokens;
}

/**
 * Input tokens of a request body: the system prompt (string or text blocks), each tool's name, description
 * and JSON input_schema (a server tool without a schema counts as its JSON), and every message's role plus
 * its blocks (text, thinking text, tool_use name + JSON input, tool_result contents). Images and
 * documents cost MEDIA_BLOCK_TOKENS each; any other block counts as its JSON. Model, max_tokens,
 * tool_choice and cache_control do not count.
 */
export function requestInputTokens(body: MessagesRequest): number {
  const parts: string[] = [];
  let media = 0;
  const addBlocks = (content: unknown): void => {
    if (typeof content === 'string') {
      parts.push(content);
      return;
    }
    if (!Array.isArray(content)) return;
    for (const block of content as WireBlock[]) {
      switch (block.type) {
        case 'text':
          parts.push(block.text ?? '');
          break;
        case 'thinking':
          parts.push(block.thinking ?? '');
          break;
        case 'tool_use':
          parts.push(block.name ?? '', JSON.stringify(block.input ?? {}));
          break;
        case 'tool_result':
          addBlocks(block.content);
          break;
        case 'image':
        case 'document':
          media += 1;
          break;
        default:
          parts.push(JSON.stringify(block));
      }
    }
  };

  addBlocks(body.system);
  for (const tool of body.tools ?? []) {
    if (tool.input_schema === undefined) parts.push(JSON.stringify(tool));
    else parts.push(tool.name ?? '', tool.description ?? '', JSON.stringify(tool.input_schema));
  }
  for (const message of body.messages ?? []) {
    parts.push(message.role);
    addBlocks(message.content);
  }
  return countTokens(parts.join('\n')) + media * MEDIA_BLOCK_TOKENS;
}
