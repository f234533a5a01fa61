using Terminal.Gui.App;

namespace Telec.Connection;

/// <summary>
/// Hands work from network threads to whichever UI loop runs now. There can be none: before the UI has started (the
/// hub connects in parallel with Terminal.Gui's start) and while an attach has the terminal. Work posted then is
/// dropped; the owners catch up when a loop attaches (<see cref="PushQueue.Resume"/>, the window reading the status).
/// </summary>
internal sealed class UiDispatcher
{
    private readonly Lock _gate = new();
    private IApplication? _app;

    /// <summary>Runs <paramref name="action"/> on the UI thread; false when no UI runs (the action is dropped).</summary>
    public bool Post(Action action)
    {
        IApplication? app;
        lock (_gate)
        {
            app = _app;
        }

        if (app is null)
        {
            return false;
        }

        app.Invoke(action);
        return true;
    }

    public void Attach(IApplication app)
    {
        lock (_gate)
        {
            _app = app;
        }
    }

    public void Detach()
    {
        lock (_gate)
        {
            _app = null;
        }
    }
}
