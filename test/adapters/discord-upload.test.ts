/**
 * Issue 10, finding 1: in `higgsbot start` every result with a file failed ("TypeError: action is not a
 * function") because the project's undici 7, loaded first, owned the global dispatcher that the undici 6 in
 * @discordjs/rest also sends through. That depends on what a process loaded first, which a spec file sharing a
 * process with others cannot control, so this one runs the composition in a fresh child process.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DiscordAPIError, Routes } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordRest } from '../../src/adapters/discord/discord-publisher.js';
import { type DiscordDouble, startDiscordDouble } from '../doubles/discord/discord-double.js';

const CHILD = fileURLToPath(new URL('./discord-upload-process.ts', import.meta.url));
/** A PNG signature and 4 KiB of a recognisable byte. */
const UPLOAD = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(4096, 7)]);

let double: DiscordDouble;

beforeAll(async () => {
  double = await startDiscordDouble({ members: [{ username: 'alice' }] });
});
afterAll(async () => {
  await double.close();
});

function runChild(env: Record<string, string>): Promise<{ lines: Array<Record<string, unknown>>; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      const lines = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ lines, stderr });
    });
  });
}

describe('Discord uploads in a process that loaded the project undici first', () => {
  it('attaches the result file (publisher) and a file sent by the bot client, byte for byte', async () => {
    const alice = double.guild.members.find((m) => m.username === 'alice')!.id;
    const channelId = double.guild.textChannelId;
    const { lines, stderr } = await runChild({
      DISCORD_API_URL: double.apiUrl,
      DISCORD_TOKEN: double.token,
      CHANNEL_ID: channelId,
      USER_ID: alice,
      UPLOAD_BASE64: UPLOAD.toString('base64'),
    });
    const step = (name: string) => lines.find((l) => l.step === name);
    // The hazard is really there: undici 7's Agent holds the global dispatcher in the child.
    expect(step('undici7-global'), stderr).toEqual({ step: 'undici7-global', value: true });
    expect(step('publisher'), stderr).toEqual({ step: 'publisher', ok: true });
    expect(step('bot'), stderr).toEqual({ step: 'bot', ok: true });

    const messages = double.messages(channelId);
    const result = messages.find((m) => m.content.includes('Soul fox'));
    expect(result?.content).toContain(`<@${alice}> ✅ **Soul fox**`);
    expect(result?.attachments.map((a) => a.filename)).toEqual(['gen-upload-1-0.png']);
    expect(result?.attachments[0]?.data?.equals(UPLOAD)).toBe(true);
    const fromBot = messages.find((m) => m.content === 'bot upload');
    expect(fromBot?.attachments.map((a) => a.filename)).toEqual(['bot-upload.png']);
    expect(fromBot?.attachments[0]?.data?.equals(UPLOAD)).toBe(true);
  }, 40_000);

  it('keeps the REST contract on its own HTTP: API errors, a 429 waited out, a file in a multipart body', async () => {
    const rest = createDiscordRest({ token: double.token, apiUrl: double.apiUrl });
    const route = Routes.channelMessages(double.guild.textChannelId);
    double.failNext(`POST ${route}`, { status: 403, code: 50013 });
    const refused = rest.post(route, { body: { content: 'denied' } });
    await expect(refused).rejects.toBeInstanceOf(DiscordAPIError);
    await expect(refused).rejects.toMatchObject({ status: 403, code: 50013, message: 'Missing Permissions' });
    double.failNext(`POST ${route}`, { status: 429, retryAfterS: 0.05 });
    await rest.post(route, { body: { content: 'eventually' }, files: [{ name: 'a.png', data: UPLOAD }] });
    expect(double.calls.slice(-2).map((c) => c.status)).toEqual([429, 200]);
    const posted = double.messages(double.guild.textChannelId).at(-1)!;
    expect(posted.content).toBe('eventually');
    expect(posted.attachments[0]?.data?.equals(UPLOAD)).toBe(true);
  });
});
