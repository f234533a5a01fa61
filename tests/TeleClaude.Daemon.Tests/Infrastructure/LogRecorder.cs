using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TeleClaude.Daemon.Tests.Infrastructure;

/// <summary>An in-process logger provider that keeps every entry, so tests can count what the daemon logged.</summary>
internal sealed class LogRecorder : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyList<Entry> Entries => [.. _entries];

    /// <summary>Entries of <paramref name="category"/> (the logging class's full name) with <paramref name="eventId"/>.</summary>
    public IReadOnlyList<Entry> Of(Type category, int eventId) =>
        Entries.Where(e => e.Category == category.FullName && e.EventId == eventId).ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    internal sealed record Entry(string Category, LogLevel Level, int EventId, string Message, Exception? Exception);

    private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new Entry(category, logLevel, eventId.Id, formatter(state, exception), exception));
    }
}
