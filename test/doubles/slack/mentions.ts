/**
 * Which people a message would notify in Slack: the special mentions its top-level `text` and its mrkdwn
 * blocks would trigger. Slack parses the top-level `text` as mrkdwn even when blocks are present (it is the
 * notification), and every `mrkdwn` text object in the blocks (section text and fields, context elements).
 * `plain_text` objects (buttons, headers) are never parsed. Rich text blocks notify through their `broadcast`,
 * `user` and `usergroup` elements. Legacy attachments' `pretext`, `text` and field values are mrkdwn too.
 * An escaped `&lt;!channel&gt;` shows as text and notifies no one, which is what an app must send for words
 * that are not its own.
 * Non-obvious: bare `@channel`, `@here`, `@everyone` notify only with `link_names` set on the call; Slack's
 * legacy `<!group>` still notifies the channel, and `<!here|here>` / `<@U123|name>` labels do not disarm a
 * mention.
 */

/** 'channel', 'here', 'everyone', 'user:U…' or 'usergroup:S…'. */
export type SlackMention = 'channel' | 'here' | 'everyone' | `user:${string}` | `usergroup:${string}`;

const ANGLED = /<([!@][^<>]*)>/g;
const BROADCASTS: Record<string, SlackMention> = {
  channel: 'channel',
  group: 'channel',
  here: 'here',
  everyone: 'everyone',
};
const BARE = /(^|[^\w@])@(channel|here|everyone)\b/g;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The mentions a mrkdwn string triggers (`linkNames`: the call set `link_names`). */
export function mentionsInMrkdwn(text: string, linkNames = false): SlackMention[] {
  const out: SlackMention[] = [];
  for (const [, inner = ''] of text.matchAll(ANGLED)) {
    const target = inner.slice(1).split('|')[0] ?? '';
    if (inner.startsWith('@')) {
      if (/^[UW][A-Z0-9]+$/.test(target)) out.push(`user:${target}`);
    } else if (Object.hasOwn(BROADCASTS, target)) {
      out.push(BROADCASTS[target] as SlackMention);
    } else if (/^subteam\^[A-Z0-9]+$/.test(target)) {
      out.push(`usergroup:${target.slice('subteam^'.length)}`);
    }
  }
  if (linkNames) {
    for (const [, , name = ''] of text.matchAll(BARE)) out.push(BROADCASTS[name] as SlackMention);
  }
  return out;
}

function walkBlocks(value: unknown, linkNames: boolean, out: SlackMention[]): void {
  if (Array.isArray(value)) {
    for (const item of value) walkBlocks(item, linkNames, out);
    return;
  }
  if (!isObject(value)) return;
  if (value.type === 'mrkdwn' && typeof value.text === 'string') out.push(...mentionsInMrkdwn(value.text, linkNames));
  if (value.type === 'broadcast' && typeof value.range === 'string' && Object.hasOwn(BROADCASTS, value.range)) {
    out.push(BROADCASTS[value.range] as SlackMention);
  }
  if (value.type === 'user' && typeof value.user_id === 'string') out.push(`user:${value.user_id}`);
  if (value.type === 'usergroup' && typeof value.usergroup_id === 'string') out.push(`usergroup:${value.usergroup_id}`);
  for (const [key, child] of Object.entries(value)) {
    // A text object's own `text` string was handled above; plain_text objects are never parsed.
    if (key !== 'text' || isObject(child)) walkBlocks(child, linkNames, out);
  }
}

/** Every mention a chat.postMessage / chat.update / chat.postEphemeral call would trigger, each once, in order. */
export function messageMentions(args: {
  text?: string | undefined;
  blocks?: unknown;
  attachments?: unknown;
  linkNames?: boolean;
}): SlackMention[] {
  const linkNames = args.linkNames ?? false;
  const out: SlackMention[] = args.text ? mentionsInMrkdwn(args.text, linkNames) : [];
  if (Array.isArray(args.blocks)) walkBlocks(args.blocks, linkNames, out);
  if (Array.isArray(args.attachments)) {
    for (const attachment of args.attachments) {
      if (!isObject(attachment)) continue;
      for (const key of ['pretext', 'text'] as const) {
        const text = attachment[key];
        if (typeof text === 'string') out.push(...mentionsInMrkdwn(text, linkNames));
      }
      const fields = Array.isArray(attachment.fields) ? attachment.fields : [];
      for (const field of fields) {
        if (isObject(field) && typeof field.value === 'string') out.push(...mentionsInMrkdwn(field.value, linkNames));
      }
      if (Array.isArray(attachment.blocks)) walkBlocks(attachment.blocks, linkNames, out);
    }
  }
  return [...new Set(out)];
}
