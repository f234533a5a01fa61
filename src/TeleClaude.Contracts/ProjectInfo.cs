namespace TeleClaude.Contracts;

/// <summary>A project directory on a computer in which agent sessions run.</summary>
/// <param name="Name">Display name.</param>
/// <param name="Description">What the project is, from configuration.</param>
/// <param name="Path">Absolute path on its computer; the project's identity there.</param>
/// <param name="Computer">The computer the project lives on.</param>
/// <param name="Source">Where the project comes from: configuration, or added through <c>POST /projects</c> (only those can be removed).</param>
public sealed record ProjectInfo(string Name, string Description, string Path, string Computer, ProjectSource Source = ProjectSource.Configured);

/// <summary>Where a project comes from.</summary>
/// <remarks>Serialized as snake_case strings in JSON; new values are only ever appended.</remarks>
public enum ProjectSource
{
    /// <summary>Configured in the daemon's settings (<c>TeleClaude:Projects</c>); changed only there.</summary>
    Configured,

    /// <summary>Added at run time through <c>POST /projects</c> and kept in the daemon's database; removable with <c>DELETE /projects</c>.</summary>
    Added,
}
