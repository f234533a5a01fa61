using TeleClaude.Contracts;
using Telec.Attach;
using Telec.Settings;

namespace Telec.Tests.Unit;

[TestFixture]
public sealed class AttachPlanUnitTests
{
    private static readonly SessionInfo Session = new(
        "s1", "beta", "Fix bug", "/p", SessionStatus.Active, "claude", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null, null,
        TmuxSocket: "teleclaude", TmuxSession: "tc-s1");

    private static ComputerInfo Computer(bool local, string? host = "beta.lan", string? user = "me") =>
        new(local ? "alpha" : "beta", ComputerStatus.Online, DateTimeOffset.UnixEpoch, user, host, null, local);

    [Test]
    public void For_AttachesToTheTmuxSession_OfALocalSession()
    {
        var (plan, problem) = AttachPlan.For(Session with { Computer = "alpha" }, Computer(local: true), new TelecSettings(), insideTmux: false, "telec.json");

        Assert.That(problem, Is.Null);
        Assert.That(plan!.Argv, Is.EqualTo(new[] { "tmux", "-L", "teleclaude", "attach", "-t", "tc-s1" }));
        Assert.That((plan.Mode, plan.Local), Is.EqualTo((AttachMode.Foreground, true)));
    }

    [Test]
    public void For_FillsTheDefaultTemplate_ForARemoteSession()
    {
        var (plan, _) = AttachPlan.For(Session, Computer(local: false), new TelecSettings(), insideTmux: true, "telec.json");

        Assert.That(plan!.Argv, Is.EqualTo(new[] { "ssh", "-t", "beta.lan", "tmux", "-L", "teleclaude", "attach", "-t", "tc-s1" }));
        Assert.That(plan.Mode, Is.EqualTo(AttachMode.TmuxWindow));
    }

    [Test]
    public void For_UsesTheComputersOwnTemplate_ArgumentByArgument()
    {
        var settings = new TelecSettings { Attach = new AttachSettings { Computers = { ["beta"] = "ssh -p 2222 '{user}@{host}' tmux -L {socket} attach -t {tmux_session}" } } };

        var (plan, _) = AttachPlan.For(Session with { Title = "x; rm -rf /" }, Computer(local: false), settings, insideTmux: false, "telec.json");

        Assert.That(plan!.Argv, Is.EqualTo(new[] { "ssh", "-p", "2222", "me@beta.lan", "tmux", "-L", "teleclaude", "attach", "-t", "tc-s1" }));
    }

    [Test]
    public void For_SaysWhatToSet_WhenARemoteComputerHasNoTemplate()
    {
        var settings = new TelecSettings { Attach = new AttachSettings { Computers = { ["beta"] = "" } } };

        var (plan, problem) = AttachPlan.For(Session, Computer(local: false), settings, insideTmux: false, "/home/me/.config/teleclaude/telec.json");

        Assert.That(plan, Is.Null);
        Assert.That(problem, Is.EqualTo("No attach command for computer beta: set attach.computers.beta in /home/me/.config/teleclaude/telec.json."));
    }

    [Test]
    public void For_SaysWhatIsMissing_WhenTheHeartbeatHasNoHost()
    {
        var (plan, problem) = AttachPlan.For(Session, Computer(local: false, host: null), new TelecSettings(), insideTmux: false, "telec.json");

        Assert.That(plan, Is.Null);
        Assert.That(problem, Does.StartWith("Computer beta did not report its host"));
    }

    [Test]
    public void For_RefusesAnEndedSession()
    {
        var (plan, problem) = AttachPlan.For(Session with { Status = SessionStatus.Terminated }, Computer(local: false), new TelecSettings(), insideTmux: false, "telec.json");

        Assert.That(plan, Is.Null);
        Assert.That(problem, Is.EqualTo("\"Fix bug\" has ended; there is no terminal to open."));
    }

