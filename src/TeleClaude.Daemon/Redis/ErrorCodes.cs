using TeleClaude.Daemon.Commands;

namespace TeleClaude.Daemon.Redis;

/// <summary>The <c>code</c> of an error envelope: a <see cref="CommandErrorKind"/> on the wire.</summary>
internal static class ErrorCodes
{
    public static string Name(CommandErrorKind kind) => kind switch
    {
        CommandErrorKind.Invalid => "invalid",
        CommandErrorKind.NotFound => "not_found",
        CommandErrorKind.Unsupported => "unsupported",
        CommandErrorKind.Conflict => "conflict",
        _ => "unavailable",
    };

    public static CommandErrorKind Parse(string? code) => code switch
    {
        "invalid" => CommandErrorKind.Invalid,
        "not_found" => CommandErrorKind.NotFound,
        "unsupported" => CommandErrorKind.Unsupported,
        "conflict" => CommandErrorKind.Conflict,
        _ => CommandErrorKind.Unavailable,
    };
}
