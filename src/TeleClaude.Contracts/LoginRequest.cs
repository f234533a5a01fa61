namespace TeleClaude.Contracts;

/// <summary>Body of <c>POST /login</c>: signs a browser in to the dashboard (answers with its cookie).</summary>
/// <param name="Token">The daemon's bearer token (<c>TeleClaude.Daemon token show</c>).</param>
public sealed record LoginRequest(string Token);
