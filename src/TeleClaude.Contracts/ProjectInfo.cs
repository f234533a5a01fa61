namespace TeleClaude.Contracts;

/// <summary>A project directory on a computer in which agent sessions run.</summary>
/// <param name="Name">Display name.</param>
/// <param name="Description">What the project is, from configuration.</param>
/// <param name="Path">Absolute path on its computer; the project's identity there.</param>
/// <param name="Computer">The computer the project lives on.</param>
public sealed record ProjectInfo(string Name, string Description, string Path, string Computer);