    [Test]
    public void TmuxOpenCommand_RunsTheAttachWithoutTmuxInItsEnvironment_InANewWindow()
    {
        var plan = new AttachPlan(["tmux", "-L", "teleclaude", "attach", "-t", "tc-s1"], AttachMode.TmuxWindow, Local: true);

        var command = plan.TmuxOpenCommand("tc:Fix bug");

        Assert.That(command.Take(4), Is.EqualTo(new[] { "tmux", "new-window", "-n", "tc:Fix bug" }));
        Assert.That(command[6], Does.Contain("env -u TMUX \"$@\""));
        Assert.That(command.Skip(8), Is.EqualTo(plan.Argv));
    }

    [TestCase("ssh {host", null)]
    [TestCase("ssh '{host}", "has an unclosed quote.")]
    [TestCase("ssh {hots}", "unknown placeholder {hots}")]
    public void Template_Problem_NamesWhatIsWrong(string template, string? expected)
    {
        var problem = AttachTemplate.Problem(template);

        Assert.That(problem, expected is null ? Is.Null : Does.StartWith(expected));
    }

    [Test]
    public void Settings_Validate_NamesTheBadSetting()
    {
        Assert.That(new TelecSettings { Notify = "loud" }.Validate(), Does.StartWith("notify must be one of off, bell, osc9, osc777"));
        Assert.That(new TelecSettings { Attach = new AttachSettings { InTmux = "tab" } }.Validate(), Does.StartWith("attach.in_tmux"));
        Assert.That(new TelecSettings { Attach = new AttachSettings { Computers = { ["beta"] = "ssh {nope}" } } }.Validate(), Does.StartWith("attach.computers.beta: unknown placeholder"));
        Assert.That(new TelecSettings().Validate(), Is.Null);
    }

    [Test]
    public void Settings_Load_ReadsSnakeCaseJson_AndRejectsUnknownSettings()
    {
        var directory = Path.Combine(Path.GetTempPath(), "tcs-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            var good = Path.Combine(directory, "good.json");
            File.WriteAllText(good, """{ "notify": "osc9", "attach": { "in_tmux": "split", "computers": { "beta": "" } } } // comment""");
            var bad = Path.Combine(directory, "bad.json");
            File.WriteAllText(bad, """{ "notfy": "bell" }""");

            var (settings, problem) = TelecSettings.Load(good);
            var (none, badProblem) = TelecSettings.Load(bad);

            Assert.That(problem, Is.Null);
            Assert.That((settings!.Notify, settings.Attach.InTmux, settings.Attach.Computers["beta"]), Is.EqualTo(("osc9", "split", "")));
            Assert.That(none, Is.Null);
            Assert.That(badProblem, Does.StartWith(bad + ": not valid telec settings").And.Contain("notfy"));
            Assert.That(TelecSettings.Load(Path.Combine(directory, "absent.json")).Settings, Is.EqualTo(new TelecSettings()).Using<TelecSettings>((a, b) => a.Notify == b.Notify));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void Settings_Load_KeepsTheDefaults_OfWhatTheFileLeavesOut()
    {
        // Regression: with init-only properties the source-generated reader set every setting the file did not name to ""
        // ("notify must be one of off, bell, osc9, osc777 (got "")"), so a telec.json with only an attach command stopped telec.
        var directory = Path.Combine(Path.GetTempPath(), "tcs-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            var empty = Path.Combine(directory, "empty.json");
            File.WriteAllText(empty, "{}");
            var attachOnly = Path.Combine(directory, "attach-only.json");
            File.WriteAllText(attachOnly, """{ "attach": { "computers": { "beta": "" } } }""");

            var (fromEmpty, emptyProblem) = TelecSettings.Load(empty);
            var (fromAttach, attachProblem) = TelecSettings.Load(attachOnly);

            Assert.Multiple(() =>
            {
                Assert.That((emptyProblem, attachProblem), Is.EqualTo(((string?)null, (string?)null)));
                Assert.That((fromEmpty!.Notify, fromEmpty.Attach.InTmux, fromEmpty.Attach.Remote), Is.EqualTo(("off", "window", TelecSettings.DefaultRemoteAttach)));
                Assert.That((fromAttach!.Notify, fromAttach.Attach.InTmux, fromAttach.Attach.Remote, fromAttach.Attach.Computers["beta"]), Is.EqualTo(("off", "window", TelecSettings.DefaultRemoteAttach, "")));
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
