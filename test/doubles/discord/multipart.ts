/**
 * A tiny multipart/form-data parser for the bodies @discordjs/rest builds (undici FormData: `files[n]` parts
 * plus a `payload_json` field). It works on the raw Buffer with `indexOf`, never decoding file bytes as text,
 * so binary uploads keep their exact sizes.
 */
import type { UploadedFile } from './types.js';

export interface ParsedMultipart {
  fields: Map<string, string>;
  files: UploadedFile[];
}

export function boundaryOf(contentType: string): string | null {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2] ?? null;
}

function headerParam(header: string, name: string): string | null {
  const match =
    new RegExp(`(?:^|[;\\s])${name}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(header) ??
    new RegExp(`(?:^|[;\\s])${name}=([^;\\s]+)`, 'i').exec(header);
  return match?.[1] === undefined ? null : match[1].replace(/\\(.)/g, '$1');
}

export function parseMultipart(body: Buffer, boundary: string): ParsedMultipart {
  const fields = new Map<string, string>();
  const files: UploadedFile[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let cursor = body.indexOf(delimiter);
  while (cursor >= 0) {
    const partStart = cursor + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const headerEnd = body.indexOf('\r\n\r\n', partStart);
    if (headerEnd < 0) break;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headerEnd + 4);
    if (next < 0) break;
    const headers = body.subarray(partStart, headerEnd).toString('utf8');
    const content = body.subarray(headerEnd + 4, next);
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = headerParam(disposition, 'name') ?? '';
    const filename = headerParam(disposition, 'filename');
    if (filename === null) {
      fields.set(name, content.toString('utf8'));
    } else {
      const contentType = /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim() ?? null;
      files.push({ field: name, filename, contentType, data: Buffer.from(content) });
    }
    cursor = next + 2;
  }
  return { fields, files };
}
