using System.Diagnostics;
using System.Globalization;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;

namespace TeleClaude.LoadHarness;

/// <summary>The remote session changes every measurement publishes.</summary>
internal static partial class CriteriaBenchmark
{
    /// <summary>Makes remote session changes: event i retitles a session of remote i mod N (round-robin over its sessions).</summary>
    private sealed class Publisher(DaemonCache[] caches, SessionInfo[][] sessions)
    {
        public void Publish(string prefix, int i)
        {
            var remote = i % caches.Length;
            var own = sessions[remote];
            var session = own[(i / caches.Length) % own.Length];
            caches[remote].PublishLocalSession(SessionEventNames.SessionUpdated, session with { Title = prefix + i.ToString(CultureInfo.InvariantCulture) });
        }

        /// <summary>Publishes event i at start + i/rate (all due events at once when behind); returns each event's publish timestamp.</summary>
        public async Task<long[]> PublishPacedAsync(string prefix, int count, double rate)
        {
            var ts = new long[count];
            var start = Stopwatch.GetTimestamp();
            var i = 0;
            while (i < count)
            {
                var now = Stopwatch.GetTimestamp();
                var due = Math.Min(count, (int)((now - start) * rate / Stopwatch.Frequency) + 1);
                while (i < due)
                {
                    ts[i] = Stopwatch.GetTimestamp();
                    Publish(prefix, i);
                    i++;
                }

                if (i < count)
                {
                    var next = start + (long)(i * Stopwatch.Frequency / rate);
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                    await Task.Delay(wait > TimeSpan.FromMilliseconds(1) ? wait : TimeSpan.FromMilliseconds(1));
                }
            }

            return ts;
        }
    }
}
