/**
 * Limits of a message body as a whole: content, embeds (via limits.ts), nonce, attachment count and the
 * component rules of developers/components/reference.mdx (custom_id 1–100 chars and unique per message,
 * link vs custom_id buttons, select options, labels). Non-obvious: legacy messages get the 5 action rows × 5
 * buttons rules, while IS_COMPONENTS_V2 messages (flag 1 << 15) get the 40-components total instead.
 */
import type { Violation } from './api-error.js';
import { checkEmbeds, isObj, LIMITS, maxLen, type Obj, str } from './limits.js';

const IS_COMPONENTS_V2 = 1 << 15;
const SELECT_TYPES = new Set([3, 5, 6, 7, 8]);

function checkComponent(
  out: Violation[],
  c: unknown,
  at: string,
  ctx: { v2: boolean; ids: Set<string>; count: number },
): void {
  if (!isObj(c))
    return void out.push({
      path: at,
      code: 'MODEL_TYPE_CONVERT',
      message: 'Only dictionaries may be used in a ModelType',
    });
  ctx.count++;
  if (c.custom_id !== undefined) {
    maxLen(out, `${at}.custom_id`, c.custom_id, LIMITS.customId, 1);
    const id = str(c.custom_id);
    if (ctx.ids.has(id)) {
      out.push({
        path: `${at}.custom_id`,
        code: 'COMPONENT_CUSTOM_ID_DUPLICATED',
        message: 'Component custom id cannot be duplicated',
      });
    }
    ctx.ids.add(id);
  }
  const children = Array.isArray(c.components) ? c.components : [];
  if (c.type === 1) {
    if (children.length < 1 || children.length > LIMITS.rowComponents) {
      out.push({
        path: `${at}.components`,
        code: 'BASE_TYPE_BAD_LENGTH',
        message: `Must be between 1 and ${LIMITS.rowComponents} in length.`,
      });
    }
    const hasSelect = children.some((x) => isObj(x) && SELECT_TYPES.has(Number(x.type)));
    if (hasSelect && children.length > 1) {
      out.push({
        path: `${at}.components`,
        code: 'COMPONENT_LAYOUT_WIDTH_EXCEEDED',
        message: 'The specified component exceeds the maximum width',
      });
    }
  } else if (c.type === 2) {
    maxLen(out, `${at}.label`, c.label, LIMITS.buttonLabel);
    if (c.style === 5) {
      maxLen(out, `${at}.url`, c.url, LIMITS.linkUrl, 1);
      if (c.custom_id !== undefined)
        out.push({
          path: `${at}.custom_id`,
          code: 'BUTTON_COMPONENT_CUSTOM_ID_FORBIDDEN',
          message: 'A link button cannot have a custom id',
        });
    } else if (c.style !== 6 && c.custom_id === undefined) {
      out.push({ path: `${at}.custom_id`, code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
    }
  } else if (SELECT_TYPES.has(Number(c.type))) {
    if (c.custom_id === undefined)
      out.push({ path: `${at}.custom_id`, code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
    maxLen(out, `${at}.placeholder`, c.placeholder, LIMITS.placeholder);
    if (c.type === 3) {
      const options = Array.isArray(c.options) ? c.options : [];
      if (options.length < 1 || options.length > LIMITS.selectOptions) {
        out.push({
          path: `${at}.options`,
          code: 'BASE_TYPE_BAD_LENGTH',
          message: `Must be between 1 and ${LIMITS.selectOptions} in length.`,
        });
      }
      options.forEach((o, k) => {
        if (!isObj(o)) return;
        maxLen(out, `${at}.options.${k}.label`, o.label, LIMITS.selectText, 1);
        maxLen(out, `${at}.options.${k}.value`, o.value, LIMITS.selectText, 1);
        maxLen(out, `${at}.options.${k}.description`, o.description, LIMITS.selectText);
      });
    }
  } else if (!ctx.v2) {
    out.push({
      path: `${at}.type`,
      code: 'COMPONENT_TYPE_INVALID',
      message: `Component type ${String(c.type)} requires the IS_COMPONENTS_V2 flag`,
    });
  }
  children.forEach((child, k) => {
    checkComponent(out, child, `${at}.components.${k}`, ctx);
  });
  if (isObj(c.accessory)) checkComponent(out, c.accessory, `${at}.accessory`, ctx);
}

export function checkComponents(out: Violation[], components: unknown, flags: number): void {
  if (components === undefined || components === null) return;
  if (!Array.isArray(components))
    return void out.push({ path: 'components', code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' });
  const ctx = { v2: (flags & IS_COMPONENTS_V2) !== 0, ids: new Set<string>(), count: 0 };
  if (!ctx.v2 && components.length > LIMITS.actionRows) {
    out.push({
      path: 'components',
      code: 'BASE_TYPE_BAD_LENGTH',
      message: `Must be between 0 and ${LIMITS.actionRows} in length.`,
    });
  }
  components.forEach((c, i) => {
    const at = `components.${i}`;
    if (!ctx.v2 && isObj(c) && c.type !== 1) {
      out.push({
        path: `${at}.type`,
        code: 'UNION_TYPE_CHOICES',
        message: 'Value of field "type" must be one of (1,).',
      });
    }
    checkComponent(out, c, at, ctx);
  });
  if (ctx.v2 && ctx.count > LIMITS.v2Components) {
    out.push({
      path: 'components',
      code: 'BASE_TYPE_MAX_LENGTH',
      message: `Must be ${LIMITS.v2Components} or fewer in total.`,
    });
  }
}

/** Validates a create/edit message body (channel message, interaction reply, followup, @original edit). */
export function validateMessageBody(body: Obj, fileCount: number): Violation[] {
  const out: Violation[] = [];
  const flags = typeof body.flags === 'number' ? body.flags : 0;
  maxLen(out, 'content', body.content, LIMITS.content);
  checkEmbeds(out, body.embeds);
  checkComponents(out, body.components, flags);
  if (flags & IS_COMPONENTS_V2) {
    const hasEmbeds = Array.isArray(body.embeds) && body.embeds.length > 0;
    if (str(body.content) !== '' || hasEmbeds) {
      out.push({
        path: 'content',
        code: 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2',
        message: 'The content and embeds fields cannot be used when using components v2',
      });
    }
  }
  if (body.nonce !== undefined && body.nonce !== null) {
    if (typeof body.nonce === 'string') maxLen(out, 'nonce', body.nonce, LIMITS.nonce);
    else if (!Number.isInteger(body.nonce))
      out.push({ path: 'nonce', code: 'NUMBER_TYPE_COERCE', message: 'Value is not int.' });
  }
  const kept = Array.isArray(body.attachments) ? body.attachments.length : 0;
  if (Math.max(kept, fileCount) > LIMITS.attachments) {
    out.push({
      path: 'attachments',
      code: 'BASE_TYPE_MAX_LENGTH',
      message: `Must be ${LIMITS.attachments} or fewer in length.`,
    });
  }
  return out;
}
