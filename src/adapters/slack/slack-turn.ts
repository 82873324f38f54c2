/**
 * A person's turn in a Slack conversation (a slash command, a mention, a DM, a reply in one of our threads):
 * their image, if they attached one, re-hosted; the assistant's options (or a hint) posted in the
 * conversation's thread. Proposing and posting each wait for the acknowledgements that arrived meanwhile
 * (`steps.next`): re-hosting and proposing take seconds, and a burst of requests is acknowledged first.
 */
import type { IntentHint } from '../../core/assistant-types.js';
import { conversationOf, type SlackHandlerDeps } from './slack-context.js';
import { noteText, optionsMessage } from './slack-render.js';
import type { AckedSteps, Recipient, SlackReplies } from './slack-reply.js';

/** A file shared with a message, as Slack's events carry it. */
export interface SlackFile {
  url_private_download?: string;
  url_private?: string;
  mimetype?: string;
  size?: number;
}

export interface SlackTurn {
  to: Recipient;
  teamId: string;
  text: string;
  intent?: IntentHint;
  files?: readonly SlackFile[] | undefined;
}

export type Converse = (turn: SlackTurn, steps: AckedSteps) => Promise<void>;

export function slackConverse(deps: SlackHandlerDeps, replies: SlackReplies): Converse {
  return async ({ to, teamId, text, intent, files = [] }, steps) => {
    const file = files.find((f) => f.mimetype?.startsWith('image/')) ?? files[0];
    const url = file?.url_private_download ?? file?.url_private;
    const image = url
      ? await deps.rehost({
          url,
          contentType: file?.mimetype ?? null,
          sizeBytes: file?.size ?? null,
          allowedHosts: deps.fileHosts,
          headers: { authorization: `Bearer ${deps.botToken}` },
        })
      : undefined;
    const reply = await steps.next(() =>
      deps.assistant.handleMessage({
        conversation: conversationOf(teamId, to.channel, to.user, to.thread),
        text,
        ...(intent ? { intent } : {}),
        ...(image ? { image } : {}),
      }),
    );
    const message = reply.kind === 'hint' ? { text: noteText(reply.text) } : optionsMessage(reply.set, reply.notes);
    await steps.next(() => replies.post(to, message));
  };
}
