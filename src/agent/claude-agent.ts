/**
 * The Claude agent: a short tool loop on the Messages API. Claude may search the catalogs, then proposes
 * options; the proposal is validated against the registry and, when it falls short, Claude gets the
 * problems back once to fix them. Rounds are bounded and the last one forces the proposal tool; the time
 * budget is the caller's AbortSignal (the assistant falls back to the offline recommender on any failure).
 * With `input.onText` a round is streamed (`messages.stream`, same params, signal and client timeout) and the
 * propose_options call's `text` is reported as Claude writes it; without it a round is one `messages.create`.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { Proposal, RecommendInput } from '../core/assistant-types.js';
import type { Recommender } from '../core/ports.js';
import {
  AGENT_TOOLS,
  PROPOSE_OPTIONS,
  proposeInput,
  runSearch,
  SEARCH_MOTIONS,
  SEARCH_STYLES,
  searchInput,
} from './agent-tools.js';
import type { Catalog, CatalogCache } from './catalog.js';
import { rephraseNote } from './content-policy.js';
import { validateOptions } from './proposal-validation.js';
import { requestContext } from './request-context.js';
import { systemPrompt } from './system-prompt.js';

type MessageParam = Anthropic.MessageParam;
type ToolResult = Anthropic.ToolResultBlockParam;

export const MAX_ROUNDS = 4;
const MAX_OUTPUT_TOKENS = 1_500;

export interface ClaudeAgentOptions {
  client: Anthropic;
  model: string;
  catalogs: CatalogCache;
  /** Called once per recommendation with the tokens Claude reported (for logs and the benchmark). */
  onUsage?: (usage: { inputTokens: number; outputTokens: number; rounds: number }) => void;
}

