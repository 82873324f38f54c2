/**
 * Slack's slash commands, as data: which ones Slack offers (`SLACK_COMMANDS`, from commands/, which the
 * manifest declares too) and, by each definition's intent, what answering one means: /imagine and /video a
 * turn with that intent hint in a thread the command starts (in a DM, the DM itself), /jobs and /help a
 * private note, /history, /show and /forget what slack-history.ts answers. A definition whose intent Slack
 * has no answer for is refused when the handlers are registered, not left to fail when someone types it.
 */
import type { App, SlashCommand } from '@slack/bolt';
import type { CommandDefinition, CommandIntent } from '../../../commands/command-definition.js';
import { commandsNamed } from '../../../commands/index.js';
import type { IntentHint } from '../../core/assistant-types.js';
import { helpText } from '../shared/help-text.js';
import { jobsText } from '../shared/message-text.js';
import { conversationOf, type SlackHandlerDeps } from './slack-context.js';
import type { SlackHistory } from './slack-history.js';
import { askedText } from './slack-render.js';
import { type AckedSteps, INVITE_TEXT, notAMember, type Recipient, type SlackReplies } from './slack-reply.js';
import type { Converse } from './slack-turn.js';

/** The slash commands Slack offers: the adapter's `commands`, and the manifest's. */
export const SLACK_COMMANDS: readonly CommandDefinition[] = commandsNamed(
  'imagine',
  'video',
  'jobs',
  'history',
  'show',
  'forget',
  'help',
);

const SLACK_HELP = helpText(SLACK_COMMANDS, { code: (s) => `\`${s}\``, bold: (s) => `*${s}*` });

type Answer = (command: SlashCommand, to: Recipient, steps: AckedSteps) => Promise<void>;

export interface SlackCommandKit {
  deps: SlackHandlerDeps;
  replies: SlackReplies;
  converse: Converse;
  history: SlackHistory;
}

function answers({ deps, replies, converse, history }: SlackCommandKit): Partial<Record<CommandIntent, Answer>> {
  /** A request: in a channel, "<@you> asked: …" starts the thread the conversation happens in. */
  const turn =
    (intent: IntentHint): Answer =>
    async (command, to, steps) => {
      const text = command.text.trim();
      if (!to.channel.startsWith('D')) {
        try {
          to.thread = (await replies.post(to, { text: askedText(to.user, text) })).ts;
        } catch (error) {
          if (notAMember(error)) return void (await replies.whisper(to, INVITE_TEXT));
          throw error;
        }
      }
      await converse({ to, teamId: command.team_id, text, intent }, steps);
    };
  return {
    image: turn('image'),
    video: turn('video'),
    jobs: async (command, to) => {
      const conversation = conversationOf(command.team_id, to.channel, to.user, undefined);
      await replies.whisper(to, jobsText(await deps.assistant.activeJobs(conversation)));
    },
    help: (_command, to) => replies.whisper(to, SLACK_HELP),
    history: (command, to) => history.history(command, to),
    show: (command, to) => history.show(command, to),
    forget: (command, to) => history.forget(command, to),
  };
}

export function registerSlackCommands(app: App, kit: SlackCommandKit): void {
  const answerOf = answers(kit);
  for (const definition of SLACK_COMMANDS) {
    const answer = answerOf[definition.intent];
    if (!answer) throw new Error(`Slack has no answer for /${definition.name} (intent ${definition.intent})`);
    app.command(`/${definition.name}`, async ({ ack, command, client }) => {
      await ack();
      const to: Recipient = { client, channel: command.channel_id, user: command.user_id };
      await kit.replies.afterAcked(to, { command: command.command }, (steps) => answer(command, to, steps));
    });
  }
}
