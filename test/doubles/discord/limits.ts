/**
 * Discord's documented request limits (content, embeds, nonce, attachments, threads, autocomplete choices,
 * command registration) as validators returning `Violation`s, turned into 400 / 50035 with a per-field
 * `errors` tree. Non-obvious: embed text counts toward the 6000 total across all embeds of a message, and
 * an empty new message is a separate 50006 check (`isEmptyMessage`) because edits may legitimately be empty.
 */
import type { Violation } from './api-error.js';

export const LIMITS = {
  content: 2000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footerText: 2048,
  authorName: 256,
  embedTotal: 6000,
  actionRows: 5,
  rowComponents: 5,
  v2Components: 40,
  customId: 100,
  buttonLabel: 80,
  linkUrl: 512,
  selectOptions: 25,
  selectText: 100,
  placeholder: 150,
  nonce: 25,
  attachments: 10,
  threadName: 100,
  choices: 25,
  choiceText: 100,
} as const;

const ARCHIVE_DURATIONS = new Set([60, 1440, 4320, 10080]);

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function maxLen(out: Violation[], path: string, value: unknown, max: number, min = 0): void {
  if (value === undefined || value === null) {
    if (min > 0) out.push({ path, code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
    return;
  }
  if (typeof value !== 'string') {
    out.push({ path, code: 'BASE_TYPE_STRING', message: 'Must be a string.' });
    return;
  }
  if (value.length > max || value.length < min) {
    const message = min > 0 ? `Must be between ${min} and ${max} in length.` : `Must be ${max} or fewer in length.`;
    out.push({ path, code: 'BASE_TYPE_BAD_LENGTH', message });
  }
}

export function checkEmbeds(out: Violation[], embeds: unknown): void {
  if (embeds === undefined || embeds === null) return;
  if (!Array.isArray(embeds))
    return void out.push({ path: 'embeds', code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' });
  if (embeds.length > LIMITS.embeds) {
    out.push({ path: 'embeds', code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${LIMITS.embeds} or fewer in length.` });
  }
  let total = 0;
  embeds.forEach((embed, i) => {
    if (!isObj(embed)) return;
    const at = `embeds.${i}`;
    maxLen(out, `${at}.title`, embed.title, LIMITS.embedTitle);
    maxLen(out, `${at}.description`, embed.description, LIMITS.embedDescription);
    total += str(embed.title).length + str(embed.description).length;
    if (isObj(embed.footer)) {
      maxLen(out, `${at}.footer.text`, embed.footer.text, LIMITS.footerText);
      total += str(embed.footer.text).length;
    }
    if (isObj(embed.author)) {
      maxLen(out, `${at}.author.name`, embed.author.name, LIMITS.authorName);
      total += str(embed.author.name).length;
    }
    const fields = Array.isArray(embed.fields) ? embed.fields : [];
    if (fields.length > LIMITS.embedFields) {
      out.push({
        path: `${at}.fields`,
        code: 'BASE_TYPE_MAX_LENGTH',
        message: `Must be ${LIMITS.embedFields} or fewer in length.`,
      });
    }
    fields.forEach((field, j) => {
      if (!isObj(field)) return;
      maxLen(out, `${at}.fields.${j}.name`, field.name, LIMITS.fieldName, 1);
      maxLen(out, `${at}.fields.${j}.value`, field.value, LIMITS.fieldValue, 1);
      total += str(field.name).length + str(field.value).length;
    });
  });
  if (total > LIMITS.embedTotal) {
    out.push({
      path: 'embeds',
      code: 'MAX_EMBED_SIZE_EXCEEDED',
      message: `Embed size exceeds maximum size of ${LIMITS.embedTotal}`,
    });
  }
}

/** Discord refuses a new message with nothing in it (50006); edits are exempt. */
export function isEmptyMessage(body: Obj, fileCount: number): boolean {
  const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;
  return (
    str(body.content) === '' &&
    !nonEmpty(body.embeds) &&
    !nonEmpty(body.components) &&
    !nonEmpty(body.sticker_ids) &&
    !isObj(body.poll) &&
    fileCount === 0
  );
}

export function validateThreadBody(body: Obj): Violation[] {
  const out: Violation[] = [];
  maxLen(out, 'name', body.name, LIMITS.threadName, 1);
  const duration = body.auto_archive_duration;
  if (duration !== undefined && duration !== null && !ARCHIVE_DURATIONS.has(Number(duration))) {
    out.push({
      path: 'auto_archive_duration',
      code: 'BASE_TYPE_CHOICES',
      message: 'Value must be one of {60, 1440, 4320, 10080}.',
    });
  }
  return out;
}

export function validateChoices(data: unknown): Violation[] {
  const out: Violation[] = [];
  const choices = isObj(data) && Array.isArray(data.choices) ? data.choices : [];
  if (choices.length > LIMITS.choices) {
    out.push({
      path: 'data.choices',
      code: 'BASE_TYPE_MAX_LENGTH',
      message: `Must be ${LIMITS.choices} or fewer in length.`,
    });
  }
  choices.forEach((choice, i) => {
    if (!isObj(choice)) return;
    maxLen(out, `data.choices.${i}.name`, choice.name, LIMITS.choiceText, 1);
    if (typeof choice.value === 'string') maxLen(out, `data.choices.${i}.value`, choice.value, LIMITS.choiceText);
  });
  return out;
}

export function validateCommand(body: unknown, at: string): Violation[] {
  const out: Violation[] = [];
  if (!isObj(body))
    return [{ path: at, code: 'MODEL_TYPE_CONVERT', message: 'Only dictionaries may be used in a ModelType' }];
  const type = body.type ?? 1;
  maxLen(out, `${at}.name`, body.name, 32, 1);
  const name = str(body.name);
  if (type === 1 && (!/^[-_'\p{L}\p{N}]{1,32}$/u.test(name) || name !== name.toLowerCase())) {
    out.push({ path: `${at}.name`, code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' });
  }
  if (type === 1) maxLen(out, `${at}.description`, body.description, 100, 1);
  if (Array.isArray(body.options) && body.options.length > 25) {
    out.push({ path: `${at}.options`, code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
  }
  return out;
}
