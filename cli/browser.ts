import { spawn, type ChildProcess } from 'node:child_process';
import { basename, delimiter } from 'node:path';

/**
 * How long an opener has to fail before it counts as started. xdg-open, macOS `open` and a BROWSER
 * command that hands the address to a running browser exit within it; a browser it starts keeps running.
 */
export const OPENER_WINDOW_MS = 2_000;

/** Why no browser was opened, in a few words ("xdg-open: not found"); never holds the address. */
export class OpenerFailed extends Error {
  override readonly name = 'OpenerFailed';
}

function spawnFailure(command: string, error: NodeJS.ErrnoException): OpenerFailed {
  return new OpenerFailed(`${basename(command)}: ${error.code === 'ENOENT' ? 'not found' : (error.code ?? error.message)}`);
}

/** Resolves once `child` exits 0 or is still running after `windowMs`; rejects if it cannot start or exits otherwise. */
function started(child: ChildProcess, command: string, windowMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (outcome: OpenerFailed | undefined): void => {
      clearTimeout(timer);
      child.removeAllListeners('error').removeAllListeners('exit');
      child.unref();
      if (outcome) reject(outcome);
      else resolve();
    };
    const exited = (code: number | null, signal: NodeJS.Signals | null): void => {
      done(code === 0 ? undefined : new OpenerFailed(`${basename(command)} exited with ${code === null ? `signal ${String(signal)}` : `status ${String(code)}`}`));
    };
    const timer = setTimeout(() => {
      done(undefined);
    }, windowMs);
    child.once('error', (error: NodeJS.ErrnoException) => {
      done(spawnFailure(command, error));
    });
    child.once('exit', exited);
    if (child.exitCode !== null || child.signalCode !== null) exited(child.exitCode, child.signalCode);
  });
}

/**
 * BROWSER as xdg-open and Python's webbrowser read it: a list of commands separated as PATH is, tried
 * in order; a command holding `%s` gets the address there, any other gets it as its last argument.
 * Words are split on white space, as xdg-open's shell does, but no shell runs them.
 */
export function browserCommands(browser: string, url: string): string[][] {
  return browser
    .split(delimiter)
    .map((entry) => entry.trim().split(/\s+/).filter((word) => word !== ''))
    .filter((words) => words.length > 0)
    .map((words) => (words.some((word) => word.includes('%s')) ? words.map((word) => word.replaceAll('%s', url)) : [...words, url]));
}

async function runBrowserVariable(browser: string, url: string, windowMs: number): Promise<void> {
  const failures: string[] = [];
  for (const [command, ...args] of browserCommands(browser, url)) {
    if (command === undefined) continue;
    // Detached, so that a browser it starts outlives the CLI and ignores the terminal's Ctrl-C.
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    try {
      await started(child, command, windowMs);
      return;
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  throw new OpenerFailed(`BROWSER: ${failures.join('; ') || 'names no command'}`);
}

/** The system's opener (xdg-open, open, or start through PowerShell), as the `open` package picks it. */
async function runSystemOpener(url: string, windowMs: number): Promise<void> {
  const { default: open } = await import('open');
  let child: ChildProcess;
  try {
    child = await open(url);
  } catch (error) {
    const failed = error as NodeJS.ErrnoException & { path?: string };
    throw spawnFailure(failed.path ?? 'the system opener', failed);
  }
  await started(child, child.spawnfile, windowMs);
}

/**
 * Opens `url` in a browser: with the commands BROWSER names, if set, else the system's opener. Rejects
 * with an OpenerFailed when none could start or one failed within `windowMs`; resolving means only
 * that a browser may have started, which the caller checks by whether the address was asked for.
 */
export async function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env, windowMs = OPENER_WINDOW_MS): Promise<void> {
  const browser = env.BROWSER?.trim();
  if (browser) await runBrowserVariable(browser, url, windowMs);
  else await runSystemOpener(url, windowMs);
}
