using Microsoft.Playwright;
using TeleClaude.Contracts;
using TeleClaude.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TeleClaude.Web.Tests.Dashboard;

/// <summary>
/// The dashboard in the system Chromium against the real daemon (real Kestrel on loopback TCP, real tmux sessions running
/// the stand-in agent), signed in as a person would: through the login URL. Every Playwright wait is bounded by the
/// context's default timeout (15 s); REST calls and polls take the test's token.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
internal sealed class DashboardIntegrationTests : BrowserAndDaemonTests
{
    private static ILocator Row(IPage page, SessionInfo session) => page.Locator($"[data-session='{session.SessionId}']");

    [Test]
    public async Task SessionCreatedThroughRest_AppearsWithinOneSecond_WithoutReload(CancellationToken cancellationToken)
    {
        var page = await Web.OpenSignedInAsync(Browser);
        await Expect(page.Locator("#summary")).ToContainTextAsync("0 sessions");
        await DomClock.WatchAsync(page, "created", "[data-session] .title", "Appears live");

        var session = await Web.CreateSessionAsync("Appears live");
        var answered = DateTimeOffset.UtcNow;
        var seen = await DomClock.SeenAsync(page, "created");

        // The bar, measured from the REST answer to the row's text in the page, both on the machine's clock.
        Assert.That(seen - answered, Is.LessThan(TimeSpan.FromSeconds(1)), "the row appeared within 1 s of the REST answer");
        await Expect(Row(page, session).Locator(".agent")).ToHaveTextAsync("claude");
        await Expect(Row(page, session).Locator(".age")).ToContainTextAsync("old");
        await Expect(page.Locator($"[data-computer='{Web.Daemon.Computer}'] h3")).ToContainTextAsync("project");
        await Expect(page.Locator("#summary")).ToContainTextAsync("1 session");
    }