/** An SDK client that only ever talks to the configured base URL, with our timeout and retries. */
export function createAnthropicClient(options: {
  apiKey: string;
  baseUrl?: string;
  timeoutMs: number;
  maxRetries?: number;
  fetch?: typeof fetch;
}): Anthropic {
  return new Anthropic({
    apiKey: options.apiKey,
    baseURL: options.baseUrl ?? 'https://api.anthropic.com',
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries ?? 2,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

export class ClaudeAgent implements Recommender {
  readonly mode = 'claude' as const;

  constructor(private readonly options: ClaudeAgentOptions) {}

  async recommend(input: RecommendInput, signal: AbortSignal): Promise<Proposal> {
    const catalog = await this.options.catalogs.get();
    const animating = input.image !== undefined || input.intent === 'animate' || input.results.some((r) => r.imageUrl);
    const hints = {
      styles: catalog.search('style', input.text, 5).map((e) => e.name),
      motions: animating ? catalog.search('motion', input.text, 4).map((e) => e.name) : [],
    };
    const messages: MessageParam[] = [{ role: 'user', content: requestContext(input, hints) }];
    const usage = { inputTokens: 0, outputTokens: 0, rounds: 0 };
    const context = {
      catalog,
      results: input.results,
      requestText: input.text,
      ...(input.image ? { image: input.image } : {}),
    };
    let best: Proposal | undefined;
    try {
      for (let round = 1; round <= MAX_ROUNDS; round++) {
        const last = round === MAX_ROUNDS;
        const params: Anthropic.MessageCreateParamsNonStreaming = {
          model: this.options.model,
          max_tokens: MAX_OUTPUT_TOKENS,
          system: [{ type: 'text', text: systemPrompt(), cache_control: { type: 'ephemeral' } }],
          tools: AGENT_TOOLS.map((t) => ({ ...t })),
          tool_choice: last ? { type: 'tool', name: PROPOSE_OPTIONS } : { type: 'auto' },
          messages,
        };
        const response = input.onText
          ? await this.streamRound(params, signal, input.onText)
          : await this.options.client.messages.create(params, { signal });
        usage.rounds = round;
        usage.inputTokens += response.usage.input_tokens;
        usage.outputTokens += response.usage.output_tokens;
        messages.push({ role: 'assistant', content: response.content });

        const results: ToolResult[] = [];
        for (const block of response.content) {
          if (block.type !== 'tool_use') continue;
          if (block.name === PROPOSE_OPTIONS) {
            const outcome = this.readProposal(block.input, context);
            if (outcome.proposal.options.length > (best?.options.length ?? -1)) best = outcome.proposal;
            if (outcome.proposal.options.length >= 2) return outcome.proposal;
            results.push(
              toolResult(block.id, `Not enough valid options: ${outcome.problems.join('; ')}. Propose again.`, true),
            );
          } else {
            results.push(this.runTool(block.id, block.name, block.input, catalog));
          }
        }
        if (results.length === 0) {
          // Claude answered in prose: ask for the tool call (the next round may force it).
          messages.push({ role: 'user', content: 'Please call propose_options now.' });
        } else {
          messages.push({ role: 'user', content: results });
        }
      }
    } finally {
      this.options.onUsage?.(usage);
    }
    if (best) return best;
    throw new Error(`Claude proposed nothing usable in ${MAX_ROUNDS} rounds`);
  }

  /**
   * One round as a stream: each piece of the propose_options input reports its `text` so far (trimmed, as
   * readProposal trims it, so every report extends the last), then the whole message as `create` gives it.
   */
  private async streamRound(
    params: Anthropic.MessageCreateParamsNonStreaming,
    signal: AbortSignal,
    onText: (text: string) => void,
  ): Promise<Anthropic.Message> {
    const stream = this.options.client.messages.stream(params, { signal });
    let blockId: string | undefined;
    let json = '';
    let reported = '';
    stream.on('inputJson', (partialJson, snapshot) => {
      const block = stream.currentMessage?.content.at(-1);
      if (block?.type !== 'tool_use' || block.name !== PROPOSE_OPTIONS) return;
      if (block.id !== blockId) {
        blockId = block.id;
        json = '';
      }
      json += partialJson;
      // The SDK's partial parse leaves a string out until it is closed; the raw JSON has it as it grows.
      const whole = isRecord(snapshot) && typeof snapshot.text === 'string' ? snapshot.text : undefined;
      const text = (whole ?? partialStringField(json, 'text'))?.trim();
      if (text === undefined || text === reported || !text.startsWith(reported)) return;
      reported = text;
      try {
        onText(text);
      } catch {
        // A listener's failure is not the round's.
      }
    });
    return stream.finalMessage();
  }

  private readProposal(raw: unknown, context: Parameters<typeof validateOptions>[1]) {
    const parsed = proposeInput.safeParse(raw);
    if (!parsed.success) {
      return {
        proposal: { text: '', options: [], mode: this.mode } as Proposal,
        problems: ['input is not {text, options[]}'],
      };
    }
    const validated = validateOptions(parsed.data.options, context);
    const text = (parsed.data.text ?? '').trim() || 'Here are some options:';
    const note = validated.flagged.length ? ` ${rephraseNote(validated.flagged)}` : '';
    return {
      proposal: { text: `${text}${note}`, options: validated.options, mode: this.mode } satisfies Proposal,
      problems: validated.problems,
    };
  }

  private runTool(id: string, name: string, raw: unknown, catalog: Catalog): ToolResult {
    if (name !== SEARCH_STYLES && name !== SEARCH_MOTIONS) {
      return toolResult(
        id,
        `Unknown tool "${name}". Available: ${SEARCH_STYLES}, ${SEARCH_MOTIONS}, ${PROPOSE_OPTIONS}.`,
        true,
      );
    }
    const parsed = searchInput.safeParse(raw);
    if (!parsed.success) return toolResult(id, 'Expected {"query": "<words>"}.', true);
    return toolResult(id, runSearch(catalog, name === SEARCH_STYLES ? 'style' : 'motion', parsed.data.query));
  }
}

function toolResult(id: string, content: string, isError = false): ToolResult {
  return { type: 'tool_result', tool_use_id: id, content, ...(isError ? { is_error: true } : {}) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The string value of the top-level `key` in a JSON object text that may be cut anywhere, as far as it goes
 * (a cut escape sequence left out); undefined until that value has begun.
 */
export function partialStringField(json: string, key: string): string | undefined {
  let depth = 0;
  let lastKey: string | undefined; // a depth-1 string just read: a key if ':' follows
  let valueKey: string | undefined; // the key whose value comes next
  for (let i = 0; i < json.length; i++) {
    const char = json[i] as string;
    if (char === '"') {
      const end = stringEnd(json, i + 1);
      const raw = json.slice(i + 1, end ?? json.length);
      if (depth === 1 && valueKey === key) return decode(raw, end === undefined);
      if (end === undefined) return undefined;
      lastKey = depth === 1 ? decode(raw, false) : undefined;
      valueKey = undefined;
      i = end;
    } else if (char === ':' && depth === 1) {
      valueKey = lastKey;
      lastKey = undefined;
    } else if (!/\s/.test(char)) {
      if (char === '{' || char === '[') depth += 1;
      else if (char === '}' || char === ']') depth -= 1;
      lastKey = undefined;
      valueKey = undefined;
    }
  }
  return undefined;
}

/** Index of the `"` closing a string whose text starts at `from`, or undefined when the text is cut first. */
function stringEnd(json: string, from: number): number | undefined {
  for (let i = from; i < json.length; i++) {
    if (json[i] === '\\') i += 1;
    else if (json[i] === '"') return i;
  }
  return undefined;
}

/** A JSON string's text; a cut one loses a trailing partial escape (`\`, `\u00`) and a lone high surrogate. */
function decode(raw: string, cut: boolean): string | undefined {
  for (let drop = 0; drop <= (cut ? Math.min(5, raw.length) : 0); drop++) {
    try {
      const text = JSON.parse(`"${raw.slice(0, raw.length - drop)}"`) as string;
      return cut && /[\uD800-\uDBFF]$/.test(text) ? text.slice(0, -1) : text;
    } catch {
      // try without one more trailing character
    }
  }
  return undefined;
}
