using Microsoft.Extensions.Internal;

namespace TeleClaude.Daemon.Caching;

/// <summary>MemoryCacheOptions takes an ISystemClock, not a TimeProvider: this adapts one to the other.</summary>
internal sealed class TimeProviderClock(TimeProvider time) : ISystemClock
{
    public DateTimeOffset UtcNow => time.GetUtcNow();
}
