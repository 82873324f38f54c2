/**
 * `/history`, `/show` and `/forget` on Slack, and the two buttons they bring: "Older →" (`h:<key>`) and
 * "Forget everything" (`f:confirm`). The page and the question are ephemeral messages (chat.postEphemeral);
 * a press replaces that ephemeral message through the action's `response_url` (Bolt's `respond`), which is
 * the only way to change one. Each of these buttons carries, as its `value`, the person it was shown to: a
 * press by anyone else is refused before the assistant is asked anything.
 *
 * `/show` posts the result again through the platform's publisher (the same upload and Re-roll / Animate
 * message a finished generation gets) in the channel or DM the command was typed in: Slack's slash commands
 * carry no thread, so it is a new top-level post there, and the private note after it points up at it.
 */
import type { RespondFn, SlashCommand } from '@slack/bolt';
import type { Actor } from '../../core/assistant.js';
import type { ShowOutcome } from '../../core/history-views.js';
import type { ButtonAction } from '../shared/button-ids.js';
import { NOT_YOUR_LIST_TEXT, showPostedText } from '../shared/history-text.js';
import { conversationOf, type SlackHandlerDeps } from './slack-context.js';
import { forgetMessage, historyMessage } from './slack-render.js';
import { INVITE_TEXT, notAMember, type Recipient, type SlackReplies } from './slack-reply.js';

type HistoryButton = Extract<ButtonAction, { kind: 'history-page' | 'forget' }>;

export interface SlackHistoryKit {
  deps: SlackHandlerDeps;
  replies: SlackReplies;
  /** Whether a person is a workspace admin or owner (who may show anyone's result). */
  isAdmin: (userId: string) => Promise<boolean>;
}

/** A press of one of the history buttons, with what Slack sent besides its id. */
export interface HistoryPress {
  to: Recipient;
  teamId: string;
  button: HistoryButton;
  /** The button's `value`: the person the message was shown to. */
  owner: string | undefined;
  respond: RespondFn;
}

export interface SlackHistory {
  history(command: SlashCommand, to: Recipient): Promise<void>;
  show(command: SlashCommand, to: Recipient): Promise<void>;
  forget(command: SlashCommand, to: Recipient): Promise<void>;
  press(press: HistoryPress): Promise<void>;
}

export function slackHistory({ deps, replies, isAdmin }: SlackHistoryKit): SlackHistory {
  const { assistant } = deps;
  /** A person's own history: being an admin changes nothing, so nobody is looked up. */
  const own = (userId: string): Actor => ({ userId, isAdmin: false });

  /** Tried as the person first; users.info is asked only when they are refused (someone else's result). */
  const showAs = async (id: string, to: Recipient, teamId: string): Promise<ShowOutcome> => {
    const conversation = conversationOf(teamId, to.channel, to.user, undefined);
    const outcome = await assistant.show(id, own(to.user), conversation);
    if (outcome.kind !== 'not-allowed' || !(await isAdmin(to.user))) return outcome;
    return assistant.show(id, { userId: to.user, isAdmin: true }, conversation);
  };

  return {
    async history(command, to) {
      const conversation = conversationOf(command.team_id, to.channel, to.user, undefined);
      const view = await assistant.history(own(to.user), conversation, command.text);
      await replies.whisperMessage(to, historyMessage(view, to.user));
    },

    async show(command, to) {
      const outcome = await showAs(command.text.trim(), to, command.team_id);
      if (outcome.kind !== 'result') return replies.whisper(to, outcome.message);
      try {
        await deps.publisher.postResult(outcome.result, `show-${outcome.result.generationId}-${command.trigger_id}`);
      } catch (error) {
        if (notAMember(error)) return replies.whisper(to, INVITE_TEXT);
        throw error;
      }
      // The note comes after the result, so the result is above it.
      await replies.whisper(to, showPostedText('above'));
    },

    async forget(command, to) {
      const conversation = conversationOf(command.team_id, to.channel, to.user, undefined);
      const outcome = await assistant.forget(own(to.user), conversation, false);
      await replies.whisperMessage(to, forgetMessage(outcome, to.user));
    },

    async press({ to, teamId, button, owner, respond }) {
      if (owner !== to.user) return replies.whisper(to, NOT_YOUR_LIST_TEXT);
      if (button.kind === 'forget') {
        const conversation = conversationOf(teamId, to.channel, to.user, undefined);
        const outcome = await assistant.forget(own(to.user), conversation, true);
        await respond({ replace_original: true, ...forgetMessage(outcome, to.user) });
        return;
      }
      const view = await assistant.historyPage(own(to.user), button.key);
      // A page that cannot be shown (expired, history down) leaves the one on screen and says why.
      if (view.kind !== 'page') return replies.whisper(to, view.message);
      await respond({ replace_original: true, ...historyMessage(view, to.user) });
    },
  };
}
