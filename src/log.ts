/**
 * The pino root logger. Secrets are redacted by key name at every depth we log (config objects,
 * request headers, error details), so a careless `log.info({ config })` cannot leak a token.
 * JSON lines by default (for log collectors: `start`); the `line` format turns each entry into one readable
 * line for a person at a terminal (`chat`), after pino has redacted it, so both formats hide the same secrets.
 */
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Key names whose values never reach a log line. */
const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'apiKey',
  'apiSecret',
  'keySecret',
  'secret',
  'token',
  'password',
  'botToken',
  'appToken',
  'signingSecret',
  'webhookSecret',
  'secretAccessKey',
  'credentials',
  'cookie',
  'x-api-key',
  'HF_API_SECRET',
  'HF_CREDENTIALS',
  'ANTHROPIC_API_KEY',
  'DISCORD_TOKEN',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'HIGGSFIELD_WEBHOOK_SECRET',
  'AWS_SECRET_ACCESS_KEY',
] as const;

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of SECRET_KEYS) {
    const safe = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    const join = (prefix: string) => (safe.startsWith('[') ? `${prefix}${safe}` : `${prefix}.${safe}`);
    paths.push(safe.startsWith('[') ? safe.slice(2, -2) : safe, join('*'), join('*.*'), join('*.*.*'));
  }
  return paths;
}

export interface CreateLoggerOptions {
  level: LogLevel;
  name?: string;
  destination?: DestinationStream;
  /** 'json' (default): pino's JSON lines. 'line': `12:04:31 warn  message · key=value …`, one line per entry. */
  format?: 'json' | 'line';
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const pinoOptions: LoggerOptions = {
    level: options.level,
    name: options.name ?? 'higgsbot',
    redact: { paths: redactPaths(), censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
    base: { pid: process.pid },
  };
  if (options.format === 'line') return pino(pinoOptions, readableLines(options.destination ?? process.stderr));
  return options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions);
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
/** Fields every entry carries that a person at a terminal does not need. */
const QUIET_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'err']);
const MAX_VALUE_CHARS = 200;

/** A destination that writes each pino JSON entry to `target` as one readable line. */
export function readableLines(target: DestinationStream): DestinationStream {
  return { write: (entry: string) => void target.write(`${formatLogLine(entry)}\n`) };
}

/** One pino JSON entry as `HH:MM:SS level  message · key=value …`, never more than one line. */
export function formatLogLine(entry: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(entry) as Record<string, unknown>;
  } catch {
    return oneLine(entry.trim());
  }
  const time = typeof record.time === 'number' ? new Date(record.time).toTimeString().slice(0, 8) : '';
  const level = LEVEL_NAMES[Number(record.level)] ?? String(record.level);
  const parts = [`${time} ${level.padEnd(5)} ${oneLine(String(record.msg ?? ''))}`.trim()];
  const err = record.err as { message?: unknown; code?: unknown; type?: unknown } | undefined;
  if (err && typeof err === 'object') {
    const code = typeof err.code === 'string' ? ` [${err.code}]` : '';
    parts.push(`${String(err.type ?? 'Error')}: ${oneLine(String(err.message ?? ''))}${code}`);
  }
  const fields = Object.entries(record)
    .filter(([key, value]) => !QUIET_FIELDS.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${showValue(value)}`);
  if (fields.length > 0) parts.push(fields.join(' '));
  return parts.join(' · ');
}

function showValue(value: unknown): string {
  const text = typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  const flat = oneLine(text ?? String(value));
  return flat.length > MAX_VALUE_CHARS ? `${flat.slice(0, MAX_VALUE_CHARS - 1)}…` : flat;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

/** A logger that writes nothing: for tests and for CLI commands that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
