/**
 * `/history`, `/show` and `/forget` on Discord, and the two buttons they bring: "Older →" (`h:<key>`) and
 * "Forget everything" (`f:confirm`). Every answer is private: the command's ephemeral reply, which a press
 * edits in place (the next page, the outcome of forgetting). The one public post is `/show`'s result,
 * re-posted in the current channel or thread by the platform's publisher — the same message, with Re-roll
 * and Animate, that a finished generation gets — under a delivery id of its own per `/show`.
 *
 * Discord shows an ephemeral message only to the person who typed the command, so only they can press its
 * buttons; a press by anyone else (which Discord would not send) is still refused, on the message's
 * interaction metadata, before the assistant is asked anything.
 */
import type { ButtonInteraction, ChatInputCommandInteraction } from 'discord.js';
import type { Actor } from '../../core/assistant.js';
import type { ConversationRef } from '../../core/types.js';
import type { ButtonAction } from '../shared/button-ids.js';
import { NOT_YOUR_LIST_TEXT, showPostedText } from '../shared/history-text.js';
import { conversationOf, type DiscordBotDeps, isAdmin } from './discord-context.js';
import { type DiscordPayload, forgetPayload, hintPayload, historyPayload } from './discord-render.js';

type HistoryButton = Extract<ButtonAction, { kind: 'history-page' | 'forget' }>;

function actorOf(interaction: ChatInputCommandInteraction | ButtonInteraction): Actor {
  return { userId: interaction.user.id, isAdmin: isAdmin(interaction.memberPermissions) };
}

function conversationHere(interaction: ChatInputCommandInteraction | ButtonInteraction): ConversationRef {
  return conversationOf(
    interaction.channel,
    interaction.channelId,
    interaction.guildId,
    interaction.user.id,
    interaction.attachmentSizeLimit,
  );
}

/** `/history [search]`: the first page of the person's own generations, newest first. */
export async function historyAnswer(
  interaction: ChatInputCommandInteraction,
  deps: DiscordBotDeps,
): Promise<DiscordPayload> {
  const search = interaction.options.getString('search') ?? '';
  return historyPayload(await deps.assistant.history(actorOf(interaction), conversationHere(interaction), search));
}

/** `/show id`: the result posted again here (the private answer says where), or why not. */
export async function showAnswer(interaction: ChatInputCommandInteraction, deps: DiscordBotDeps): Promise<string> {
  const id = (interaction.options.getString('id') ?? '').trim();
  const outcome = await deps.assistant.show(id, actorOf(interaction), conversationHere(interaction));
  if (outcome.kind !== 'result') return hintPayload(outcome.message).content;
  await deps.publisher.postResult(outcome.result, `show-${outcome.result.generationId}-${interaction.id}`);
  // The private reply was made when the command was deferred, so the result sits below it.
  return showPostedText('below');
}

/** `/forget`: the question and its red button; nothing is deleted yet. */
export async function forgetAnswer(
  interaction: ChatInputCommandInteraction,
  deps: DiscordBotDeps,
): Promise<DiscordPayload> {
  return forgetPayload(await deps.assistant.forget(actorOf(interaction), conversationHere(interaction), false));
}

/**
 * A press of "Older →" or "Forget everything", already acknowledged with a deferred update: the message it
 * sits on becomes the next page or the outcome. A page that can no longer be shown (expired, history down)
 * leaves the message as it is and says why in a private note.
 */
export async function pressHistoryButton(
  interaction: ButtonInteraction,
  button: HistoryButton,
  deps: DiscordBotDeps,
  note: (text: string) => Promise<void>,
): Promise<void> {
  const owner = interaction.message.interactionMetadata?.user.id;
  if (owner && owner !== interaction.user.id) return note(NOT_YOUR_LIST_TEXT);
  const actor = actorOf(interaction);
  if (button.kind === 'forget') {
    const outcome = await deps.assistant.forget(actor, conversationHere(interaction), true);
    await interaction.editReply(forgetPayload(outcome));
    return;
  }
  const view = await deps.assistant.historyPage(actor, button.key);
  if (view.kind !== 'page') return note(hintPayload(view.message).content);
  await interaction.editReply(historyPayload(view));
}
