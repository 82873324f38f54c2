import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMediaLinks } from '../../src/cli/doctor-checks.js';
import { runCli } from '../../src/cli/run-cli.js';
import { loadConfig } from '../../src/config.js';
import { listModels } from '../../src/higgsfield/models/registry.js';
import { SIMULATOR_CREDENTIALS, type Simulator, startSimulator } from '../../src/higgsfield/simulator/index.js';
import { captureIo } from '../support/capture.js';
import { redisUrl } from '../support/redis.js';
import { ensureBuilt, runBin } from './built-cli.js';

let sim: Simulator;
let mediaDir: string;

beforeAll(async () => {
  sim = await startSimulator();
  mediaDir = await mkdtemp(join(tmpdir(), 'higgsbot-cli-'));
});
afterAll(async () => {
  await sim.close();
  await rm(mediaDir, { recursive: true, force: true });
});

function env(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    REDIS_URL: redisUrl(),
    HIGGSFIELD_BASE_URL: sim.url,
    HF_CREDENTIALS: `${SIMULATOR_CREDENTIALS.keyId}:${SIMULATOR_CREDENTIALS.keySecret}`,
    MEDIA_DIR: mediaDir,
    DATA_DIR: join(mediaDir, '.data'),
    ...overrides,
  };
}

describe('higgsbot models', () => {
  it('lists every model of the registry with its kind and parameters', async () => {
    const io = captureIo();
    expect(await runCli(['models'], io)).toBe(0);
    for (const model of listModels()) expect(io.stdout.text).toContain(model.id);
    expect(io.stdout.text).toContain('text-to-image (3)');
    expect(io.stdout.text).toContain('· duration: one of 4, 6, 8 (default "6")');
    expect(io.stdout.text).toContain('Styles apply only to Soul');
  });

  it('prints JSON for scripts, filtered by kind', async () => {
    const io = captureIo();
    expect(await runCli(['models', '--json', '--kind', 'image-to-video'], io)).toBe(0);
    const models = JSON.parse(io.stdout.text) as Array<{ id: string; kind: string; params: unknown[] }>;
    expect(models.length).toBe(listModels('image-to-video').length);
    expect(models.every((m) => m.kind === 'image-to-video' && m.params.length > 0)).toBe(true);
  });

  describe('as people run it, piped into a reader that leaves early', () => {
    beforeAll(ensureBuilt, 120_000);

    it('`higgsbot models | head -1` prints the first line and ends quietly, exit 0', async () => {
      const run = await runBin(['models'], (soFar) => soFar.includes('\n'));
      expect(run.stdout.split('\n')[0]).toBe('text-to-image (3)');
      expect(run.stderr).toBe('');
      expect(run).toMatchObject({ code: 0, signal: null });
    });

    it('a reader that is gone before the first write: no EPIPE stack, exit 0', async () => {
      for (const args of [['models'], ['models', '--json'], ['help']]) {
        const run = await runBin(args, () => true);
        expect(run.stderr, args.join(' ')).not.toMatch(/EPIPE|Unhandled|at .+:\d+:\d+/);
        expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
      }
    });
  });

  it('answers a bad option with exit code 2 and a message', async () => {
    const io = captureIo();
    expect(await runCli(['models', '--kind', 'audio'], io)).toBe(2);
    expect(io.stderr.text).toContain('--kind must be one of');
    expect(await runCli(['models', '--colour'], captureIo())).toBe(2);
  });
});

