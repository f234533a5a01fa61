using Microsoft.Playwright;

namespace TeleClaude.Web.Tests.Infrastructure;

/// <summary>
/// When did an element get its text, by the page's own clock: a MutationObserver installed before the change notes
/// <c>performance.timeOrigin + performance.now()</c> (milliseconds since the Unix epoch, on the machine's realtime
/// clock, as <see cref="DateTimeOffset.UtcNow"/> in the test process) in the callback that follows the DOM change,
/// before the next paint. Playwright's own waits poll, which would add up to hundreds of milliseconds to a latency.
/// </summary>
internal static class DomClock
{
    private const string Install = """
        ([key, selector, text]) => {
          window.__seen ??= {};
          delete window.__seen[key];
          const check = () => {
            for (const el of document.querySelectorAll(selector)) if (el.textContent.includes(text)) return true;
            return false;
          };
          const note = () => { window.__seen[key] = performance.timeOrigin + performance.now(); };
          if (check()) { note(); return; }
          const observer = new MutationObserver(() => { if (check()) { note(); observer.disconnect(); } });
          observer.observe(document.body, { subtree: true, childList: true, characterData: true });
        }
        """;

    /// <summary>Starts watching for an element matching <paramref name="selector"/> whose text contains <paramref name="text"/>.</summary>
    public static async Task WatchAsync(IPage page, string key, string selector, string text) =>
        await page.EvaluateAsync(Install, new object[] { key, selector, text });

    /// <summary>Waits (bounded by the page's default timeout) until the watched text is there; the time it appeared.</summary>
    public static async Task<DateTimeOffset> SeenAsync(IPage page, string key)
    {
        var handle = await page.WaitForFunctionAsync("key => window.__seen && window.__seen[key]", key, new PageWaitForFunctionOptions { PollingInterval = 20 });
        var epochMs = await handle.JsonValueAsync<double>();
        return DateTimeOffset.UnixEpoch.AddTicks((long)(epochMs * TimeSpan.TicksPerMillisecond));
    }
}
