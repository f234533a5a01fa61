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

    [TestCase("--json")]
    [TestCase("list", "sessions", "extra")]
    [TestCase("list", "--socket")]
    [TestCase("--socket=")]
    public void Parse_ReturnsInvalid_OnBadUsage(params string[] args) =>
        Assert.That(CommandLine.Parse(args), Is.InstanceOf<CommandLine.Invalid>());
}
