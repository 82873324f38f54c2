/**
 * The built CLI as a child process, as a person runs it: `node bin/higgsbot.js <args>` in the project folder,
 * with only the environment the spec gives it (never the developer's HF_, ANTHROPIC_, DISCORD_ or SLACK_
 * variables). Its stdout and stderr are kept, for assertions and for the report of a failed spec; every child is
 * remembered so `stopAll` can end what a spec left running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { waitUntil } from './wait.js';

/**
 * The checkout whose built CLI runs: this one, or HIGGSBOT_E2E_ROOT (another built checkout, e.g. an older
 * commit exported to a folder, to see these specs fail or pass against it).
 */
export const PROJECT_ROOT = resolve(process.env.HIGGSBOT_E2E_ROOT ?? resolve(import.meta.dirname, '../../..'));
const BIN = resolve(PROJECT_ROOT, 'bin/higgsbot.js');
/** Variables a child inherits from the test process: enough to find node and a temp folder, nothing else. */
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SYSTEMROOT'];

export interface CliChild {
  name: string;
  pid: number;
  child: ChildProcess;
  startedAtMs: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the exit code (or the signal's name) once the process ended. */
  readonly exited: Promise<number | string>;
  readonly exitCode: number | string | undefined;
  write(text: string): void;
  endInput(): void;
  /** Resolves when `pattern` shows up on stdout or stderr. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it ended. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL, at once: a crash. Resolves once it ended. */
  kill9(): Promise<void>;
}

const running = new Set<CliChild>();
const all: CliChild[] = [];
// If the test process ends without its afterAll (a crash, a kill), no child outlives it.
process.once('exit', () => {
  for (const c of running) c.child.kill('SIGKILL');
});

export function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) out[name] = value;
  }
  return { ...out, ...env };
}

export function spawnCli(name: string, args: string[], env: Record<string, string>): CliChild {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: PROJECT_ROOT,
    env: cleanEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let exitCode: number | string | undefined;
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    changed();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    changed();
  });
  child.stdin?.on('error', () => {}); // a child that died while we wrote
  const exited = new Promise<number | string>((done) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? signal ?? 'unknown';
      running.delete(handle);
      changed();
      done(exitCode);
    });
    child.once('error', (error) => {
      stderr += `\n[spawn error] ${error.message}\n`;
      exitCode = 'spawn-error';
      running.delete(handle);
      done(exitCode);
    });
  });
  const handle: CliChild = {
    name,
    pid: child.pid ?? -1,
    child,
    startedAtMs: Date.now(),
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    get exitCode() {
      return exitCode;
    },
    write: (text) => {
      child.stdin?.write(text);
    },
    endInput: () => {
      child.stdin?.end();
    },
    waitForOutput: (pattern, timeoutMs = 20_000) =>
      new Promise((resolveWait, reject) => {
        const check = () => {
          if (pattern.test(stdout) || pattern.test(stderr)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolveWait();
          } else if (exitCode !== undefined) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`${name} exited (${exitCode}) before printing ${pattern}`));
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms`));
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
    stop: async (graceMs = 8_000) => {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    kill9: async () => {
      if (exitCode !== undefined) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  running.add(handle);
  all.push(handle);
  return handle;
}

/** Ends every child still running (SIGTERM, then SIGKILL), e.g. in afterAll. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((c) => c.stop(5_000)));
}

/** The output of every child started by this file, for the report of a failed spec. */
export function childLogs(): string {
  return all
    .map(
      (c) =>
        `----- ${c.name} (pid ${c.pid}, exit ${c.exitCode ?? 'running'}) stdout -----\n${c.stdout.trimEnd()}\n` +
        `----- ${c.name} stderr -----\n${c.stderr.trimEnd()}`,
    )
    .join('\n');
}

/** GET a path on 127.0.0.1:port; resolves with the status, or 0 when nothing answers. */
export function httpStatus(port: number, path: string, method = 'GET'): Promise<number> {
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false, timeout: 2_000 }, (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(0));
    req.end();
  });
}

/** Waits until the child's `/readyz` answers 200 (fails early if it exits). */
export async function waitReady(child: CliChild, port: number, timeoutMs = 30_000): Promise<void> {
  await waitUntil(
    async () => {
      if (child.exitCode !== undefined) throw new Error(`${child.name} exited (${child.exitCode}) before it was ready`);
      return (await httpStatus(port, '/readyz')) === 200;
    },
    { timeoutMs, what: `${child.name} answers 200 on /readyz`, intervalMs: 100 },
  );
}