    [Test]
    public async Task Page_LoadsAndRuns_WithoutAConsoleErrorOrAContentSecurityPolicyViolation(CancellationToken cancellationToken)
    {
        var session = await Web.CreateSessionAsync("Clean console");
        var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                errors.Add($"{message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) => errors.Add("uncaught: " + error);

        await page.GotoAsync(Web.LoginUrl);
        await Expect(page.Locator("#conn")).ToHaveTextAsync("● connected");
        await Row(page, session).ClickAsync();
        await Expect(page.Locator("#screen")).ToContainTextAsync("test agent ready");
        await page.Keyboard.PressAsync("?");
        await Expect(page.Locator("#help")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");

        Assert.That(errors, Is.Empty);
    }

    [Test]
    public async Task Reply_TypedInThePage_ReachesTheAgent_AndItsAnswerShowsLive(CancellationToken cancellationToken)
    {
        var session = await Web.CreateSessionAsync("Echo me");
        var page = await Web.OpenSignedInAsync(Browser);
        await Row(page, session).ClickAsync();
        await Expect(page.Locator("#screen")).ToContainTextAsync("test agent ready");

        await page.Keyboard.PressAsync("m");
        await Expect(page.Locator("#reply")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("hello from the browser");
        await page.Keyboard.PressAsync("Enter");

        // The stand-in agent echoes what it read; the screen is the agent's own terminal, pushed after the change.
        await Expect(page.Locator("#screen")).ToContainTextAsync("agent got: hello from the browser");
        await Expect(page.Locator("#footer")).ToHaveTextAsync("sent to \"Echo me\"");
        await Expect(page.Locator("#reply")).ToHaveValueAsync("");
        using var rest = Web.Daemon.Rest();
        Assert.That((await rest.GetSessionAsync(session.SessionId, cancellationToken)).LastInput, Is.EqualTo("hello from the browser"));
    }

    [Test]
    public async Task WaitingSession_IsMarkedAndCounted_AndTheYKeyApprovesIt(CancellationToken cancellationToken)
    {
        var session = await Web.CreateSessionAsync("Asks first");
        var page = await Web.OpenSignedInAsync(Browser);
        await Expect(page.Locator("#need-count")).ToHaveTextAsync("0");

        using (var rest = Web.Daemon.Rest())
        {
            await rest.SendInputAsync(session.SessionId, "ask", cancellationToken);
        }

        await Expect(Row(page, session)).ToHaveAttributeAsync("data-status", "waiting");
        await Expect(Row(page, session).Locator(".mark")).ToHaveTextAsync("!");
        await Expect(page.Locator("#need-count")).ToHaveTextAsync("1");
        await Expect(page.Locator("#summary")).ToContainTextAsync("1 needs you");

        // The needs-you view, then w: the session waiting longest, with its question and the agent's own choices.
        await page.Keyboard.PressAsync("3");
        await Expect(Row(page, session)).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("w");
        await Expect(page.Locator("#question")).ToContainTextAsync("Overwrite notes.txt? [y/n]");
        await Expect(page.Locator("#question [data-choice='y']")).ToBeVisibleAsync();

        await page.Keyboard.PressAsync("y");

        await Expect(page.Locator("#screen")).ToContainTextAsync("answered: y");
        await Expect(page.Locator("#need-count")).ToHaveTextAsync("0");
        await Expect(page.Locator("#question")).ToHaveCountAsync(0);
        await Expect(page.Locator("#footer")).ToContainTextAsync("answered \"Asks first\"");
    }

    [Test]
    public async Task DaemonRestart_PageReconnectsByItself_AndShowsTheCurrentState(CancellationToken cancellationToken)
    {
        var stays = await Web.CreateSessionAsync("Survives the restart");
        var vanishes = await Web.CreateSessionAsync("Ends while the daemon is down");
        var page = await Web.OpenSignedInAsync(Browser);
        await Row(page, vanishes).ClickAsync();
        await Expect(page.Locator("#screen")).ToContainTextAsync("test agent ready");

        await Web.Daemon.StopAsync();
        await Expect(page.Locator("#conn")).Not.ToHaveTextAsync("● connected");
        // While the daemon is away its agent exits: the daemon learns it at start, and no push will ever say so.
        var (code, output) = await Tmux.RunAsync(Web.Daemon.TmuxSocketName, cancellationToken, "kill-session", "-t", vanishes.TmuxSession!);
        Assert.That(code, Is.Zero, output);
        await Web.Daemon.StartAsync();
        var created = await Web.CreateSessionAsync("Started after the restart");

        await Expect(page.Locator("#conn")).ToHaveTextAsync("● connected", new() { Timeout = 30_000 });
        await Expect(Row(page, created)).ToBeVisibleAsync();
        await Expect(Row(page, stays)).ToBeVisibleAsync();
        await Expect(Row(page, vanishes)).ToHaveCountAsync(0);
        await Expect(page.Locator("#ended")).ToContainTextAsync("has ended"); // it was selected: the full state says it is gone
        await Expect(page.Locator("#summary")).ToContainTextAsync("2 sessions");
    }

    [Test]
    public async Task WatchedSessionThatEnds_KeepsItsLastScreen_AndSaysItEnded(CancellationToken cancellationToken)
    {
        var session = await Web.CreateSessionAsync("Ends while watched");
        var page = await Web.OpenSignedInAsync(Browser);
        await Row(page, session).ClickAsync();
        await Expect(page.Locator("#screen")).ToContainTextAsync("test agent ready");

        using (var rest = Web.Daemon.Rest())
        {
            await rest.EndSessionAsync(session.SessionId, cancellationToken);
        }

        await Expect(page.Locator("#ended")).ToContainTextAsync("has ended");
        await Expect(page.Locator("#screen")).ToContainTextAsync("test agent ready");
        await Expect(page.Locator("#reply")).ToHaveCountAsync(0);
        await Expect(Row(page, session)).ToHaveCountAsync(0);
    }

    [Test]
    public async Task NewSessionKey_StartsASession_AndKEndsItAfterConfirmation(CancellationToken cancellationToken)
    {
        var page = await Web.OpenSignedInAsync(Browser);
        await page.Keyboard.PressAsync("n");
        var dialog = page.Locator("#new-session");
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.Locator("select")).ToHaveValueAsync($"{Web.Daemon.Computer}\u0000{Web.Daemon.ProjectPath}");
        await dialog.Locator("input[name=title]").FillAsync("Started from the page");
        await dialog.Locator("textarea[name=message]").FillAsync("first words");
        await dialog.Locator("button[type=submit]").ClickAsync();

        await Expect(page.Locator("#footer")).ToHaveTextAsync("created \"Started from the page\"");
        await Expect(page.Locator("#detail-title")).ToHaveTextAsync("Started from the page");
        await Expect(page.Locator("#screen")).ToContainTextAsync("agent got: first words");
        using var rest = Web.Daemon.Rest();
        var created = (await rest.ListSessionsAsync(cancellationToken)).Single(s => s.Title == "Started from the page");

        page.Dialog += (_, confirm) => confirm.AcceptAsync();
        await page.Locator("#screen").BlurAsync();
        await page.Keyboard.PressAsync("k");

        await Expect(page.Locator("#footer")).ToHaveTextAsync("ended \"Started from the page\"");
        await Expect(Row(page, created)).ToHaveCountAsync(0);
        await Eventually.ThatAsync(
            async () => (await rest.ListSessionsAsync(cancellationToken)).All(s => s.SessionId != created.SessionId),
            "the daemon ended the session");
    }

    [Test]
    public async Task PreparationView_ShowsProjectsAndTodos_AndRefreshRedrawsIt(CancellationToken cancellationToken)
    {
        var page = await Web.OpenSignedInAsync(Browser);
        await page.Keyboard.PressAsync("2");

        var project = page.Locator($"[data-project='{Web.Daemon.ProjectPath}']");
        await Expect(project.Locator("h3")).ToContainTextAsync("3 todos");
        await Expect(project.Locator("[data-todo='cache-push']")).ToContainTextAsync("[>]");
        await Expect(project.Locator("[data-todo='cache-push'] .flags")).ToContainTextAsync("req");
        await Expect(project.Locator("[data-todo='mcp-server']")).ToContainTextAsync("AI-to-AI.");

        await page.Keyboard.PressAsync("r");
        await Expect(page.Locator("#footer")).ToHaveTextAsync("refreshed preparation");
    }

    [Test]
    public async Task FilterAndTranscript_NarrowTheListAndShowTheConversation(CancellationToken cancellationToken)
    {
        var parser = await Web.CreateSessionAsync("Fix the parser");
        var docs = await Web.CreateSessionAsync("Write the docs");
        var page = await Web.OpenSignedInAsync(Browser);

        await page.Keyboard.PressAsync("/");
        await Expect(page.Locator("#filter")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("parser");
        await Expect(Row(page, docs)).ToHaveCountAsync(0);
        await Expect(Row(page, parser)).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(Row(page, docs)).ToBeVisibleAsync();

        // The stand-in agent writes no transcript: the daemon answers its screen as the conversation, and the page says so.
        await Row(page, parser).ClickAsync();
        await page.Keyboard.PressAsync("t");
        await Expect(page.Locator("#transcript")).ToContainTextAsync("No transcript for this session");
        await Expect(page.Locator("#transcript .message")).ToContainTextAsync("test agent ready");
    }

    [Test]
    public async Task PhoneSizedScreen_ShowsTheListThenTheSession_AndBackAgain(CancellationToken cancellationToken)
    {
        var session = await Web.CreateSessionAsync("On the phone");
        var page = await Web.OpenSignedInAsync(Browser, new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            IsMobile = true,
            HasTouch = true,
        });

        await Row(page, session).TapAsync();
        await Expect(page.Locator("#screen")).ToContainTextAsync("test agent ready");
        await Expect(page.Locator("section.list")).ToBeHiddenAsync();
        var fits = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth");
        Assert.That(fits, Is.True, "nothing is wider than the phone's screen");

        await page.Locator(".back").TapAsync();
        await Expect(Row(page, session)).ToBeVisibleAsync();
    }
}
