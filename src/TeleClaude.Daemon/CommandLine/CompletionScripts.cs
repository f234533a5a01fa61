namespace TeleClaude.Daemon.CommandLine;

/// <summary>
/// The shell side of tab completion for a System.CommandLine program (<c>teleclaude</c>, <c>telec</c>; shared as source):
/// each script only hands the line and the cursor to the program's own <c>[suggest:N]</c> directive, as dotnet-suggest's
/// shims do, so what is offered always comes from the program's command model (subcommands, options, their values)
/// and never goes stale. Printed by <c>completions bash|zsh|fish</c>.
/// </summary>
internal static class CompletionScripts
{
    public static readonly string[] Shells = ["bash", "zsh", "fish"];

    /// <summary>The script for <paramref name="shell"/>, or null for a shell not in <see cref="Shells"/>.</summary>
    public static string? For(string shell, string command)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        var function = "_" + command.Replace('-', '_').Replace('.', '_') + "_complete";
        return shell switch
        {
            "bash" => $$"""
                # bash completion for {{command}}: add to ~/.bashrc
                #   source <({{command}} completions bash)
                # {{command}} answers itself, through its [suggest] directive.
                {{function}}()
                {
                    local word="${COMP_WORDS[COMP_CWORD]}"
                    local IFS=$'\n'
                    local candidates
                    candidates=$({{command}} "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)
                    COMPREPLY=($(compgen -W "${candidates}" -- "${word}"))
                }
                complete -o default -F {{function}} {{command}}

                """,
            "zsh" => $$"""
                #compdef {{command}}
                # zsh completion for {{command}}: add to ~/.zshrc, after compinit
                #   source <({{command}} completions zsh)
                # {{command}} answers itself, through its [suggest] directive.
                {{function}}()
                {
                    local -a candidates
                    candidates=("${(@f)$({{command}} "[suggest:${CURSOR}]" "${BUFFER}" 2>/dev/null)}")
                    candidates=(${candidates:#})
                    if (( ${#candidates} )); then
                        compadd -a candidates
                    else
                        _files
                    fi
                }
                compdef {{function}} {{command}}

                """,
            "fish" => $$"""
                # fish completion for {{command}}: save as ~/.config/fish/completions/{{command}}.fish
                #   {{command}} completions fish > ~/.config/fish/completions/{{command}}.fish
                # {{command}} answers itself, through its [suggest] directive.
                function {{function}}
                    set -l line (commandline -cp)
                    {{command}} "[suggest:"(string length -- "$line")"]" "$line" 2>/dev/null
                end
                complete -c {{command}} -f -a '({{function}})'

                """,
            _ => null,
        };
    }
}
