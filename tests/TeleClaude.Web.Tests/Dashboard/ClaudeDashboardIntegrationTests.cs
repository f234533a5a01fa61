using TeleClaude.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TeleClaude.Web.Tests.Dashboard;

/// <summary>
/// The real Claude Code CLI (offline, against the scripted model server) driven from the page: a reply typed in the browser
/// makes it ask permission for a Bash command; the page shows the question with the dialog's own choices; the key `1`
/// approves it, the command runs, and the conversation shows in the transcript pane.
/// </summary>
[TestFixture]
[CancelAfter(240_000)]
internal sealed class ClaudeDashboardIntegrationTests
{
    private const string Agent = "claudecode";
    private const string LastMessage = "Done from the browser: the file is there.";

    [Test]
    public async Task RealClaude_AsksPermission_ThePageApprovesItWithOneKey_AndShowsTheTranscript(CancellationToken cancellationToken)
    {
        await using var model = await ScriptedModelServer.StartAsync(
            ScriptedTurn.Bash("touch approved-in-browser.txt", "Create the marker file"),
            ScriptedTurn.Say(LastMessage));
        var home = Path.Combine(Directory.CreateTempSubdirectory("tc-claude-web-").FullName, "home");
        await using var web = await WebDaemon.StartAsync("claudebox", ClaudeCli.AgentArgs(Agent, home, model));
        ClaudeCli.CreateHome(home, web.Daemon.ProjectPath);
        await using var chromium = await Chromium.LaunchAsync();
        var created = await web.Daemon.CreateSessionAsync("Real Claude in the browser", agent: Agent);
        var page = await web.OpenSignedInAsync(chromium);
        var row = page.Locator($"[data-session='{created.SessionId}']");
        await row.ClickAsync();
        // Ready for input when its prompt box is drawn (the live screen); on a loaded machine its start takes a while.
        await Expect(page.Locator("#screen")).ToContainTextAsync("for shortcuts", new() { Timeout = 90_000 });

        await page.Keyboard.PressAsync("m");
        await page.Keyboard.TypeAsync("please create the marker file");
        await page.Keyboard.PressAsync("Enter");

        await Expect(row).ToHaveAttributeAsync("data-status", "waiting", new() { Timeout = 90_000 });
        var question = page.Locator("#question");
        await Expect(question).ToContainTextAsync("Bash: touch approved-in-browser.txt");
        await Expect(question.Locator("[data-choice='1']")).ToContainTextAsync("Yes", new() { Timeout = 30_000 });
        var marker = Path.Combine(web.Daemon.ProjectPath, "approved-in-browser.txt");
        Assert.That(File.Exists(marker), Is.False, "nothing runs before the answer");

        await page.Locator("#reply").BlurAsync();
        await page.Keyboard.PressAsync("1");

        // Claude Code can let a key pressed into a fresh dialog pass (seen under load); the daemon then reports the session
        // waiting again with the same question, and the person presses the key again, as this test does, at most twice more.
        for (var again = 0; again < 2 && !await RanWithinAsync(marker, TimeSpan.FromSeconds(20), cancellationToken); again++)
        {
            if (await row.GetAttributeAsync("data-status") == "waiting")
            {
                await page.Keyboard.PressAsync("1");
            }
        }

        await Eventually.ThatAsync(() => Task.FromResult(File.Exists(marker)), "the approved command ran", TimeSpan.FromSeconds(60));
        await Expect(row).Not.ToHaveAttributeAsync("data-status", "waiting");
        await Expect(page.Locator("#need-count")).ToHaveTextAsync("0");

        await page.Keyboard.PressAsync("t");
        var transcript = page.Locator("#transcript");
        await Expect(transcript.Locator(".message.user")).ToContainTextAsync(["please create the marker file"], new() { Timeout = 60_000 });
        await Expect(transcript.Locator(".message.tool")).ToContainTextAsync(["Bash: touch approved-in-browser.txt"], new() { Timeout = 60_000 });
        await Expect(transcript.Locator(".message.assistant").Last).ToContainTextAsync(LastMessage, new() { Timeout = 60_000 });
    }

    private static async Task<bool> RanWithinAsync(string marker, TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(marker))
            {
                return true;
            }

            await Task.Delay(100, cancellationToken);
        }

        return false;
    }
}
