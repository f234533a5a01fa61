namespace TeleClaude.Contracts;

/// <summary>Body of <c>POST /projects</c>: adds a directory of this computer as a project.</summary>
/// <param name="Path">An existing directory, as an absolute path.</param>
/// <param name="Name">Display name (one line, at most 100 characters); the directory name when omitted.</param>
/// <param name="Description">What the project is (at most 500 characters).</param>
public sealed record AddProjectRequest(string Path, string? Name = null, string? Description = null);
