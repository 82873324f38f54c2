/**
 * The contract every publisher keeps (src/core/ports.ts `Publisher`), as one suite each platform runs against
 * its own double: a result is posted with its file (or a link to it when over the platform's upload limit)
 * and its Re-roll / Animate buttons; a failure is posted with its words; the status message is posted once
 * and then edited in place; the same delivery, tried twice (even by another process) with one ledger, is
 * posted once; a conversation the bot may not post in is a final `PlatformForbidden`, not a retry; and a
 * person's or the model's `@everyone` / `<!channel>` pings nobody.
 *
 * Non-obvious: what a platform can do is declared up front (`PublisherTraits`) because vitest collects the
 * cases before any setup runs; a case that does not apply to a platform is not registered for it, and the
 * few that say what the platform lacks instead (no `showStatus` on the terminal) assert that. The world is
 * set up afresh for every case, so each reads only its own messages.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ButtonAction, decodeButton } from '../../src/adapters/shared/button-ids.js';
import type { DeliveryLedger, DeliveryStepState, MediaStore, Publisher } from '../../src/core/ports.js';
import type {
  ConversationRef,
  GenerationFailure,
  GenerationResult,
  MediaAsset,
  ProgressEvent,
} from '../../src/core/types.js';
import { AppError, ErrorCode } from '../../src/errors.js';
import { renderPng } from '../../src/higgsfield/simulator/index.js';
import { createLocalMediaStore } from '../../src/media/local-media-store.js';
import { newGenerationId } from '../../src/queue/jobs.js';

/** One message as the platform holds it, reduced to what a person sees. */
export interface SeenMessage {
  /** The platform's id of the message (what a MessageRef's `messageId` names); undefined on the terminal. */
  id?: string;
  /** Every text a person reads in it (content, embeds, blocks), joined by newlines. */
  text: string;
  /** Names of the files attached to it. */
  files: string[];
  /** The ids its buttons carry. */
  buttons: string[];
}

/** A platform's double with a publisher on it, for one case. */
export interface PlatformSide {
  publisher: Publisher;
  /** A publisher as another worker process builds it (same credentials, nothing remembered from the first). */
  restart(): Publisher;
  /** A fresh conversation the bot may post in (its own thread), asked by the platform's requester. */
  conversation(): Promise<ConversationRef>;
  /** A conversation the bot may not post in (traits.refusals). */
  forbidden?(): Promise<ConversationRef>;
  /** What the bot posted in the conversation's thread, oldest first. */
  thread(conversation: ConversationRef): SeenMessage[];
  /** Everyone the bot's messages notified so far: 'everyone', 'here', 'channel', 'user:<id>', 'role:<id>'. */
  pings?(): string[];
  /** Mentions, in the platform's syntax, of people and groups other than the requester (traits.mentions). */
  bystanders?: string;
  close(): Promise<void>;
}

export interface PublisherTraits {
  /** Results and failures carry buttons (the terminal offers Re-roll and Animate as chat commands instead). */
  buttons: boolean;
  /** The publisher posts and edits a status message (`showStatus`). */
  statusMessages: boolean;
  /** Larger files are linked, not uploaded; undefined: nothing is uploaded (the terminal names the saved file). */
  uploadLimitBytes?: number;
  /** The platform can refuse the bot a conversation (`forbidden`). */
  refusals: boolean;
  /** The platform notifies people when a message mentions them (`pings`, `bystanders`). */
  mentions: boolean;
}

/** A delivery ledger in memory, keeping the DeliveryLedger contract ('begun' is never downgraded). */
function memoryLedger(): DeliveryLedger {
  const steps = new Map<string, DeliveryStepState>();
  return {
    state: async (step) => steps.get(step),
    begin: async (step) => void (steps.has(step) ? undefined : steps.set(step, 'begun')),
    done: async (step) => void steps.set(step, 'done'),
  };
}

const SMALL_PNG = renderPng('contract', 32);
/** Mentions that would notify a whole channel on Discord or Slack, if they were obeyed. */
const BROADCASTS = '@everyone @here <!channel> <!here> <!everyone>';

function option(label: string, prompt = 'A red fox in the snow') {
  return { kind: 'text-to-image' as const, modelId: 'nano-banana', prompt, params: {}, label, reason: 'r' };
}

const actions = (message: SeenMessage | undefined): Array<ButtonAction | undefined> =>
  (message?.buttons ?? []).map(decodeButton);

async function refusal(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (error: unknown) => error,
  );
}

