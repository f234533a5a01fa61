using System.Diagnostics;

namespace TeleClaude.Daemon.Tests.Infrastructure;

/// <summary>Bounded polling for conditions that other processes or background loops make true.</summary>
internal static class Eventually
{
    public static async Task ThatAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(15);
        while (clock.Elapsed < limit)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(25);
        }

        Assert.Fail($"Timed out after {limit.TotalSeconds:0} s waiting until {what}.");
    }
}
