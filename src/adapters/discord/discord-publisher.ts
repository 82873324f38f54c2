/**
 * Posts into Discord with REST and the bot token alone, so any worker process can deliver (interaction
 * tokens die after 15 minutes; renders can take longer). Results go to the conversation's thread as
 * attachments when within the upload limit (the interaction's attachment_size_limit, else 10 MiB), as links
 * otherwise; a 413 from Discord downgrades to links too. Posts carry a nonce with enforce_nonce, so a retried
 * delivery never posts twice. The status message (with Cancel while the generation can still be canceled)
 * is posted into the thread on a generation's first event and edited on the next ones; its post carries a
 * nonce of its own, so a post whose answer was lost, tried again, finds the first message instead of adding
 * a second. Missing permissions and closed DMs are logged and not retried. Every post and edit carries
 * `allowed_mentions`: a result or failure pings its requester only, a status message nobody.
 */
import { createHash } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { DiscordAPIError, REST, Routes } from 'discord.js';
import type { PlatformLogger } from '../../core/platform.js';
import type { MediaStore, Publisher } from '../../core/ports.js';
import type {
  ConversationRef,
  GenerationFailure,
  GenerationResult,
  MessageRef,
  ProgressEvent,
} from '../../core/types.js';
import { AppError, ErrorCode } from '../../errors.js';
import { discordRestOptions } from './discord-http.js';
import {
  type DiscordPayload,
  failurePayload,
  NO_MENTIONS,
  onlyMentions,
  resultPayload,
  statusPayload,
} from './discord-render.js';

export const DEFAULT_UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;
/** Discord codes that retrying cannot fix: missing access/permissions, cannot DM, unknown channel/message. */
const FINAL_CODES = new Set([50001, 50013, 50007, 10003, 10008]);
const TOO_LARGE_CODE = 40005;

export interface DiscordPublisherDeps {
  rest: REST;
  store: MediaStore;
  logger: PlatformLogger;
}

/** REST with the bot token: all a worker needs to post, no gateway. Its HTTP is its own (see discord-http). */
export function createDiscordRest(discord: { token: string; apiUrl: string }): REST {
  return new REST(discordRestOptions(discord.apiUrl)).setToken(discord.token);
}

export function deliveryNonce(deliveryId: string): string {
  return createHash('sha256').update(deliveryId).digest('hex').slice(0, 25);
}

export function createDiscordPublisher(deps: DiscordPublisherDeps): Publisher {
  const { rest, store, logger } = deps;

  async function post(conversation: ConversationRef, payload: DiscordPayload, nonce: string, files: UploadFile[] = []) {
    try {
      return (await rest.post(Routes.channelMessages(conversation.threadId), {
        // Pings the requester (the mention the payload opens with) and nobody else, whatever the text says.
        body: { ...payload, nonce, enforce_nonce: true, allowed_mentions: onlyMentions(conversation.userId) },
        ...(files.length ? { files } : {}),
      })) as { id: string };
    } catch (error) {
      throw classify(error, conversation, logger);
    }
  }

  return {
    platform: 'discord',

    async postResult(result: GenerationResult, deliveryId: string) {
      const limit = result.conversation.uploadLimitBytes ?? DEFAULT_UPLOAD_LIMIT_BYTES;
      const attachable = result.assets.map((a) => a.sizeBytes <= limit);
      const nonce = deliveryNonce(deliveryId);
      if (attachable.some(Boolean)) {
        const files = await Promise.all(
          result.assets
            .filter((_, i) => attachable[i])
            .map(async (asset) => ({
              name: asset.key.split('/').pop() ?? 'result',
              contentType: asset.contentType,
              data: await buffer(await store.open(asset.key)),
            })),
        );
        try {
          await post(result.conversation, resultPayload(result, attachable), nonce, files);
          return;
        } catch (error) {
          if (!(error instanceof AppError && error.code === ErrorCode.MediaTooLarge)) throw error;
          logger.info({ generationId: result.generationId }, 'Discord refused the upload size; posting links instead');
        }
      }
      await post(
        result.conversation,
        resultPayload(
          result,
          result.assets.map(() => false),
        ),
        nonce,
      );
    },

    async postFailure(failure: GenerationFailure, deliveryId: string) {
      await post(failure.conversation, failurePayload(failure), deliveryNonce(deliveryId));
    },

    async showStatus(event: ProgressEvent, message: MessageRef | undefined): Promise<MessageRef> {
      const { conversation } = event;
      const payload = statusPayload(event.label ?? event.modelId, event.generationId, event);
      try {
        if (message) {
          await rest.patch(Routes.channelMessage(message.channelId, message.messageId), {
            body: { ...payload, allowed_mentions: NO_MENTIONS },
          });
          return message;
        }
        const posted = (await rest.post(Routes.channelMessages(conversation.threadId), {
          body: {
            ...payload,
            nonce: deliveryNonce(`${event.generationId}:status`),
            enforce_nonce: true,
            allowed_mentions: NO_MENTIONS,
          },
        })) as { id: string; channel_id?: string };
        return { channelId: posted.channel_id ?? conversation.threadId, messageId: posted.id };
      } catch (error) {
        throw classify(error, conversation, logger);
      }
    },
  };
}

interface UploadFile {
  name: string;
  contentType: string;
  data: Buffer;
}

function classify(error: unknown, conversation: ConversationRef, logger: PlatformLogger): unknown {
  if (!(error instanceof DiscordAPIError)) return error;
  const code = Number(error.code);
  if (error.status === 413 || code === TOO_LARGE_CODE) {
    return new AppError(ErrorCode.MediaTooLarge, 'Discord refused the file size', {
      kind: 'refused',
      retryable: false,
      cause: error,
    });
  }
  if (FINAL_CODES.has(code) || error.status === 403) {
    logger.warn(
      { code, channelId: conversation.threadId, guildId: conversation.workspaceId },
      code === 50007
        ? 'Discord: this person does not accept DMs from the bot'
        : 'Discord: the bot lacks access or permissions in this channel (needs View Channel, Send Messages, Send Messages in Threads, Attach Files, Embed Links)',
    );
    return new AppError(ErrorCode.PlatformForbidden, `Discord refused the post (code ${code})`, {
      kind: 'config',
      retryable: false,
      cause: error,
    });
  }
  return error;
}
