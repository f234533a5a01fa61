using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using ModelContextProtocol.Server;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Agents;
using TeleClaude.Daemon.Commands;
using TeleClaude.Daemon.Sessions;

namespace TeleClaude.Daemon.Mcp;

/// <summary>
/// The MCP adapter for AI-to-AI work: every tool calls the shared command handlers (never REST). Reads come
/// from the cache and answer at once; actions on other computers go through the Redis request stream.
/// Results are JSON in the API's wire format; a bad argument is a tool error that says what is wrong.
/// </summary>
[McpServerToolType]
internal sealed class TeleClaudeTools(DaemonCommands commands, TmuxRunner tmux)
{
    private static readonly JsonSerializerOptions Json = CreateJson();

    [McpServerTool(Name = "list_computers", ReadOnly = true), Description("Lists the computers of this TeleClaude installation with online/offline status, last heartbeat and system load.")]
    public string ListComputers() => Serialize(commands.ListComputers());

    [McpServerTool(Name = "list_projects", ReadOnly = true), Description("Lists the projects (directories where agent sessions run) of every online computer, or of one.")]
    public string ListProjects(
        [Description("Only this computer's projects (a name from list_computers); omit for all.")] string? computer = null) =>
        Serialize(commands.ListProjects(KnownComputer(computer)));

    [McpServerTool(Name = "list_todos", ReadOnly = true), Description("Lists a project's roadmap items (todos/roadmap.md): slug, status pending/ready/in_progress, description, requirement and plan flags.")]
    public async Task<string> ListTodos(
        [Description("The project's absolute path, as list_projects gives it.")] string project_path,
        [Description("The computer the project lives on; this computer when omitted.")] string? computer = null,
        CancellationToken cancellationToken = default) =>
        Serialize(Unwrap(await commands.ListTodosAsync(KnownComputer(computer), project_path, cancellationToken), "project_path"));

    [McpServerTool(Name = "list_sessions", ReadOnly = true), Description("Lists the live agent sessions of every computer, or of one: id, title, project, agent, status, last input and output.")]
    public async Task<string> ListSessions(
        [Description("Only this computer's sessions; omit for all.")] string? computer = null,
        CancellationToken cancellationToken = default) =>
        Serialize(await commands.ListSessionsAsync(KnownComputer(computer), cancellationToken));

    [McpServerTool(Name = "get_session", ReadOnly = true), Description("Gets one session with the tail of its terminal output.")]
    public async Task<string> GetSession(
        [Description("The session id, as list_sessions gives it.")] string session_id,
        [Description("How many lines of output to return (1-500, default 40). Sessions on other computers return their last known output.")][Range(1, 500)] int output_lines = 40,
        CancellationToken cancellationToken = default)
    {
        if (output_lines is < 1 or > 500)
        {
            throw new ToolCallException($"output_lines must be between 1 and 500; got {output_lines}.");
        }

        var session = Unwrap(await commands.GetSessionAsync(session_id, cancellationToken), "session_id");
        var output = session.Computer == commands.LocalComputer && session.Status != SessionStatus.Terminated
            ? await tmux.CaptureAsync(session_id, output_lines, cancellationToken) ?? session.LastOutput
            : session.LastOutput;
        var tail = string.Join('\n', (output ?? "").Split('\n').TakeLast(output_lines));
        return JsonSerializer.Serialize(new { session, output = tail }, Json);
    }

    [McpServerTool(Name = "start_session", Destructive = false), Description("Starts an agent session in a project on a computer (this one or another online one) and returns it.")]
    public async Task<string> StartSession(
        [Description("The computer to run on (a name from list_computers).")] string computer,
        [Description("The project's absolute path on that computer, as list_projects gives it.")] string project_path,
        [Description("The agent to run: a configured agent name such as claude, codex or gemini.")] string agent,
        [Description("A one-line title for the session (at most 200 characters).")] string title,
        [Description("Optional first message typed into the agent after it starts.")] string? message = null,
        CancellationToken cancellationToken = default) =>
        Serialize(Unwrap(await commands.CreateSessionAsync(new CreateSessionRequest(project_path, title, agent, computer, message), cancellationToken), "computer"));

