using Telec.Cli;

namespace Telec.Tests.Unit;

[TestFixture]
public sealed class CommandLineUnitTests
{
    [Test]
    public void Parse_ReturnsInteractiveWithDefaultSocket_WhenNoArguments()
    {
        var parsed = CommandLine.Parse([]);

        Assert.That(parsed, Is.EqualTo(new CommandLine.Interactive(SocketPaths.Default())));
    }

    [TestCase(new[] { "list" }, "Sessions", false)]
    [TestCase(new[] { "list", "computers", "--json" }, "Computers", true)]
    [TestCase(new[] { "--json", "list", "projects" }, "Projects", true)]
    public void Parse_ReturnsList_ForListCommands(string[] args, string target, bool json)
    {
        var parsed = CommandLine.Parse([.. args, "--socket=/tmp/x.sock"]);

        Assert.That(parsed, Is.EqualTo(new CommandLine.List(Enum.Parse<ListTarget>(target), json, "/tmp/x.sock")));
    }

    [Test]
    public void Parse_ReadsTheNewCommands()
    {
        Assert.That(CommandLine.Parse(["list", "--waiting", "--socket=/s"]), Is.EqualTo(new CommandLine.List(ListTarget.Sessions, false, "/s", Waiting: true)));
        Assert.That(CommandLine.Parse(["projects", "add", "/code/app", "--name", "App", "--socket=/s"]), Is.EqualTo(new CommandLine.Projects(ProjectsAction.Add, "/code/app", "App", null, "/s")));
        Assert.That(CommandLine.Parse(["projects", "remove", "/code/app", "--socket=/s"]), Is.EqualTo(new CommandLine.Projects(ProjectsAction.Remove, "/code/app", null, null, "/s")));
        Assert.That(CommandLine.Parse(["projects", "--json", "--socket=/s"]), Is.EqualTo(new CommandLine.List(ListTarget.Projects, true, "/s")));
        Assert.That(CommandLine.Parse(["send", "abc", "fix", "the", "build", "--socket=/s"]), Is.EqualTo(new CommandLine.Send("abc", "fix the build", "/s")));
        Assert.That(CommandLine.Parse(["send", "abc", "--socket=/s", "--", "--not-an-option"]), Is.EqualTo(new CommandLine.Send("abc", "--not-an-option", "/s")));
        Assert.That(CommandLine.Parse(["attach", "abc", "--config", "/c.json", "--socket=/s"]), Is.EqualTo(new CommandLine.AttachSession("abc", "/s", "/c.json")));
        Assert.That(CommandLine.Parse(["--notify=osc777", "--socket=/s"]), Is.EqualTo(new CommandLine.Interactive("/s", null, "osc777")));
        Assert.That(CommandLine.Parse(["--notify", "--socket=/s"]), Is.EqualTo(new CommandLine.Interactive("/s", null, "bell")));
    }

    [TestCase("--json")]
    [TestCase("list", "computers", "--waiting")]
    [TestCase("projects", "add")]
    [TestCase("projects", "frob", "x")]
    [TestCase("send", "id")]
    [TestCase("attach")]
    [TestCase("--notify=loud")]
    [TestCase("--config")]
    [TestCase("list", "sessions", "extra")]
    [TestCase("list", "--socket")]
    [TestCase("--socket=")]
    public void Parse_ReturnsInvalid_OnBadUsage(params string[] args) =>
        Assert.That(CommandLine.Parse(args), Is.InstanceOf<CommandLine.Invalid>());
}
