import type { Command, Option } from 'commander';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** The options that say which broker to ask and how to sign: passed on to `__complete targets`. */
const BROKER_FLAGS = ['--url', '--profile', '--broker-region'];

interface Described {
  readonly name: string;
  readonly description: string;
}

interface CommandSpec extends Described {
  readonly options: readonly (Described & { readonly takesValue: boolean })[];
  /** The words its first argument may be, when they are fixed (completion's shells, help's commands). */
  readonly choices: readonly string[];
}

/** What the scripts complete, read from the CLI's own commands so that they cannot drift from it. */
function specOf(program: Command): CommandSpec[] {
  const help = program.createHelp();
  const visible = help.visibleCommands(program);
  return visible.map((command) => ({
    name: command.name(),
    description: command.description(),
    options: help.visibleOptions(command).flatMap((option: Option) =>
      [option.long, option.short].filter((flag): flag is string => flag !== undefined).map((flag) => ({ name: flag, description: option.description, takesValue: option.required || option.optional })),
    ),
    choices: command.name() === 'help' ? visible.map((c) => c.name()).filter((name) => name !== 'help') : (command.registeredArguments[0]?.argChoices ?? []),
  }));
}

const valueFlags = (spec: readonly CommandSpec[]): string[] => [...new Set(spec.flatMap((c) => c.options.filter((o) => o.takesValue).map((o) => o.name)))];

function bash(spec: readonly CommandSpec[]): string {
  const cases = spec
    .map((c) => `    ${c.name}) flags=${JSON.stringify(c.options.map((o) => o.name).join(' '))}; choices=${JSON.stringify(c.choices.join(' '))} ;;`)
    .join('\n');
  return `# console-broker completion for bash: source <(console-broker completion bash)
_console_broker() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} cmd=\${COMP_WORDS[1]}
  local flags="" choices="" word i positionals=0
  local -a broker=()
  COMPREPLY=()
  if (( COMP_CWORD == 1 )); then
    COMPREPLY=($(compgen -W ${JSON.stringify(spec.map((c) => c.name).join(' '))} -- "$cur"))
    return
  fi
  case $prev in
    ${valueFlags(spec).join('|')}) return ;;
  esac
  case $cmd in
${cases}
    *) return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    return
  fi
  for (( i = 2; i < COMP_CWORD; i++ )); do
    word=\${COMP_WORDS[i]}
    case $word in
      ${BROKER_FLAGS.join('|')}) broker+=("$word" "\${COMP_WORDS[i+1]}"); (( ++i )) ;;
      ${valueFlags(spec).join('|')}) (( ++i )) ;;
      -*) ;;
      *) (( ++positionals )) ;;
    esac
  done
  (( positionals == 0 )) || return
  if [[ -n $choices ]]; then
    COMPREPLY=($(compgen -W "$choices" -- "$cur"))
  elif [[ $cmd == login ]]; then
    COMPREPLY=($(compgen -W "$("\${COMP_WORDS[0]}" __complete targets "\${broker[@]}" 2>/dev/null)" -- "$cur"))
  fi
}
complete -F _console_broker console-broker
`;
}

/** Quoted for zsh's _arguments: inside single quotes, with the brackets and colons it reads escaped. */
function zshDescription(text: string): string {
  return text.replace(/'/g, "'\\''").replace(/([[\]:])/g, '\\$1');
}

function zsh(spec: readonly CommandSpec[]): string {
  const commands = spec.map((c) => `    '${c.name}:${zshDescription(c.description)}'`).join('\n');
  const cases = spec
    .map((c) => {
      const options = c.options.map((o) => `'${o.name}[${zshDescription(o.description)}]${o.takesValue ? `:${o.name.replace(/^-+/, '')}: ` : ''}'`);
      const first = c.choices.length > 0 ? `'1:${c.name === 'help' ? 'command' : 'shell'}:(${c.choices.join(' ')})'` : c.name === 'login' ? "'1:target:_console_broker_targets'" : '';
      return `        ${c.name}) _arguments ${[...options, first].filter((part) => part !== '').join(' ')} ;;`;
    })
    .join('\n');
  return `#compdef console-broker
# console-broker completion for zsh: console-broker completion zsh > "\${fpath[1]}/_console-broker"
_console_broker_targets() {
  local -a broker names
  local i
  for (( i = 2; i < CURRENT; i++ )); do
    case \${words[i]} in
      ${BROKER_FLAGS.join('|')}) broker+=("\${words[i]}" "\${words[i+1]}") ;;
    esac
  done
  names=(\${(f)"$("$console_broker_program" __complete targets "\${broker[@]}" 2>/dev/null)"})
  compadd -a names
}

_console_broker() {
  local console_broker_program=\${words[1]} state line
  local -a commands=(
${commands}
  )
  _arguments -C '(- *)'{-h,--help}'[help for a command]' '(- *)'{-v,--version}'[the version of this CLI]' '1: :->command' '*:: :->args'
  case $state in
    command) _describe 'command' commands ;;
    args)
      case \${words[1]} in
${cases}
      esac ;;
  esac
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _console_broker "$@"
else
  compdef _console_broker console-broker
fi
`;
}

/** Quoted for fish: inside single quotes, where only the backslash and the quote need one. */
function fishQuote(text: string): string {
  return `'${text.replace(/[\\']/g, '\\$&')}'`;
}

function fish(spec: readonly CommandSpec[]): string {
  const lines = spec.flatMap((c) => [
    `complete -c console-broker -n __fish_use_subcommand -a ${c.name} -d ${fishQuote(c.description)}`,
    ...c.options.map((o) => {
      const flag = o.name.startsWith('--') ? `-l ${o.name.slice(2)}` : `-s ${o.name.slice(1)}`;
      return `complete -c console-broker -n '__fish_seen_subcommand_from ${c.name}' ${flag}${o.takesValue ? ' -r' : ''} -d ${fishQuote(o.description)}`;
    }),
    ...(c.choices.length > 0 ? [`complete -c console-broker -n '__fish_seen_subcommand_from ${c.name}' -a ${fishQuote(c.choices.join(' '))}`] : []),
  ]);
  return `# console-broker completion for fish: console-broker completion fish > ~/.config/fish/completions/console-broker.fish
function __console_broker_targets
    set -l tokens (commandline -opc)
    set -l broker
    for i in (seq 2 (count $tokens))
        switch $tokens[$i]
            case ${BROKER_FLAGS.join(' ')}
                set -a broker $tokens[$i] $tokens[(math $i + 1)]
        end
    end
    $tokens[1] __complete targets $broker 2>/dev/null
end

complete -c console-broker -f
complete -c console-broker -n __fish_use_subcommand -s h -l help -d 'help for a command'
complete -c console-broker -n __fish_use_subcommand -s v -l version -d 'the version of this CLI'
${lines.join('\n')}
complete -c console-broker -n '__fish_seen_subcommand_from login' -a '(__console_broker_targets)' -d target
`;
}

/** A completion script for `shell` that completes `program`'s commands, their options, and login's target names. */
export function completionScript(shell: Shell, program: Command): string {
  const spec = specOf(program);
  switch (shell) {
    case 'bash':
      return bash(spec);
    case 'zsh':
      return zsh(spec);
    case 'fish':
      return fish(spec);
  }
}
