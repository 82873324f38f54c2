/**
 * A web world whose assistant is Claude, played by the Anthropic fake (which speaks the streaming wire format),
 * for the specs of streamed replies (`/v1/chat/stream`, `POST /chats/{id}/messages` as a stream), with one
 * person's key and the paper-boat request those specs ask about: the reply Claude writes and its two options.
 */
import { PROPOSE_OPTIONS } from '../../../src/agent/agent-tools.js';
import { type AnthropicFake, startAnthropicFake, toolUse } from '../../doubles/anthropic/anthropic-fake.js';
import { startWebWorld, type WebWorld } from './web-world.js';

export const BOAT_ASK = 'a paper boat drifting down a rainy street';
export const BOAT_REPLY =
  'Two ways to show your paper boat: a rain-soaked still, and a bold poster of the same street.';
const option = (model: string, label: string) => ({
  model,
  prompt: BOAT_ASK,
  label,
  reason: `${label}, for the mood.`,
});
export const BOAT_OPTIONS = [
  option('higgsfield-ai/soul/v2/standard', 'Soul still'),
  option('nano-banana', 'Nano Banana poster'),
] as const;

export interface ClaudeWebWorld {
  world: WebWorld;
  fake: AnthropicFake;
  /** A key of the person `dora`. */
  key: string;
  close(): Promise<void>;
}

export async function startClaudeWebWorld(name: string): Promise<ClaudeWebWorld> {
  const fake = await startAnthropicFake();
  const world = await startWebWorld({
    name,
    env: { WEB_RATE_LIMIT_PER_MINUTE: '10000', ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: fake.url },
  });
  const key = await world.newKey('dora');
  return {
    world,
    fake,
    key,
    async close() {
      await world.close();
      await fake.close();
    },
  };
}

/**
 * Has the fake stream the boat proposal (a piece every 5 ms) but keep its last events back until the client
 * has read a piece (or 5 s pass, to fail cleanly): call `piece()` on the first piece the client reads, and
 * `first` says when that was and whether the fake had already ended — the proof the text streamed.
 */
export function streamBoatHeld(fake: AnthropicFake) {
  let release = () => {};
  const arrived = new Promise<void>((resolve) => {
    release = resolve;
  });
  const holdEnd = Promise.race([arrived, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  fake.enqueue(
    toolUse(
      PROPOSE_OPTIONS,
      { text: BOAT_REPLY, options: [...BOAT_OPTIONS] },
      { stream: { eventDelayMs: 5, holdEnd } },
    ),
  );
  const held: { first?: { atMs: number; fakeEnded: boolean }; piece(): void } = {
    piece() {
      if (held.first) return;
      held.first = { atMs: Date.now(), fakeEnded: fake.requests.at(-1)?.streamed?.endedAtMs !== undefined };
      release();
    },
  };
  return held;
}
