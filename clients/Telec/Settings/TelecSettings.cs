using System.Text.Json;
using System.Text.Json.Serialization;
using Telec.Attach;

namespace Telec.Settings;

/// <summary>
/// telec's own settings, from <c>$XDG_CONFIG_HOME/teleclaude/telec.json</c> (else <c>~/.config/teleclaude/telec.json</c>,
/// or <c>--config PATH</c>). Every setting has a default, so the file is optional; a bad file stops telec with one line
/// naming the setting (exit 2). Properties have setters, not init: the JSON source generator sets init-only properties
/// through an object initializer that also overwrites the defaults of the ones the file leaves out (dotnet/runtime#84484).
/// </summary>
internal sealed record TelecSettings
{
    /// <summary>The default way to open a remote session's terminal; placeholders as in <see cref="AttachTemplate"/>.</summary>
    public const string DefaultRemoteAttach = "ssh -t {host} tmux -L {socket} attach -t {tmux_session}";

    public AttachSettings Attach { get; set; } = new();

    /// <summary>What telec does when a session starts waiting: off (default), bell, osc9 or osc777.</summary>
    public string Notify { get; set; } = NotifyModes.Off;

    public static string DefaultPath()
    {
        var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        var root = !string.IsNullOrEmpty(config) ? config : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(root, "teleclaude", "telec.json");
    }

    /// <summary>The settings in <paramref name="path"/> (defaults when the file does not exist), or the problem with them.</summary>
    public static (TelecSettings? Settings, string? Problem) Load(string path)
    {
        if (!File.Exists(path))
        {
            return (new TelecSettings(), null);
        }

        TelecSettings? settings;
        try
        {
            settings = JsonSerializer.Deserialize(File.ReadAllText(path), TelecSettingsJson.Default.TelecSettings);
        }
        catch (JsonException ex)
        {
            return (null, $"{path}: not valid telec settings: {ex.Message}");
        }
        catch (IOException ex)
        {
            return (null, $"{path}: cannot be read: {ex.Message}");
        }

        settings ??= new TelecSettings();
        var problem = settings.Validate();
        return problem is null ? (settings, null) : (null, $"{path}: {problem}");
    }

    /// <summary>The first problem, naming the setting; null when all is well.</summary>
    public string? Validate()
    {
        if (!NotifyModes.All.Contains(Notify, StringComparer.Ordinal))
        {
            return $"notify must be one of {string.Join(", ", NotifyModes.All)} (got \"{Notify}\").";
        }

        if (Attach.InTmux is not ("window" or "split"))
        {
            return $"attach.in_tmux must be \"window\" or \"split\" (got \"{Attach.InTmux}\").";
        }

        if (Attach.Remote is { Length: > 0 } remote && AttachTemplate.Problem(remote) is { } remoteProblem)
        {
            return $"attach.remote: {remoteProblem}";
        }

        foreach (var (computer, template) in Attach.Computers)
        {
            if (template is { Length: > 0 } && AttachTemplate.Problem(template) is { } problem)
            {
                return $"attach.computers.{computer}: {problem}";
            }
        }

        return null;
    }
}

/// <summary>How telec opens a session's terminal.</summary>
internal sealed record AttachSettings
{
    /// <summary>Command for remote sessions; empty means none (then only per-computer commands work).</summary>
    public string? Remote { get; set; } = TelecSettings.DefaultRemoteAttach;

    /// <summary>Per-computer commands; an empty string means "no way to attach to this computer".</summary>
    public Dictionary<string, string?> Computers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Inside tmux ($TMUX set): open the terminal in a new "window" (default) or a "split" of the current one.</summary>
    public string InTmux { get; set; } = "window";
}

/// <summary>Values of <see cref="TelecSettings.Notify"/>.</summary>
internal static class NotifyModes
{
    public const string Off = "off";
    public const string Bell = "bell";
    public const string Osc9 = "osc9";
    public const string Osc777 = "osc777";

    public static IReadOnlyList<string> All { get; } = [Off, Bell, Osc9, Osc777];
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(TelecSettings))]
internal sealed partial class TelecSettingsJson : JsonSerializerContext;