    [McpServerTool(Name = "send_message"), Description("Types a message into a session's agent, followed by Enter. The text is passed literally, never through a shell.")]
    public async Task<string> SendMessage(
        [Description("The session id.")] string session_id,
        [Description("The text to send (at most 65536 characters; newlines press Enter).")] string text,
        CancellationToken cancellationToken = default) =>
        Serialize(Unwrap(await commands.SendInputAsync(session_id, new SendInputRequest(text), cancellationToken), "session_id"));

    [McpServerTool(Name = "end_session", Destructive = true, Idempotent = true), Description("Ends a session: its agent and terminal are stopped.")]
    public async Task<string> EndSession(
        [Description("The session id.")] string session_id,
        CancellationToken cancellationToken = default) =>
        Serialize(Unwrap(await commands.EndSessionAsync(session_id, cancellationToken), "session_id"));

    [McpServerTool(Name = "get_session_messages", ReadOnly = true), Description("Reads a session's conversation: user and assistant turns from the agent's transcript (tool calls summarized in one line, role 'tool'), a page at a time; without a transcript, the terminal screen as one message (source 'screen').")]
    public static async Task<string> GetSessionMessages(
        AgentCommands agents,
        [Description("The session id, as list_sessions gives it.")] string session_id,
        [Description("Read the messages after this cursor: a message's cursor or a page's next_cursor; omit to start at the beginning.")] string? since = null,
        [Description("At most this many messages (1-500, default 50).")][Range(1, AgentCommands.MaxMessageLimit)] int limit = AgentCommands.DefaultMessageLimit,
        CancellationToken cancellationToken = default) =>
        Serialize(Unwrap(await agents.GetMessagesAsync(session_id, since, limit, cancellationToken), "session_id"));

    [McpServerTool(Name = "answer_session"), Description("Answers a session that waits for the user (status 'waiting', e.g. a permission dialog) with one of its choices; the session's waiting.choices lists the keys and what they mean (yes, always, no).")]
    public static async Task<string> AnswerSession(
        AgentCommands agents,
        [Description("The session id of a waiting session.")] string session_id,
        [Description("The key of one of the session's waiting.choices, e.g. \"1\".")] string choice,
        CancellationToken cancellationToken = default) =>
        Serialize(Unwrap(await agents.AnswerAsync(session_id, new AnswerRequest(choice), cancellationToken), "session_id"));

    /// <summary>
    /// The value, or a <see cref="ToolCallException"/> that names the argument at fault: the fields of an invalid
    /// request by their names (the wire names are the tools' argument names), a missing thing by
    /// <paramref name="subject"/> (the argument that named it).
    /// </summary>
    private static T Unwrap<T>(CommandResult<T> result, string subject)
    {
        if (result.Error is not { } error)
        {
            return result.Value!;
        }

        var message = error switch
        {
            { Kind: CommandErrorKind.Invalid, Fields.Count: > 0 } => string.Join(" ", error.Fields.Select(f => $"{f.Key}: {string.Join(" ", f.Value)}")),
            { Kind: CommandErrorKind.NotFound } => $"{subject}: {error.Message}",
            _ => error.Message,
        };
        throw new ToolCallException(message, isFault: error.Kind == CommandErrorKind.Unavailable);
    }

    /// <summary><paramref name="computer"/> when it is null or a computer this daemon knows; else a tool error naming the argument.</summary>
    private string? KnownComputer(string? computer)
    {
        if (computer is null)
        {
            return null;
        }

        var known = commands.ListComputers().Select(c => c.Name).ToArray();
        return known.Contains(computer, StringComparer.Ordinal)
            ? computer
            : throw new ToolCallException($"computer: '{computer}' is not a known computer; list_computers names them ({string.Join(", ", known)}).");
    }

    private static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Json);

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = false };
        TeleClaudeJsonContext.Configure(options);
        options.TypeInfoResolverChain.Add(new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver());
        return options;
    }
}