describe('higgsbot doctor', () => {
  it('warns when links to results would point at a storage host nobody outside can open (compose’s minio)', () => {
    const config = loadConfig({
      ...env(),
      S3_BUCKET: 'media',
      S3_ENDPOINT: 'http://minio:9000',
      AWS_ACCESS_KEY_ID: 'k',
      AWS_SECRET_ACCESS_KEY: 's',
    });
    expect(checkMediaLinks(config)).toMatchObject({ status: 'warn', detail: expect.stringMatching(/S3_PUBLIC_URL/) });
    const signed = loadConfig({ ...env(), PUBLIC_URL: 'https://bot.example.com', MEDIA_LINK_SECRET: 'x'.repeat(40) });
    expect(checkMediaLinks(signed)).toMatchObject({ status: 'ok', detail: expect.stringContaining('bot.example.com') });
  });

  it('reports Higgsfield reachable and the credentials valid against the simulator', async () => {
    const io = captureIo(env());
    const code = await runCli(['doctor'], io);
    expect(io.stdout.text).toMatch(/✔ Configuration\s+all variables valid/);
    expect(io.stdout.text).toMatch(/✔ Redis\s+reachable/);
    expect(io.stdout.text).toMatch(/✔ Higgsfield API\s+reachable at http:\/\/127\.0\.0\.1/);
    expect(io.stdout.text).toMatch(/✔ Higgsfield credentials\s+valid for key id sim-key/);
    expect(io.stdout.text).toMatch(/✔ Higgsfield models\s+\d+ models listed for this key/);
    expect(io.stdout.text).toMatch(/– Higgsfield webhooks\s+not configured: results are found by polling/);
    expect(io.stdout.text).toMatch(/✔ Media storage\s+local folder .* is writable/);
    expect(io.stdout.text).toMatch(/✔ Links to results\s+Higgsfield’s own URLs/);
    expect(io.stdout.text).toMatch(/– Claude \(Anthropic\)\s+no ANTHROPIC_API_KEY: the offline recommender is used/);
    expect(io.stdout.text).toMatch(/– Discord\s+not configured/);
    expect(io.stdout.text).toContain('All configured services are ready.');
    expect(code).toBe(0);
  });

  it('reports the credentials invalid when the key is wrong, and fails', async () => {
    const io = captureIo(env({ HF_CREDENTIALS: 'sim-key:not-the-secret' }));
    expect(await runCli(['doctor'], io)).toBe(1);
    expect(io.stdout.text).toMatch(/✔ Higgsfield API\s+reachable/);
    expect(io.stdout.text).toMatch(/✖ Higgsfield credentials\s+invalid: Higgsfield rejected key id sim-key \(401\)/);
    expect(io.stdout.text).not.toContain('not-the-secret');
  });

  it('calls valid credentials valid when GET /models answers 404: the listing is extra information', async () => {
    sim.injectFault({ method: 'GET', pathPrefix: '/models', status: 404, body: { detail: 'Not Found' } });
    const io = captureIo(env());
    const code = await runCli(['doctor'], io);
    expect(io.stdout.text).toMatch(/✔ Higgsfield credentials\s+valid for key id sim-key/);
    expect(io.stdout.text).toMatch(/– Higgsfield models\s+no listing here \(GET \/models answered 404\)/);
    expect(io.stdout.text).toContain('All configured services are ready.');
    expect(code).toBe(0);
  });

  it('judges the key on documented endpoints: the Soul style list, else a status read (404 = the key works)', async () => {
    const calls = () =>
      sim.stats().calls.map((c) => `${c.method} ${c.path.replace(/[0-9a-f-]{36}/, '<id>')} ${c.status}`);
    const before = calls().length;
    const moved = {
      method: 'GET',
      pathPrefix: '/v1/text2image/soul-styles',
      status: 404,
      body: { detail: 'Not Found' },
    };
    sim.injectFault(moved);
    sim.injectFault({ method: 'GET', pathPrefix: '/models', status: 404, body: { detail: 'Not Found' } });
    const io = captureIo(env());
    expect(await runCli(['doctor'], io)).toBe(0);
    expect(io.stdout.text).toMatch(/✔ Higgsfield credentials\s+valid for key id sim-key/);
    expect(calls().slice(before)).toEqual([
      'GET /v1/text2image/soul-styles/v2 404',
      'GET /requests/<id>/status 404',
      'GET /models 404',
    ]);

    sim.injectFault(moved);
    const wrong = captureIo(env({ HF_CREDENTIALS: 'sim-key:not-the-secret' }));
    expect(await runCli(['doctor'], wrong)).toBe(1);
    expect(wrong.stdout.text).toMatch(/✖ Higgsfield credentials\s+invalid: Higgsfield rejected key id sim-key \(401\)/);
    expect(wrong.stdout.text).toMatch(/– Higgsfield models\s+not listed \(the credentials are not usable\)/);
  });

  it('reports an unreachable Higgsfield and Redis', async () => {
    const io = captureIo(env({ HIGGSFIELD_BASE_URL: 'http://127.0.0.1:9', REDIS_URL: 'redis://127.0.0.1:9' }));
    expect(await runCli(['doctor', '--json'], io)).toBe(1);
    const report = JSON.parse(io.stdout.text) as { ok: boolean; checks: Array<{ name: string; status: string }> };
    const status = (name: string) => report.checks.find((c) => c.name === name)?.status;
    expect(report.ok).toBe(false);
    expect(status('Redis')).toBe('fail');
    expect(status('Higgsfield API')).toBe('fail');
  });

  it('lists every configuration problem at once instead of checking services', async () => {
    const io = captureIo({ HF_API_KEY: 'only-the-id', REDIS_URL: 'localhost:6379' });
    expect(await runCli(['doctor'], io)).toBe(1);
    expect(io.stdout.text).toContain('✖ Configuration  HF_API_SECRET: missing');
    expect(io.stdout.text).toContain('✖ Configuration  REDIS_URL: is not a redis:// URL');
    expect(io.stdout.text).not.toContain('Redis ');
  });
});

describe('higgsbot refusals and help', () => {
  it('chat without --simulate needs Higgsfield credentials, and names them', async () => {
    const io = captureIo({ REDIS_URL: redisUrl() });
    expect(await runCli(['chat'], io)).toBe(1);
    expect(io.stderr.text).toContain('HF_API_KEY: missing');
  });

  it('start refuses to run without Higgsfield credentials, naming them', async () => {
    const io = captureIo({ REDIS_URL: redisUrl() });
    expect(await runCli(['start', '--role', 'worker'], io)).toBe(1);
    expect(io.stderr.text).toContain('HF_API_KEY: missing');
    expect(await runCli(['start', '--role', 'boss'], captureIo())).toBe(2);
  });

  it('shows help, and refuses an unknown command with exit code 2', async () => {
    const help = captureIo();
    expect(await runCli(['help'], help)).toBe(0);
    expect(help.stdout.text).toContain('doctor');
    const unknown = captureIo();
    expect(await runCli(['imagine'], unknown)).toBe(2);
    expect(unknown.stderr.text).toContain('Unknown command "imagine"');
  });
});
