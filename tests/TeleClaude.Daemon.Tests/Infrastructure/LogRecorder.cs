using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TeleClaude.Daemon.Tests.Infrastructure;

/// <summary>An <see cref="ILoggerProvider"/> that keeps every log entry of one daemon, for tests that assert on what it logged.</summary>
internal sealed class LogRecorder : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyList<Entry> Entries => [.. _entries];

    /// <summary>Entries with this event id, in order.</summary>
    public IReadOnlyList<Entry> WithEventId(int eventId) => Entries.Where(e => e.EventId == eventId).ToArray();

    /// <summary>Entries of <paramref name="category"/> (the logging class's full name) with <paramref name="eventId"/>.</summary>
    public IReadOnlyList<Entry> Of(Type category, int eventId) =>
        Entries.Where(e => e.Category == category.FullName && e.EventId == eventId).ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    internal sealed record Entry(string Category, LogLevel Level, int EventId, string Message, Exception? Exception)
    {
        public override string ToString() => $"{Level} {Category}[{EventId}] {Message}{(Exception is null ? "" : " (" + Exception.GetType().Name + ")")}";
    }

    private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new Entry(category, logLevel, eventId.Id, formatter(state, exception), exception));
    }
}
