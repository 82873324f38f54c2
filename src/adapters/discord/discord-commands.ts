/**
 * Slash commands. `/imagine`, `/video` and `/animate` are deferred first (Discord allows 3 s; Claude takes
 * longer), then answered with options on the original reply, which also starts the request's thread in a
 * guild channel. `/styles`, `/jobs` and `/help` answer privately. Errors become a sentence, never a trace.
 */
import { type AutocompleteInteraction, type ChatInputCommandInteraction, MessageFlags } from 'discord.js';
import type { IntentHint } from '../../core/assistant-types.js';
import { reportFailure } from '../../errors.js';
import { cutGraphemes } from '../shared/echo-text.js';
import { helpText } from '../shared/message-text.js';
import {
  acknowledge,
  afterAcks,
  conversationOf,
  type DiscordBotDeps,
  NO_THREAD_NOTE,
  openThread,
  rehostAttachment,
} from './discord-context.js';
import { echoText, hintPayload, LIMITS, optionsPayload } from './discord-render.js';

const INTENTS: Record<string, IntentHint> = { imagine: 'image', video: 'video', animate: 'animate' };

export async function handleCommand(interaction: ChatInputCommandInteraction, deps: DiscordBotDeps): Promise<void> {
  const intent = INTENTS[interaction.commandName];
  if (intent) return handleRequestCommand(interaction, intent, deps);
  await acknowledge(deps, interaction.deferReply({ flags: MessageFlags.Ephemeral }));
  try {
    await answerPrivately(interaction, deps);
  } catch (error) {
    const message = reportFailure(deps.logger, error, {
      command: interaction.commandName,
      interactionId: interaction.id,
    });
    await interaction
      .editReply(message)
      .catch((err: unknown) => deps.logger.warn({ err }, 'could not answer a command'));
  }
}

/** `/styles`, `/jobs` and `/help`, on the private deferred reply. */
async function answerPrivately(interaction: ChatInputCommandInteraction, deps: DiscordBotDeps): Promise<void> {
  if (interaction.commandName === 'styles') {
    const query = interaction.options.getString('query') ?? '';
    const styles = (await deps.searchStyles(query)).slice(0, 15);
    const lines = styles.map((s) => `• **${s.name}**${s.description ? ` — ${s.description}` : ''}`);
    const heading = `Soul styles${query.trim() ? ` for “${echoText(query, 100)}”` : ''}:`;
    await interaction.editReply(
      cutGraphemes(lines.length ? `${heading}\n${lines.join('\n')}` : 'No style matches that.', LIMITS.content),
    );
  } else if (interaction.commandName === 'jobs') {
    const active = await deps.assistant.activeJobs({
      platform: 'discord',
      workspaceId: '',
      channelId: '',
      threadId: '',
      userId: interaction.user.id,
    });
    const lines = active.map((j) => `• ${j.modelId}: ${j.state}${j.position ? ` (position ${j.position})` : ''}`);
    await interaction.editReply(
      lines.length ? `Your generations in progress:\n${lines.join('\n')}` : 'You have no generations in progress.',
    );
  } else {
    await interaction.editReply(helpText('discord'));
  }
}

async function handleRequestCommand(
  interaction: ChatInputCommandInteraction,
  intent: IntentHint,
  deps: DiscordBotDeps,
) {
  await acknowledge(deps, interaction.deferReply());
  await afterAcks(deps);
  try {
    const prompt = interaction.options.getString('prompt') ?? '';
    const extras = [
      interaction.options.getString('aspect') ? `aspect ${interaction.options.getString('aspect')}` : '',
      interaction.options.getString('duration') ? `${interaction.options.getString('duration')} seconds` : '',
    ].filter(Boolean);
    const text = extras.length ? `${prompt} (${extras.join(', ')})` : prompt;
    const attachment = interaction.options.getAttachment('image');
    const image = await rehostAttachment(deps, attachment);

    const notes: string[] = [];
    const conversation = conversationOf(
      interaction.channel,
      interaction.channelId,
      interaction.guildId,
      interaction.user.id,
      interaction.attachmentSizeLimit,
    );
    if (interaction.guildId && !interaction.channel?.isThread()) {
      // The person's words, cleaned and shortened, shown as typed: no mention in them can ping (nor can the
      // client's default allowed_mentions, which pings nobody).
      const starter = await interaction.editReply(
        `<@${interaction.user.id}> asked: ${text ? echoText(text) : 'animate this image'}`,
      );
      const threadId = await openThread(starter, text || 'Animate', deps.logger);
      if (threadId) conversation.threadId = threadId;
      else notes.push(NO_THREAD_NOTE);
    }
    const reply = await deps.assistant.handleMessage({ conversation, text, intent, ...(image ? { image } : {}) });
    if (reply.kind === 'hint') {
      await interaction.editReply({ ...hintPayload(reply.text), embeds: [], components: [] });
      return;
    }
    await interaction.editReply(optionsPayload(reply.set, [...reply.notes, ...notes]));
  } catch (error) {
    const message = reportFailure(deps.logger, error, {
      command: interaction.commandName,
      interactionId: interaction.id,
    });
    await interaction
      .editReply({ content: message, embeds: [], components: [] })
      .catch((err: unknown) => deps.logger.warn({ err }, 'could not answer a command'));
  }
}

export async function handleAutocomplete(interaction: AutocompleteInteraction, deps: DiscordBotDeps): Promise<void> {
  const focused = interaction.options.getFocused();
  const styles = await deps.searchStyles(String(focused));
  await interaction.respond(
    styles.slice(0, 25).map((s) => ({ name: cutGraphemes(s.name, 100), value: cutGraphemes(s.name, 100) })),
  );
}
