using System.Xml.Linq;
using TeleClaude.Daemon.Service;

namespace TeleClaude.Daemon.Tests.Install;

/// <summary>The service files' text: quoting for systemd, a well-formed launchd property list.</summary>
[TestFixture]
public sealed class ServiceFilesUnitTests
{
    private static readonly ServiceProgram Program = new(
        ["/home/me/My Tools/teleclaude", "run", "--config", "/home/me/50%/c.json"],
        [new("DOTNET_ROOT", "/opt/dotnet"), new("Logging__LogLevel__Default", "Warning")]);

    [TestCase("plain", "plain")]
    [TestCase("/a b/c", "\"/a b/c\"")]
    [TestCase("100%", "100%%")]
    [TestCase("$HOME", "$$HOME")]
    [TestCase("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [TestCase("", "\"\"")]
    public void Quote_EscapesSpecifiersAndVariables_AndQuotesBlanks(string word, string expected) =>
        Assert.That(SystemdUnit.Quote(word), Is.EqualTo(expected));

    [Test]
    public void SystemdUnit_QuotesThePathWithABlank_AndKeepsTheUnitsSections()
    {
        var unit = SystemdUnit.Render(Program).Split('\n');

        Assert.That(unit, Does.Contain("ExecStart=\"/home/me/My Tools/teleclaude\" run --config /home/me/50%%/c.json")
            .And.Contain("Environment=DOTNET_ROOT=/opt/dotnet").And.Contain("[Unit]").And.Contain("[Service]").And.Contain("[Install]"));
    }

    [Test]
    public void SystemdUnit_PathFor_FollowsXdgConfigHome()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SystemdUnit.PathFor("/x/config", "/home/me"), Is.EqualTo("/x/config/systemd/user/teleclaude.service"));
            Assert.That(SystemdUnit.PathFor(null, "/home/me"), Is.EqualTo("/home/me/.config/systemd/user/teleclaude.service"));
            Assert.That(SystemdUnit.PathFor("relative", "/home/me"), Is.EqualTo("/home/me/.config/systemd/user/teleclaude.service"));
        });
    }

    [Test]
    public void LaunchdAgent_IsAPropertyListThatRunsTheProgram_KeepsItAliveOnFailure_AndLogsToAFile()
    {
        var plist = XDocument.Parse(LaunchdAgent.Render(Program, "/home/me/Library/Logs/teleclaude/teleclaude.log"));
        var dict = plist.Root!.Element("dict")!.Elements().ToList();
        XElement ValueOf(string key) => dict[dict.FindIndex(e => e.Name == "key" && e.Value == key) + 1];

        Assert.Multiple(() =>
        {
            Assert.That(plist.DocumentType!.PublicId, Is.EqualTo("-//Apple//DTD PLIST 1.0//EN"));
            Assert.That(ValueOf("Label").Value, Is.EqualTo("com.teleclaude.daemon"));
            Assert.That(ValueOf("ProgramArguments").Elements("string").Select(e => e.Value), Is.EqualTo(Program.Command));
            Assert.That(ValueOf("KeepAlive").Elements().Select(e => e.Name == "key" ? e.Value : e.Name.LocalName), Is.EqualTo(new[] { "SuccessfulExit", "false" }));
            Assert.That(ValueOf("StandardErrorPath").Value, Is.EqualTo("/home/me/Library/Logs/teleclaude/teleclaude.log"));
            Assert.That(ValueOf("EnvironmentVariables").Elements("key").Select(e => e.Value), Is.EqualTo(new[] { "DOTNET_ROOT", "Logging__LogLevel__Default" }));
        });
    }
}
