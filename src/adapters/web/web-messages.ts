/**
 * Chat turns and option sets in seed B's words: a chat's turn (ChatMessage) or a freshly logged history turn
 * becomes a seed B message, an option set becomes its render chunks (each option's button, then its reason,
 * as seed B's document shows), and an option is named by an id a button can carry.
 *
 * Decisions:
 * - an option's id is `<set key>.<index>` (e.g. `k3j4h5ab9Z.1`): the set key the other platforms' buttons
 *   carry, so nothing new is stored for the web; it is parsed strictly, and anything else is no option;
 * - a message's text is its `content_text` and its chunks are its options only, so a reply without options
 *   (a hint, a refusal) has none: seed B's client shows `content_text` and then the chunks, and a text chunk
 *   repeating the text would show it twice;
 * - a person's message has no chunks (`render_payload: null`), as seed B's client expects.
 */
import type { TurnReply } from '../../core/assistant.js';
import type { Chat, ChatMessage } from '../../core/chats.js';
import type { HistoryStore, HistoryTurn } from '../../core/history.js';
import type { PlatformLogger } from '../../core/platform.js';
import type { GenerationOption, OptionEstimate } from '../../core/types.js';
import { isoTime } from './schemas/common.js';
import type { ChatBody, ChatMessageBody, OptionBody, RenderChunk } from './schemas/seed-b-chats.js';
import { unprocessable } from './web-errors.js';

const OPTION_ID = /^([0-9A-Za-z]{4,32})\.(0|[1-9][0-9]?)$/;

/** The id of option `index` of set `key`. */
export function optionId(key: string, index: number): string {
  return `${key}.${index}`;
}

/** The set key and index an option id names, or undefined when it names none. */
export function parseOptionId(id: string): { key: string; index: number } | undefined {
  const match = OPTION_ID.exec(id);
  if (!match?.[1] || match[2] === undefined) return undefined;
  return { key: match[1], index: Number(match[2]) };
}

export function toChatBody(chat: Chat): ChatBody {
  return {
    id: chat.id,
    user_id: chat.userId,
    title: chat.title,
    message_count: chat.messageCount,
    last_message_at: chat.lastMessageAtMs === null ? null : isoTime(chat.lastMessageAtMs),
    created_at: isoTime(chat.createdAtMs),
  };
}

function estimateBody(estimate: OptionEstimate) {
  return {
    wait_seconds: estimate.waitSeconds,
    ...(estimate.credits !== undefined ? { credits: estimate.credits } : {}),
  };
}

/** A reply's chunks: for each option its button and its reason (none for a reply without options). */
export function renderChunks(
  optionSet: { key: string; options: readonly GenerationOption[] } | undefined,
): RenderChunk[] {
  if (!optionSet) return [];
  return optionSet.options.flatMap((option, index): RenderChunk[] => [
    {
      type: 'button',
      label: option.label,
      option_id: optionId(optionSet.key, index),
      model: option.modelId,
      kind: option.kind,
      prompt: option.prompt,
      ...(option.estimate ? { estimate: estimateBody(option.estimate) } : {}),
    },
    { type: 'text', text: option.reason },
  ]);
}

/** A chat's turn as seed B's message. */
export function toMessageBody(message: ChatMessage): ChatMessageBody {
  const base = {
    id: message.id,
    chat_id: message.chatId,
    content_text: message.text,
    created_at: isoTime(message.atMs),
  };
  if (message.role === 'request') {
    return {
      ...base,
      author_type: 'user',
      render_payload: null,
      ...(message.attachments?.length ? { attachments: message.attachments } : {}),
    };
  }
  return { ...base, author_type: 'assistant', render_payload: renderChunks(message.optionSet) };
}

/** A history turn just logged for chat `chatId`, as the chat will show it. */
export function turnAsMessage(chatId: string, turn: HistoryTurn): ChatMessage {
  const message: ChatMessage = { id: turn.turnId, chatId, role: turn.kind, text: turn.text, atMs: turn.atMs };
  if (turn.kind === 'request' && turn.attachments?.length) message.attachments = [...turn.attachments];
  if (turn.kind === 'reply' && turn.optionSet) {
    message.optionSet = { key: turn.optionSet.key, options: [...turn.optionSet.options] };
  }
  return message;
}

/** Option `index` of set `key`, shown in chat `chatId`, as seed B's option. */
export function toOptionBody(
  key: string,
  index: number,
  chatId: string,
  option: GenerationOption,
  createdAtMs: number | undefined,
): OptionBody {
  return {
    id: optionId(key, index),
    chat_id: chatId,
    label: option.label,
    reason: option.reason,
    kind: option.kind,
    model: option.modelId,
    prompt: option.prompt,
    params: option.params,
    ...(option.style ? { style: { id: option.style.id, name: option.style.name } } : {}),
    ...(option.motions
      ? { motions: option.motions.map((m) => ({ id: m.id, name: m.name, strength: m.strength })) }
      : {}),
    ...(option.estimate ? { estimate: estimateBody(option.estimate) } : {}),
    created_at: createdAtMs === undefined ? null : isoTime(createdAtMs),
  };
}

/**
 * A turn's answer as `POST /chats/{id}/messages` (and Animate) give it: both turns written to the chat first,
 * so the transcript shows them at once (a write that fails is the history feed's to retry), then the reply
 * as seed B's message, its chunks beside it for seed B's client, and the assistant's notes.
 */
export async function postedAnswer(
  deps: { history: HistoryStore; logger: PlatformLogger },
  chatId: string,
  answer: TurnReply,
  field: string,
): Promise<{ message: ChatMessageBody; render_chunks: RenderChunk[]; notes: string[] }> {
  const replyTurn = answer.turns.find((turn) => turn.kind === 'reply');
  // Only a message that asks nothing is answered without turns (e.g. nothing but invisible characters).
  if (!replyTurn) throw unprocessable(`${field}: ${answer.kind === 'hint' ? answer.text : 'The message is empty.'}`);
  for (const turn of answer.turns) {
    try {
      await deps.history.recordTurn(turn);
    } catch (error) {
      deps.logger.warn(
        { err: error, turnId: turn.turnId },
        'a turn could not be written to the chat yet; the history feed will',
      );
    }
  }
  const message = toMessageBody(turnAsMessage(chatId, replyTurn));
  return { message, render_chunks: message.render_payload ?? [], notes: answer.kind === 'options' ? answer.notes : [] };
}
