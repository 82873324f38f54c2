/**
 * Slack's Block Kit buttons: an option, Re-roll, Animate and Cancel (action ids of button-ids.ts). A press is
 * tried as the person first; users.info is asked only when they are refused (someone else's buttons), since
 * a workspace admin may press anyone's. Once an option or a Re-roll is queued the adapter is done: the
 * status message is the publisher's, posted and edited from the generation's progress events. A repeated
 * press hears "already queued" (once every few seconds, in a storm: the quiet ones hear nothing).
 * "Older →" and "Forget everything" belong to slack-history.ts, with the action's `respond`. A button whose
 * action id is not ours is acknowledged and ignored, not left to Bolt's 404 after 3 s.
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Actor } from '../../core/assistant.js';
import { type ButtonAction as ButtonId, decodeButton } from '../shared/button-ids.js';
import { ALREADY_QUEUED_TEXT, CANCEL_TEXT } from '../shared/message-text.js';
import type { SlackHandlerDeps } from './slack-context.js';
import type { SlackHistory } from './slack-history.js';
import { threadTs } from './slack-publisher.js';
import { optionsMessage } from './slack-render.js';
import type { Recipient, SlackReplies } from './slack-reply.js';

/** Action ids of our buttons (button-ids.ts); anything else is acknowledged and ignored. */
const OUR_ACTIONS = /^[oraxhf]:/;
const NOT_OURS = /^(?![oraxhf]:)/;
const STALE_BUTTON_TEXT = 'This button is no longer valid. Ask again for fresh options.';

export interface SlackActionKit {
  deps: SlackHandlerDeps;
  replies: SlackReplies;
  history: SlackHistory;
  /** Whether a person is a workspace admin or owner (users.info, cached). */
  isAdmin: (userId: string) => Promise<boolean>;
}

export function registerSlackActions(app: App, { deps, replies, history, isAdmin }: SlackActionKit): void {
  const { assistant } = deps;

  /** One of our buttons, pressed. */
  const press = async (to: Recipient, button: Exclude<ButtonId, { kind: 'history-page' | 'forget' }>) => {
    const asAdminIfRefused = async <T>(
      act: (actor: Actor) => Promise<T>,
      refused = (result: T) => (result as { kind?: string }).kind === 'not-allowed',
    ): Promise<T> => {
      const result = await act({ userId: to.user, isAdmin: false });
      return refused(result) && (await isAdmin(to.user)) ? act({ userId: to.user, isAdmin: true }) : result;
    };
    if (button.kind === 'cancel') {
      const outcome = await asAdminIfRefused(
        (actor) => assistant.cancel(button.generationId, actor),
        (result) => result.outcome === 'not-allowed',
      );
      return replies.whisper(to, CANCEL_TEXT[outcome.outcome]);
    }
    if (button.kind === 'animate') {
      const reply = await asAdminIfRefused((actor) => assistant.animate(button.generationId, actor));
      if (reply.kind === 'options') {
        const { conversation } = reply.set;
        const where = { client: to.client, channel: conversation.channelId, thread: threadTs(conversation) };
        await replies.post(where, optionsMessage(reply.set, reply.notes));
      } else if (reply.kind !== 'queued') {
        await replies.whisper(to, reply.kind === 'hint' ? reply.text : reply.message);
      }
      return;
    }
    const outcome = await asAdminIfRefused((actor) =>
      button.kind === 'option'
        ? assistant.choose(button.key, button.index, actor)
        : assistant.reroll(button.generationId, actor),
    );
    if (outcome.kind !== 'queued') return replies.whisper(to, outcome.message);
    if (outcome.duplicate && !outcome.quiet) await replies.whisper(to, ALREADY_QUEUED_TEXT);
  };

  app.action<BlockAction<ButtonAction>>(OUR_ACTIONS, async ({ ack, body, action, client, respond }) => {
    await ack();
    const to: Recipient = {
      client,
      channel: body.channel?.id ?? body.container?.channel_id ?? '',
      user: body.user.id,
      // An ephemeral message comes without `message`; its container still says where it was.
      thread: body.message?.thread_ts ?? body.message?.ts ?? body.container?.thread_ts,
    };
    await replies.afterAcked(to, { actionId: action.action_id }, async () => {
      const button = decodeButton(action.action_id);
      if (button?.kind === 'history-page' || button?.kind === 'forget') {
        const teamId = body.team?.id ?? body.user.team_id ?? '';
        return history.press({ to, teamId, button, owner: action.value, respond });
      }
      await (button ? press(to, button) : replies.whisper(to, STALE_BUTTON_TEXT));
    });
  });

  // Not one of ours (a link button, an old app's): Slack still wants its acknowledgement within 3 s.
  app.action(NOT_OURS, async ({ ack }) => {
    await ack();
  });
}
