/**
 * Posts into Slack with the Web API and the bot token alone, so any worker process can deliver. Results are
 * uploaded into the thread with filesUploadV2 (alt text from the prompt) when within the upload limit, and
 * sent as links otherwise (or when Slack refuses the size); a message with Re-roll and Animate follows. Slack
 * has no nonce to lean on, so each part is marked in the delivery's ledger before it is sent and after: a
 * retry skips what is done, and for a part that was begun (the worker died or lost Redis mid-call) it
 * looks in the thread — for the file by its name, for the message by the delivery id in its metadata —
 * before sending it again. Each result is therefore posted exactly once. The status message (with Cancel
 * while the generation can still be canceled) is posted into the thread on a generation's first event and
 * edited with chat.update on the next ones; who posts it, once, is the status board's job, not a ledger's.
 */
import { buffer } from 'node:stream/consumers';
import type { WebClient } from '@slack/web-api';
import type { PlatformLogger } from '../../core/platform.js';
import type { DeliveryLedger, MediaStore, Publisher } from '../../core/ports.js';
import type {
  ConversationRef,
  GenerationFailure,
  GenerationResult,
  MessageRef,
  ProgressEvent,
} from '../../core/types.js';
import { AppError, ErrorCode } from '../../errors.js';
import { cut, failureMessage, resultMessage, statusMessage } from './slack-render.js';
import { createThreadSearch, DELIVERY_EVENT } from './slack-thread-search.js';

/** Larger results are posted as links (Slack accepts up to 1 GB, but workspaces and phones suffer). */
export const SLACK_UPLOAD_LIMIT_BYTES = 100 * 1024 * 1024;
const FINAL_ERRORS = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'missing_scope',
  'not_authed',
  'invalid_auth',
  'account_inactive',
]);

export interface SlackPublisherDeps {
  client: WebClient;
  store: MediaStore;
  logger: PlatformLogger;
  uploadLimitBytes?: number;
}

/** A conversation's thread_ts: absent in a DM without threads (thread equals channel). */
export function threadTs(conversation: ConversationRef): string | undefined {
  return conversation.threadId === conversation.channelId ? undefined : conversation.threadId;
}

export function createSlackPublisher(deps: SlackPublisherDeps): Publisher {
  const { client, store, logger } = deps;
  const limit = deps.uploadLimitBytes ?? SLACK_UPLOAD_LIMIT_BYTES;
  const thread = createThreadSearch(client);

  /** A message of this delivery, posted once: its metadata carries the delivery id, to be found on a retry. */
  const postOnce = async (
    conversation: ConversationRef,
    message: { text: string; blocks: unknown[] },
    deliveryId: string,
    ledger: DeliveryLedger | undefined,
  ) => {
    const step = 'slack-message';
    const state = await ledger?.state(step);
    if (state === 'done') return;
    if (state === 'begun' && (await thread.hasMessage(conversation, deliveryId))) {
      await ledger?.done(step);
      return;
    }
    await ledger?.begin(step);
    const ts = threadTs(conversation);
    try {
      await client.chat.postMessage({
        channel: conversation.channelId,
        text: message.text,
        blocks: message.blocks as never,
        metadata: { event_type: DELIVERY_EVENT, event_payload: { delivery_id: deliveryId } },
        ...(ts ? { thread_ts: ts } : {}),
      });
    } catch (error) {
      throw classify(error, conversation, logger);
    }
    await ledger?.done(step);
  };

  return {
    platform: 'slack',

    async postResult(result: GenerationResult, deliveryId: string, ledger?: DeliveryLedger) {
      const linked: GenerationResult['assets'] = [];
      for (const [index, asset] of result.assets.entries()) {
        if (asset.sizeBytes > limit) {
          linked.push(asset);
          continue;
        }
        // Slack has no idempotency key: the ledger says what an earlier attempt finished, and an upload it
        // began (and may have finished before it died) is looked for in the thread, by its file name.
        const step = `slack-upload-${index}`;
        const filename = uploadName(asset.key);
        const state = await ledger?.state(step);
        if (state === 'done') continue;
        if (state === 'begun' && (await thread.hasFile(result.conversation, filename))) {
          await ledger?.done(step);
          continue;
        }
        try {
          await ledger?.begin(step);
          const ts = threadTs(result.conversation);
          const upload = {
            channel_id: result.conversation.channelId,
            ...(ts ? { thread_ts: ts } : {}),
            file: await buffer(await store.open(asset.key)),
            filename,
            title: cut(result.option.label, 200),
            alt_text: cut(result.option.prompt, 1_000),
          };
          // The SDK's argument type is a union its own optional fields do not satisfy under exactOptionalPropertyTypes.
          await client.filesUploadV2(upload as Parameters<WebClient['filesUploadV2']>[0]);
          await ledger?.done(step);
        } catch (error) {
          if (slackError(error) !== 'file_too_large') throw classify(error, result.conversation, logger);
          logger.info({ generationId: result.generationId }, 'Slack refused the upload size; posting a link instead');
          linked.push(asset);
        }
      }
      await postOnce(result.conversation, resultMessage(result, linked), deliveryId, ledger);
    },

    async postFailure(failure: GenerationFailure, deliveryId: string, ledger?: DeliveryLedger) {
      await postOnce(failure.conversation, failureMessage(failure), deliveryId, ledger);
    },

    async showStatus(event: ProgressEvent, message: MessageRef | undefined): Promise<MessageRef> {
      const { conversation } = event;
      const body = statusMessage(event.label ?? event.modelId, event.generationId, event);
      try {
        if (message) {
          await client.chat.update({
            channel: message.channelId,
            ts: message.messageId,
            text: body.text,
            blocks: body.blocks as never,
          });
          return message;
        }
        const ts = threadTs(conversation);
        const posted = await client.chat.postMessage({
          channel: conversation.channelId,
          text: body.text,
          blocks: body.blocks as never,
          ...(ts ? { thread_ts: ts } : {}),
        });
        if (!posted.ts) throw new Error('Slack answered chat.postMessage without the message ts');
        return { channelId: posted.channel ?? conversation.channelId, messageId: posted.ts };
      } catch (error) {
        throw classify(error, conversation, logger);
      }
    },
  };
}

/** The uploaded file's name: the stored key's last part, `<generationId>-<index>.<ext>`, unique per delivery. */
function uploadName(key: string): string {
  return key.split('/').pop() ?? key;
}

export function slackError(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

function classify(error: unknown, conversation: ConversationRef, logger: PlatformLogger): unknown {
  const code = slackError(error);
  if (!code || !FINAL_ERRORS.has(code)) return error;
  logger.warn(
    { code, channel: conversation.channelId, team: conversation.workspaceId },
    'Slack refused the post: invite the bot to the channel and check its scopes (chat:write, files:write)',
  );
  return new AppError(ErrorCode.PlatformForbidden, `Slack refused the post (${code})`, {
    kind: 'config',
    retryable: false,
    cause: error,
  });
}
