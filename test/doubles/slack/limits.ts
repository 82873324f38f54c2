/**
 * Slack message limits the Web API double enforces (Block Kit counts and lengths, message text length).
 * Non-obvious: violations are reported the way Slack does, as `[ERROR] … [json-pointer:/blocks/i/…]` strings for
 * `response_metadata.messages`, and every violation is collected (not just the first) so a test sees them all.
 */

export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  elementsPerActionsBlock: 25,
  actionIdMaxChars: 255,
  blockIdMaxChars: 255,
  buttonTextMaxChars: 75,
  buttonValueMaxChars: 2000,
  buttonUrlMaxChars: 3000,
  sectionTextMaxChars: 3000,
  sectionFieldsMax: 10,
  sectionFieldTextMaxChars: 2000,
  headerTextMaxChars: 150,
  messageTextMaxChars: 40_000,
} as const;

export interface BlockViolation {
  /** JSON pointer into the request, e.g. `/blocks/0/elements/1/action_id`. */
  pointer: string;
  message: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return isObject(value) && typeof value.text === 'string' ? value.text : undefined;
}

function checkLength(out: BlockViolation[], pointer: string, value: string | undefined, max: number): void {
  if (value !== undefined && value.length > max) {
    out.push({ pointer, message: `must be less than ${max + 1} characters` });
  }
}

function checkElement(out: BlockViolation[], element: unknown, pointer: string): void {
  if (!isObject(element)) {
    out.push({ pointer, message: 'must be an object' });
    return;
  }
  if (typeof element.type !== 'string') out.push({ pointer: `${pointer}/type`, message: 'is required' });
  const actionId = typeof element.action_id === 'string' ? element.action_id : undefined;
  checkLength(out, `${pointer}/action_id`, actionId, SLACK_LIMITS.actionIdMaxChars);
  if (element.type === 'button') {
    const text = textOf(element.text);
    if (text === undefined) out.push({ pointer: `${pointer}/text`, message: 'is required' });
    checkLength(out, `${pointer}/text/text`, text, SLACK_LIMITS.buttonTextMaxChars);
    const value = typeof element.value === 'string' ? element.value : undefined;
    checkLength(out, `${pointer}/value`, value, SLACK_LIMITS.buttonValueMaxChars);
    const url = typeof element.url === 'string' ? element.url : undefined;
    checkLength(out, `${pointer}/url`, url, SLACK_LIMITS.buttonUrlMaxChars);
  }
}

function checkBlock(out: BlockViolation[], block: unknown, pointer: string): void {
  if (!isObject(block)) {
    out.push({ pointer, message: 'must be an object' });
    return;
  }
  if (typeof block.type !== 'string') out.push({ pointer: `${pointer}/type`, message: 'is required' });
  const blockId = typeof block.block_id === 'string' ? block.block_id : undefined;
  checkLength(out, `${pointer}/block_id`, blockId, SLACK_LIMITS.blockIdMaxChars);
  switch (block.type) {
    case 'actions': {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      if (elements.length === 0) out.push({ pointer: `${pointer}/elements`, message: 'must provide at least 1 item' });
      if (elements.length > SLACK_LIMITS.elementsPerActionsBlock) {
        out.push({
          pointer: `${pointer}/elements`,
          message: `must provide no more than ${SLACK_LIMITS.elementsPerActionsBlock} items`,
        });
      }
      elements.forEach((element, i) => {
        checkElement(out, element, `${pointer}/elements/${i}`);
      });
      break;
    }
    case 'section': {
      checkLength(out, `${pointer}/text/text`, textOf(block.text), SLACK_LIMITS.sectionTextMaxChars);
      const fields = Array.isArray(block.fields) ? block.fields : [];
      if (block.text === undefined && fields.length === 0) {
        out.push({ pointer: `${pointer}/text`, message: 'must provide text or fields' });
      }
      if (fields.length > SLACK_LIMITS.sectionFieldsMax) {
        out.push({
          pointer: `${pointer}/fields`,
          message: `must provide no more than ${SLACK_LIMITS.sectionFieldsMax} items`,
        });
      }
      fields.forEach((field, i) => {
        checkLength(out, `${pointer}/fields/${i}/text`, textOf(field), SLACK_LIMITS.sectionFieldTextMaxChars);
      });
      if (block.accessory !== undefined) checkElement(out, block.accessory, `${pointer}/accessory`);
      break;
    }
    case 'header':
      checkLength(out, `${pointer}/text/text`, textOf(block.text), SLACK_LIMITS.headerTextMaxChars);
      break;
    case 'input':
      if (block.element !== undefined) checkElement(out, block.element, `${pointer}/element`);
      break;
    default:
      break;
  }
}

/** Every Block Kit violation in `blocks` (empty when valid). `blocks` must already be parsed from JSON. */
export function findBlockViolations(blocks: unknown): BlockViolation[] {
  const out: BlockViolation[] = [];
  if (!Array.isArray(blocks)) return [{ pointer: '/blocks', message: 'must be an array' }];
  if (blocks.length > SLACK_LIMITS.blocksPerMessage) {
    out.push({ pointer: '/blocks', message: `must provide no more than ${SLACK_LIMITS.blocksPerMessage} items` });
  }
  blocks.forEach((block, i) => {
    checkBlock(out, block, `/blocks/${i}`);
  });
  return out;
}

/** Slack's `response_metadata.messages` wording for one violation. */
export function formatViolation(violation: BlockViolation): string {
  return `[ERROR] ${violation.message} [json-pointer:${violation.pointer}]`;
}

/** `msg_too_long` when the top-level message text is over Slack's 40,000 characters. */
export function textTooLong(text: string | undefined): boolean {
  return text !== undefined && text.length > SLACK_LIMITS.messageTextMaxChars;
}
