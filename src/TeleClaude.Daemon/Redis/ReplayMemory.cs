namespace TeleClaude.Daemon.Redis;

/// <summary>
/// The nonces of the signed entries accepted on one stream, each kept until no copy of its entry could pass the age
/// check any more (see <see cref="EntryVerifier"/>): bounded by the entries of one <c>RequestMaxAge</c> of stream time,
/// and by <see cref="Capacity"/> (past it the oldest is forgotten first, and the caller says so once). Used by one
/// reader at a time: the stream follower's read loop.
/// </summary>
internal sealed class ReplayMemory(int capacity = ReplayMemory.DefaultCapacity)
{
    /// <summary>About 10 MB at most per stream; far above what the fleet writes in one window (1,000 requests fill <c>messages:</c>).</summary>
    public const int DefaultCapacity = 100_000;

    private readonly Dictionary<string, long> _seen = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, long> _bySignedAt = new();

    public int Capacity => capacity;

    public int Count => _seen.Count;

    public bool Contains(string nonce) => _seen.ContainsKey(nonce);

    /// <summary>Remembers <paramref name="nonce"/>; false when the memory was full and the oldest nonce had to go.</summary>
    public bool Remember(string nonce, long signedAt)
    {
        var roomy = true;
        if (_seen.Count >= capacity)
        {
            roomy = false;
            _seen.Remove(_bySignedAt.Dequeue());
        }

        if (_seen.TryAdd(nonce, signedAt))
        {
            _bySignedAt.Enqueue(nonce, signedAt);
        }

        return roomy;
    }

    /// <summary>Forgets the nonces signed before <paramref name="signedBefore"/> (Unix milliseconds).</summary>
    public void Forget(long signedBefore)
    {
        while (_bySignedAt.TryPeek(out var nonce, out var signedAt) && signedAt < signedBefore)
        {
            _bySignedAt.Dequeue();
            _seen.Remove(nonce);
        }
    }
}