export function describePublisherContract(
  name: string,
  setup: (store: MediaStore) => Promise<PlatformSide>,
  traits: PublisherTraits,
): void {
  describe(`the ${name} publisher contract`, () => {
    let dir: string;
    let store: MediaStore;
    let side: PlatformSide;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), `higgsbot-contract-${name}-`));
      store = createLocalMediaStore({ dir, linkFor: (key) => `https://media.example/${key}` });
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });
    beforeEach(async () => {
      side = await setup(store);
    });
    afterEach(async () => {
      await side.close();
    });

    async function stored(generationId: string, bytes: Buffer): Promise<MediaAsset> {
      return store.put(`2026/11/21/${generationId}-0.png`, Readable.from([bytes]), {
        contentType: 'image/png',
        maxBytes: 64 * 1024 * 1024,
        providerUrl: `https://cdn.example/${generationId}-0.png`,
      });
    }

    async function resultIn(
      conversation: ConversationRef,
      bytes = SMALL_PNG,
      label = 'Fox',
    ): Promise<GenerationResult> {
      const generationId = newGenerationId(randomUUID());
      return {
        generationId,
        option: option(label),
        conversation,
        assets: [await stored(generationId, bytes)],
        durationMs: 4_000,
      };
    }

    function failureIn(conversation: ConversationRef, message: string, label = 'Fox'): GenerationFailure {
      return {
        generationId: newGenerationId(randomUUID()),
        option: option(label),
        conversation,
        reason: 'failed',
        message,
      };
    }

    function eventIn(
      conversation: ConversationRef,
      generationId: string,
      state: ProgressEvent['state'],
      label = 'Fox',
    ): ProgressEvent {
      return {
        generationId,
        conversation,
        state,
        modelId: 'nano-banana',
        label,
        atMs: Date.now(),
        ...(state === 'queued' ? { position: 2, estimatedWaitMs: 30_000 } : {}),
        ...(state === 'rendering' ? { estimatedWaitMs: 20_000 } : {}),
      };
    }

    const fileName = (asset: MediaAsset) => asset.key.split('/').pop() ?? asset.key;

    it('posts a result into the thread with its file, its label and its follow-up actions', async () => {
      const conversation = await side.conversation();
      const result = await resultIn(conversation);
      await side.publisher.postResult(result, `${result.generationId}:deliver`, memoryLedger());
      const seen = side.thread(conversation);
      expect(seen.flatMap((m) => m.files)).toEqual([fileName(result.assets[0]!)]);
      const message = seen.find((m) => m.text.includes('Fox'));
      expect(message?.text).toContain('done');
      if (traits.buttons) {
        expect(actions(message)).toEqual([
          { kind: 'reroll', generationId: result.generationId },
          { kind: 'animate', generationId: result.generationId },
        ]);
      }
      // Where nothing is uploaded, the saved file comes with its link.
      if (traits.uploadLimitBytes === undefined) expect(message?.text).toContain(result.assets[0]!.url);
    });

    const limit = traits.uploadLimitBytes;
    if (limit !== undefined) {
      it('posts a link instead of the file when the file is over the upload limit', async () => {
        const conversation = await side.conversation();
        const result = await resultIn(conversation, Buffer.concat([SMALL_PNG, Buffer.alloc(limit, 7)]));
        await side.publisher.postResult(result, `${result.generationId}:deliver`, memoryLedger());
        const seen = side.thread(conversation);
        expect(seen.flatMap((m) => m.files)).toEqual([]);
        expect(seen).toHaveLength(1);
        expect(seen[0]?.text).toContain(result.assets[0]!.url);
        if (traits.buttons)
          expect(actions(seen[0])).toContainEqual({ kind: 'reroll', generationId: result.generationId });
      });
    }

    it('posts a failure with the words it was given, and a way to try again', async () => {
      const conversation = await side.conversation();
      const failure = failureIn(conversation, 'Higgsfield could not render this one.');
      await side.publisher.postFailure(failure, `${failure.generationId}:deliver`, memoryLedger());
      const seen = side.thread(conversation);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.text).toContain('Fox');
      expect(seen[0]?.text).toContain('Higgsfield could not render this one.');
      if (traits.buttons) expect(actions(seen[0])).toEqual([{ kind: 'reroll', generationId: failure.generationId }]);
    });

    it('posts a result once when the same delivery is tried again, by the same or another process', async () => {
      const conversation = await side.conversation();
      const result = await resultIn(conversation);
      const ledger = memoryLedger();
      const deliveryId = `${result.generationId}:deliver`;
      await side.publisher.postResult(result, deliveryId, ledger);
      await side.publisher.postResult(result, deliveryId, ledger);
      await side.restart().postResult(result, deliveryId, ledger);
      const seen = side.thread(conversation);
      expect(seen.flatMap((m) => m.files)).toEqual([fileName(result.assets[0]!)]);
      expect(seen.filter((m) => m.text.includes('Fox'))).toHaveLength(1);
    });

    it('posts a failure once when the same delivery is tried again, by the same or another process', async () => {
      const conversation = await side.conversation();
      const failure = failureIn(conversation, 'It failed.');
      const ledger = memoryLedger();
      const deliveryId = `${failure.generationId}:deliver`;
      await side.publisher.postFailure(failure, deliveryId, ledger);
      await side.publisher.postFailure(failure, deliveryId, ledger);
      await side.restart().postFailure(failure, deliveryId, ledger);
      expect(side.thread(conversation)).toHaveLength(1);
    });

    if (traits.statusMessages) {
      it('posts the status message once, with Cancel while it can be canceled, then edits that message', async () => {
        const conversation = await side.conversation();
        const generationId = newGenerationId(randomUUID());
        const showStatus = side.publisher.showStatus?.bind(side.publisher);
        if (!showStatus) throw new Error(`the ${name} publisher declares status messages but has no showStatus`);

        const posted = await showStatus(eventIn(conversation, generationId, 'queued'), undefined);
        const first = side.thread(conversation);
        expect(first).toHaveLength(1);
        expect(first[0]?.id).toBe(posted.messageId);
        expect(first[0]?.text).toContain('Fox: queued (position 2, about 30 s)');
        expect(actions(first[0])).toEqual([{ kind: 'cancel', generationId }]);

        const edited = await showStatus(eventIn(conversation, generationId, 'rendering'), posted);
        expect(edited).toEqual(posted);
        const next = side.thread(conversation);
        expect(next).toHaveLength(1);
        expect(next[0]?.id).toBe(posted.messageId);
        expect(next[0]?.text).toContain('Fox: rendering, about 20 s');
        // Rendering at Higgsfield can no longer be canceled: the button is gone.
        expect(next[0]?.buttons).toEqual([]);
      });
    } else {
      it('has no status message to show (the status relay leaves the platform alone)', () => {
        expect(side.publisher.showStatus).toBeUndefined();
      });
    }

    if (traits.refusals) {
      it('refuses, finally and without posting, where the bot may not post', async () => {
        const forbidden = await side.forbidden?.();
        if (!forbidden) throw new Error(`the ${name} side declares refusals but gives no forbidden conversation`);
        const result = await resultIn(forbidden);
        const failure = failureIn(forbidden, 'It failed.');
        const attempts: Array<() => Promise<unknown>> = [
          () => side.publisher.postResult(result, `${result.generationId}:deliver`, memoryLedger()),
          () => side.publisher.postFailure(failure, `${failure.generationId}:deliver`, memoryLedger()),
        ];
        const { showStatus } = side.publisher;
        if (traits.statusMessages && showStatus) {
          attempts.push(() =>
            showStatus.call(side.publisher, eventIn(forbidden, result.generationId, 'queued'), undefined),
          );
        }
        for (const attempt of attempts) {
          const error = await refusal(attempt());
          expect(error).toBeInstanceOf(AppError);
          expect(error).toMatchObject({ code: ErrorCode.PlatformForbidden, retryable: false });
        }
        expect(side.thread(forbidden)).toEqual([]);
      });
    }

    if (traits.mentions) {
      it('pings nobody for the @everyone or <!channel> in a label, prompt or message; a result pings its requester', async () => {
        const conversation = await side.conversation();
        const pings = () => side.pings?.() ?? [];
        const hostile = `Fox ${BROADCASTS} ${side.bystanders ?? ''}`;
        const generationId = newGenerationId(randomUUID());
        const status = await side.publisher.showStatus?.(
          eventIn(conversation, generationId, 'queued', hostile),
          undefined,
        );
        if (status)
          await side.publisher.showStatus?.(eventIn(conversation, generationId, 'rendering', hostile), status);
        expect(pings()).toEqual([]);

        const result = await resultIn(conversation, SMALL_PNG, hostile);
        result.option.prompt = hostile;
        await side.publisher.postResult(result, `${result.generationId}:deliver`, memoryLedger());
        const failure = failureIn(conversation, `It failed: ${hostile}`, hostile);
        await side.publisher.postFailure(failure, `${failure.generationId}:deliver`, memoryLedger());
        // The requester is told their result is there; nobody else hears of it.
        expect(pings()).toContain(`user:${conversation.userId}`);
        expect(pings().filter((p) => p !== `user:${conversation.userId}`)).toEqual([]);
        expect(side.thread(conversation).length).toBeGreaterThanOrEqual(3);
      });
    }
  });
}
