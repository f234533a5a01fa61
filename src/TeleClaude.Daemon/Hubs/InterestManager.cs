using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Hubs;

/// <summary>
/// Which connections subscribed to which view. A view is "of interest" while it has a subscriber;
/// the Redis heartbeat advertises exactly that set and is republished when it changes.
/// </summary>
internal sealed class InterestManager
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<string>> _viewsByConnection = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _subscribers = Views.All.ToDictionary(v => v, _ => 0, StringComparer.Ordinal);

    /// <summary>Raised outside the lock with the new set of views of interest, only when that set changed.</summary>
    public event Action<IReadOnlyList<string>>? InterestChanged;

    /// <summary>Views with at least one subscriber, in <see cref="Views.All"/> order.</summary>
    public IReadOnlyList<string> InterestedIn
    {
        get
        {
            lock (_lock)
            {
                return Current();
            }
        }
    }

    /// <summary>Subscribers per view.</summary>
    public IReadOnlyDictionary<string, int> SubscriberCounts
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, int>(_subscribers, StringComparer.Ordinal);
            }
        }
    }

    public bool IsInterested(string view)
    {
        lock (_lock)
        {
            return _subscribers.GetValueOrDefault(view) > 0;
        }
    }

    /// <summary>Records a subscription; true when it is the connection's first view.</summary>
    public bool Add(string connectionId, string view)
    {
        var first = false;
        Change(() =>
        {
            if (!_viewsByConnection.TryGetValue(connectionId, out var views))
            {
                _viewsByConnection[connectionId] = views = new HashSet<string>(StringComparer.Ordinal);
                first = true;
            }

            if (views.Add(view))
            {
                _subscribers[view]++;
            }
        });
        return first;
    }

    /// <summary>Drops a subscription; true when the connection has no view left.</summary>
    public bool Remove(string connectionId, string view)
    {
        var last = false;
        Change(() =>
        {
            if (_viewsByConnection.TryGetValue(connectionId, out var views) && views.Remove(view))
            {
                _subscribers[view]--;
                if (views.Count == 0)
                {
                    _viewsByConnection.Remove(connectionId);
                    last = true;
                }
            }
        });
        return last;
    }

    /// <summary>Forgets a disconnected connection: this is how interest ends when the last TUI goes away.</summary>
    public void RemoveConnection(string connectionId) => Change(() =>
    {
        if (_viewsByConnection.Remove(connectionId, out var views))
        {
            foreach (var view in views)
            {
                _subscribers[view]--;
            }
        }
    });

    private void Change(Action mutate)
    {
        IReadOnlyList<string> before, after;
        lock (_lock)
        {
            before = Current();
            mutate();
            after = Current();
        }

        if (!before.SequenceEqual(after, StringComparer.Ordinal))
        {
            InterestChanged?.Invoke(after);
        }
    }

    private string[] Current() => Views.All.Where(v => _subscribers[v] > 0).ToArray();
}
