/**
 * Button presses. Every press is acknowledged at once with a deferred update, which shows nothing (Discord
 * allows 3 s), then checked (only the requester or a Manage Server member may act; anyone else gets a private
 * note), then acted on. Notes are ephemeral follow-ups, so a quiet duplicate (a storm of presses the person was
 * already told about a moment ago) answers nothing visible at all. A chosen option or a re-roll is queued and
 * the person told so privately; that is all a press does: the status message in the thread (with Cancel) is
 * the publisher's, posted and edited from the generation's progress events, from whichever process hears
 * them. "Older →" and "Forget everything" sit on a private `/history` or `/forget` answer, which the press
 * edits in place (discord-history.ts). Buttons carry only short ids, so they keep working after a restart.
 */
import { type ButtonInteraction, MessageFlags } from 'discord.js';
import type { Actor } from '../../core/assistant.js';
import { reportFailure } from '../../errors.js';
import { decodeButton } from '../shared/button-ids.js';
import { ALREADY_QUEUED_TEXT, CANCEL_TEXT } from '../shared/message-text.js';
import { acknowledge, type DiscordBotDeps, isAdmin, sendableChannel } from './discord-context.js';
import { pressHistoryButton } from './discord-history.js';
import { escapeMentions, optionsPayload } from './discord-render.js';

export async function handleButton(interaction: ButtonInteraction, deps: DiscordBotDeps): Promise<void> {
  // The acknowledgement travels while we check and queue; every note waits for it.
  const acked = acknowledge(deps, interaction.deferUpdate());
  acked.catch(() => undefined);
  const answer = async (text: string) => {
    await acked;
    await interaction.followUp({ content: text, flags: MessageFlags.Ephemeral });
  };
  const action = decodeButton(interaction.customId);
  const actor: Actor = { userId: interaction.user.id, isAdmin: isAdmin(interaction.memberPermissions) };
  const { assistant } = deps;
  try {
    if (!action) {
      await answer('This button is no longer valid. Ask again for fresh options.');
      return;
    }
    if (action.kind === 'history-page' || action.kind === 'forget') {
      await acked;
      await pressHistoryButton(interaction, action, deps, answer);
      return;
    }
    if (action.kind === 'cancel') {
      const outcome = await assistant.cancel(action.generationId, actor);
      await answer(CANCEL_TEXT[outcome.outcome]);
      return;
    }
    if (action.kind === 'animate') {
      const reply = await assistant.animate(action.generationId, actor);
      if (reply.kind === 'options') {
        const channel = await sendableChannel(interaction.client, reply.set.conversation.threadId);
        await channel?.send(optionsPayload(reply.set, reply.notes));
        await answer('Here are ways to animate it ↓');
      } else if (reply.kind !== 'queued') {
        await answer(reply.kind === 'hint' ? reply.text : reply.message);
      }
      return;
    }
    const outcome =
      action.kind === 'option'
        ? await assistant.choose(action.key, action.index, actor)
        : await assistant.reroll(action.generationId, actor);
    if (outcome.kind !== 'queued') return void (await answer(outcome.message));
    // A storm of presses: the person hears "already queued" once every few seconds, not once per press.
    if (outcome.duplicate) return void (outcome.quiet ? await acked : await answer(ALREADY_QUEUED_TEXT));
    await answer(`Queued: ${escapeMentions(outcome.option.label)}. I will post it in the thread when it is ready.`);
  } catch (error) {
    const text = reportFailure(deps.logger, error, { customId: interaction.customId, interactionId: interaction.id });
    await answer(text).catch((err: unknown) => deps.logger.warn({ err }, 'could not answer a button press'));
  }
}
