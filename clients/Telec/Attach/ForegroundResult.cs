namespace Telec.Attach;

/// <summary>How a foreground attach ended: its exit code and the last line it wrote to standard error, if any.</summary>
internal sealed record ForegroundResult(int ExitCode, string? LastError)
{
    /// <summary>The footer line once telec is back: back from the session, or how the command failed, in its own words.</summary>
    public string Describe(string name, AttachPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var command = plan.Argv[0];
        return this switch
        {
            { ExitCode: 0 } => $"back from \"{name}\"",
            { LastError: { } why } => $"\"{name}\": {command} ended with status {ExitCode}: {why}",
            { ExitCode: 255 } when !plan.Local => $"\"{name}\": {command} ended with status 255 (is the host reachable?)",
            _ => $"\"{name}\": {command} ended with status {ExitCode}",
        };
    }
}
