using TeleClaude.Daemon.CommandLine;

namespace TeleClaude.Daemon.Tests.Install;

/// <summary>The daemon's command line: what runs the daemon, what reaches its configuration, what help says.</summary>
[TestFixture]
public sealed class TeleClaudeCliUnitTests
{
    [TestCase(new string[0], new[] { "run" })]
    [TestCase(new[] { "--socket", "/s" }, new[] { "run", "--socket", "/s" })]
    [TestCase(new[] { "--TeleClaude:ComputerName=mbp" }, new[] { "run", "--TeleClaude:ComputerName=mbp" })]
    [TestCase(new[] { "--help" }, new[] { "--help" })]
    [TestCase(new[] { "--version" }, new[] { "--version" })]
    [TestCase(new[] { "token", "show" }, new[] { "token", "show" })]
    [TestCase(new[] { "[suggest:3]", "tel" }, new[] { "[suggest:3]", "tel" })]
    public void WithRunByDefault_RunsTheDaemon_WhenNoCommandIsGiven(string[] args, string[] expected) =>
        Assert.That(TeleClaudeCli.WithRunByDefault(args), Is.EqualTo(expected));

    [TestCase(new[] { "run", "--socket=/s", "--TeleClaude:Redis:Configuration=r:6379,ssl=true" }, new[] { "--socket=/s", "--TeleClaude:Redis:Configuration=r:6379,ssl=true" })]
    [TestCase(new[] { "token", "show", "--db", "/d.db", "--TeleClaude:Access:TokenPath", "/t" }, new[] { "--db", "/d.db", "--TeleClaude:Access:TokenPath", "/t" })]
    [TestCase(new[] { "service", "install", "--tcp", "http://127.0.0.1:1", "--print" }, new[] { "--tcp", "http://127.0.0.1:1", "--print" })]
    [TestCase(new[] { "web" }, new string[0])]
    public void ArgumentsAfter_PassesTheSettingsAsTyped_AfterTheCommandsWords(string[] args, string[] expected)
    {
        var parse = TeleClaudeCli.Build(args).Parse(args);

        Assert.That(parse.Errors, Is.Empty);
        Assert.That(TeleClaudeCli.ArgumentsAfter(parse, args), Is.EqualTo(expected));
    }

    [TestCase("frob")]
    [TestCase("completions", "ksh")]
    [TestCase("mcp", "--bogus")]
    [TestCase("run", "--socket")]
    public void Parse_ReportsAnError_OnBadUsage(params string[] args) =>
        Assert.That(TeleClaudeCli.Build(args).Parse(args).Errors, Is.Not.Empty);

    [TestCase("token")]
    [TestCase("token", "burn")]
    public void Parse_LeavesAMissingOrUnknownTokenVerb_ToTheTokenCommandsOwnUsage(params string[] args)
    {
        var parse = TeleClaudeCli.Build(args).Parse(args);

        Assert.That(parse.Errors, Is.Empty);
        Assert.That(parse.CommandResult.Command.Name, Is.EqualTo("token"));
    }

    [Test]
    public void HelpText_NamesTheInstalledCommand_AndListsTheSettingsSources()
    {
        var text = TeleClaudeCli.HelpText("Usage:\n  TeleClaude.Daemon [command] [options]\n", "TeleClaude.Daemon", isRoot: true);

        Assert.That(text, Does.Contain("  teleclaude [command] [options]").And.Not.Contain("TeleClaude.Daemon [command]")
            .And.Contain("environment variables: TeleClaude__ComputerName").And.Contain("config.json").And.Contain("Exit codes"));
    }

    [Test]
    public void Build_HasEveryCommand()
    {
        var root = TeleClaudeCli.Build([]);

        Assert.That(root.Subcommands.Select(c => c.Name), Is.EquivalentTo(new[] { "run", "mcp", "hook", "token", "web", "service", "completions" }));
    }
}
