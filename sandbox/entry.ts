/**
 * One way into the broker that the sandbox serves, started after the fakes and the broker stack are up;
 * `npm start` prints each one's `howToTry`. A new entry is a module that answers one of these, and a
 * line in startSandbox.
 */
export interface SandboxEntry {
  /** Such as "browser entry". */
  readonly name: string;
  /** Its local function URL. */
  readonly url: string;
  /** What to run or open to try it, with the identity to use. */
  readonly howToTry: string;
  stop(): Promise<void>;
}
