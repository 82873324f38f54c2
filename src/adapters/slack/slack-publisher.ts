/**
 * Posts into Slack with the Web API and the bot token alone, so any worker process can deliver. Results are
 * uploaded into the thread with filesUploadV2 (alt text from the prompt) when within the upload limit, and
 * sent as links otherwise (or when Slack refuses the size); a message with Re-roll and Animate follows. Slack
 * has no nonce to lean on: the pipeline's delivered marker makes the whole post happen once, and its ledger
 * keeps a retry (after the follow-up message failed, say) from uploading a file twice.
 */
import { buffer } from 'node:stream/consumers';
import type { WebClient } from '@slack/web-api';
import type { DeliveryLedger, MediaStore, Publisher } from '../../core/ports.js';
import type {
  ConversationRef,
  GenerationFailure,
  GenerationResult,
  MessageRef,
  ProgressEvent,
} from '../../core/types.js';
import { AppError, ErrorCode } from '../../errors.js';
import type { Logger } from '../../log.js';
import { cut, failureMessage, resultMessage, statusMessage } from './slack-render.js';

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
  logger: Logger;
  uploadLimitBytes?: number;
}

/** A conversation's thread_ts: absent in a DM without threads (thread equals channel). */
export function threadTs(conversation: ConversationRef): string | undefined {
  return conversation.threadId === conversation.channelId ? undefined : conversation.threadId;
}

export function createSlackPublisher(deps: SlackPublisherDeps): Publisher {
  const { client, store, logger } = deps;
  const limit = deps.uploadLimitBytes ?? SLACK_UPLOAD_LIMIT_BYTES;

  const post = async (conversation: ConversationRef, message: { text: string; blocks: unknown[] }) => {
    const thread = threadTs(conversation);
    try {
      await client.chat.postMessage({
        channel: conversation.channelId,
        text: message.text,
        blocks: message.blocks as never,
        ...(thread ? { thread_ts: thread } : {}),
      });
    } catch (error) {
      throw classify(error, conversation, logger);
    }
  };

  return {
    platform: 'slack',

    async postResult(result: GenerationResult, _deliveryId: string, ledger?: DeliveryLedger) {
      const linked: GenerationResult['assets'] = [];
      for (const [index, asset] of result.assets.entries()) {
        if (asset.sizeBytes > limit) {
          linked.push(asset);
          continue;
        }
        // Slack has no idempotency key: an upload an earlier attempt finished is not repeated.
        const step = `slack-upload-${index}`;
        if (await ledger?.has(step)) continue;
        try {
          const thread = threadTs(result.conversation);
          const upload = {
            channel_id: result.conversation.channelId,
            ...(thread ? { thread_ts: thread } : {}),
            file: await buffer(await store.open(asset.key)),
            filename: asset.key.split('/').pop() ?? 'result',
            title: cut(result.option.label, 200),
            alt_text: cut(result.option.prompt, 1_000),
          };
          // The SDK's argument type is a union its own optional fields do not satisfy under exactOptionalPropertyTypes.
          await client.filesUploadV2(upload as Parameters<WebClient['filesUploadV2']>[0]);
          await ledger?.record(step);
        } catch (error) {
          if (slackError(error) !== 'file_too_large') throw classify(error, result.conversation, logger);
          logger.info({ generationId: result.generationId }, 'Slack refused the upload size; posting a link instead');
          linked.push(asset);
        }
      }
      await post(result.conversation, resultMessage(result, linked));
    },

    async postFailure(failure: GenerationFailure) {
      await post(failure.conversation, failureMessage(failure));
    },

    async updateStatus(conversation: ConversationRef, message: MessageRef | undefined, event: ProgressEvent) {
      if (!message) return;
      const body = statusMessage(event.label ?? event.modelId, event.generationId, event);
      try {
        await client.chat.update({
          channel: message.channelId,
          ts: message.messageId,
          text: body.text,
          blocks: body.blocks as never,
        });
      } catch (error) {
        throw classify(error, conversation, logger);
      }
    },
  };
}

export function slackError(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

function classify(error: unknown, conversation: ConversationRef, logger: Logger): unknown {
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
