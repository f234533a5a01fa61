using System.Xml.Linq;

namespace TeleClaude.Daemon.Service;

/// <summary>
/// The launchd agent (<c>~/Library/LaunchAgents/com.teleclaude.daemon.plist</c>): starts the daemon at login, starts it
/// again when it exits with a failure, and appends its output to <c>~/Library/Logs/teleclaude/teleclaude.log</c>, the place
/// Console.app shows.
/// </summary>
internal static class LaunchdAgent
{
    public static string PathFor(string home) => Path.Combine(home, "Library", "LaunchAgents", ServiceProgram.LaunchdLabel + ".plist");

    public static string LogPathFor(string home) => Path.Combine(home, "Library", "Logs", "teleclaude", "teleclaude.log");

    public static string Render(ServiceProgram program, string logPath)
    {
        ArgumentNullException.ThrowIfNull(program);
        var dict = new XElement("dict",
            Entry("Label", new XElement("string", ServiceProgram.LaunchdLabel)),
            Entry("ProgramArguments", new XElement("array", program.Command.Select(a => new XElement("string", a)))),
            Entry("EnvironmentVariables", new XElement("dict", program.Environment.SelectMany(e => Entry(e.Key, new XElement("string", e.Value))))),
            Entry("RunAtLoad", new XElement("true")),
            // Restart after a failure, not after a clean stop; at most every 10 s.
            Entry("KeepAlive", new XElement("dict", Entry("SuccessfulExit", new XElement("false")))),
            Entry("ThrottleInterval", new XElement("integer", 10)),
            Entry("ProcessType", new XElement("string", "Background")),
            Entry("StandardOutPath", new XElement("string", logPath)),
            Entry("StandardErrorPath", new XElement("string", logPath)));
        var plist = new XDocument(
            new XDeclaration("1.0", "UTF-8", null),
            new XDocumentType("plist", "-//Apple//DTD PLIST 1.0//EN", "http://www.apple.com/DTDs/PropertyList-1.0.dtd", null),
            new XElement("plist", new XAttribute("version", "1.0"), dict));
        using var writer = new Utf8StringWriter();
        plist.Save(writer);
        return writer + Environment.NewLine;
    }

    private static XElement[] Entry(string key, XElement value) => [new XElement("key", key), value];

    private sealed class Utf8StringWriter : StringWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;
    }
}
