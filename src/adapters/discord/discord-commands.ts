/**
 * Slash commands, dispatched on the intent of their definition (the adapter's list, discord-command-list.ts):
 * image, video and animate requests are deferred first (Discord allows 3 s; Claude takes longer), then
 * answered with options on the original reply, which also starts the request's thread in a guild channel.
 * `/styles`, `/jobs`, `/help`, `/history`, `/show` and `/forget` answer privately (the last three in
 * discord-history.ts; `/show` also re-posts the result in the conversation), and so does a command we no
 * longer offer (Discord may still show a stale registration). Errors become a sentence, never a trace.
 */
import { type AutocompleteInteraction, type ChatInputCommandInteraction, MessageFlags } from 'discord.js';
import type { CommandIntent } from '../../../commands/command-definition.js';
import type { IntentHint } from '../../core/assistant-types.js';
import { reportFailure } from '../../errors.js';
import { cutGraphemes } from '../shared/echo-text.js';
import { helpText } from '../shared/help-text.js';
import { jobsText } from '../shared/message-text.js';
import { DISCORD_COMMANDS, discordCommand } from './discord-command-list.js';
import {
  acknowledge,
  afterAcks,
  conversationOf,
  type DiscordBotDeps,
  NO_THREAD_NOTE,
  openThread,
  rehostAttachment,
} from './discord-context.js';
import { forgetAnswer, historyAnswer, showAnswer } from './discord-history.js';
import {
  type DiscordPayload,
  echoText,
  escapeMentions,
  hintPayload,
  LIMITS,
  optionsPayload,
} from './discord-render.js';

type CommandHandler = (interaction: ChatInputCommandInteraction, deps: DiscordBotDeps) => Promise<void>;
/** A private reply: its text, or a whole message (a history page with its button). */
type PrivateAnswer = (
  interaction: ChatInputCommandInteraction,
  deps: DiscordBotDeps,
) => Promise<string | DiscordPayload> | string;

const request =
  (intent: IntentHint): CommandHandler =>
  (interaction, deps) =>
    handleRequestCommand(interaction, intent, deps);
const privately =
  (answer: PrivateAnswer): CommandHandler =>
  (interaction, deps) =>
    answerPrivately(interaction, deps, answer);

/** What each intent of a command definition does: every intent has its handler, checked by the compiler. */
const BY_INTENT: Record<CommandIntent, CommandHandler> = {
  image: request('image'),
  video: request('video'),
  animate: request('animate'),
  styles: privately(async (interaction, deps) => {
    const query = interaction.options.getString('query') ?? '';
    const styles = (await deps.searchStyles(query)).slice(0, 15);
    const lines = styles.map((s) => `• **${s.name}**${s.description ? ` — ${s.description}` : ''}`);
    const heading = `Soul styles${query.trim() ? ` for “${echoText(query, 100)}”` : ''}:`;
    return cutGraphemes(lines.length ? `${heading}\n${lines.join('\n')}` : 'No style matches that.', LIMITS.content);
  }),
  jobs: privately(async (interaction, deps) => {
    const active = await deps.assistant.activeJobs({
      platform: 'discord',
      workspaceId: '',
      channelId: '',
      threadId: '',
      userId: interaction.user.id,
    });
    // Labels are the model's words: shown as typed, so no mention in them reads as one.
    return cutGraphemes(
      jobsText(active, (job) => escapeMentions(job.label)),
      LIMITS.content,
    );
  }),
  help: privately(() => helpText(DISCORD_COMMANDS, { code: (s) => `\`${s}\``, bold: (s) => `**${s}**` })),
  history: privately(historyAnswer),
  show: privately(showAnswer),
  forget: privately(forgetAnswer),
};

export async function handleCommand(interaction: ChatInputCommandInteraction, deps: DiscordBotDeps): Promise<void> {
  const command = discordCommand(interaction.commandName);
  const handle = command ? BY_INTENT[command.intent] : privately(() => unknownCommandText(interaction.commandName));
  await handle(interaction, deps);
}

/** The private answer to a command Discord still shows but this bot does not offer (a stale registration). */
export function unknownCommandText(name: string): string {
  return `I do not offer /${cutGraphemes(name, 32)} (any more): \`/help\` lists the commands I answer.`;
}

/** A private answer, on an ephemeral deferred reply: only the person who asked sees it. */
async function answerPrivately(
  interaction: ChatInputCommandInteraction,
  deps: DiscordBotDeps,
  answer: PrivateAnswer,
): Promise<void> {
  await acknowledge(deps, interaction.deferReply({ flags: MessageFlags.Ephemeral }));
  try {
    await interaction.editReply(await answer(interaction, deps));
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
