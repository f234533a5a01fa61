namespace TeleClaude.Daemon.Commands;

/// <summary>Why a command did not do what was asked; every adapter turns it into its own error shape.</summary>
internal enum CommandErrorKind
{
    /// <summary>The input is wrong; <see cref="CommandError.Fields"/> says which fields and why.</summary>
    Invalid,

    /// <summary>The addressed thing does not exist.</summary>
    NotFound,

    /// <summary>The request is valid but this daemon cannot do it (yet).</summary>
    Unsupported,

    /// <summary>Something this daemon depends on failed (tmux, a remote computer, Redis).</summary>
    Unavailable,

    /// <summary>The request clashes with what exists or with its state (a duplicate, something only configuration may change, answering a session that is not waiting).</summary>
    Conflict,
}

internal sealed record CommandError(CommandErrorKind Kind, string Message, IReadOnlyDictionary<string, string[]>? Fields = null)
{
    public static CommandError Invalid(string field, string message) =>
        new(CommandErrorKind.Invalid, message, new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>A command's value or its error.</summary>
internal readonly record struct CommandResult<T>(T? Value, CommandError? Error)
{
    public static implicit operator CommandResult<T>(T value) => new(value, null);

    public static implicit operator CommandResult<T>(CommandError error) => new(default, error);
}
