using System.Reflection;
using System.Text.Json;
using ModelContextProtocol.Server;
using TeleClaude.Daemon.Mcp;

namespace TeleClaude.Daemon.Tests.Mcp;

[TestFixture]
[CancelAfter(10_000)]
internal sealed class ToolArgumentsUnitTests
{
    /// <summary>The input schemas the SDK derives from <see cref="TeleClaudeTools"/>, by tool name.</summary>
    private static readonly Dictionary<string, JsonElement> Schemas = typeof(TeleClaudeTools)
        .GetMethods(BindingFlags.Public | BindingFlags.Instance)
        .Where(m => m.GetCustomAttribute<McpServerToolAttribute>() is not null)
        .Select(m => McpServerTool.Create(m, _ => throw new InvalidOperationException("never invoked")).ProtocolTool)
        .ToDictionary(t => t.Name, t => t.InputSchema);

    private static IReadOnlyList<string> Problems(string tool, string argumentsJson) =>
        ToolArguments.Problems(tool, Schemas[tool], JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(argumentsJson));

    [Test]
    public void EveryToolSchema_UsesOnlyKeywordsTheCheckUnderstands()
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var schema in Schemas.Values)
        {
            used.UnionWith(schema.EnumerateObject().Select(p => p.Name));
            foreach (var property in schema.GetProperty("properties").EnumerateObject())
            {
                used.UnionWith(property.Value.EnumerateObject().Select(p => p.Name));
            }
        }

        Assert.That(Schemas.Keys, Has.Count.EqualTo(8));
        Assert.That(used, Is.SubsetOf(ToolArguments.SupportedKeywords), "a new schema keyword needs a check in ToolArguments");
        Assert.That(used, Does.Contain("minimum").And.Contain("maximum"), "output_lines' [Range] reaches the schema");
    }

    [Test]
    public void ValidArguments_HaveNoProblem()
    {
        Assert.That(Problems("start_session", """{"computer":"a","project_path":"/p","agent":"claude","title":"t","message":null}"""), Is.Empty);
        Assert.That(Problems("get_session", """{"session_id":"x","output_lines":500}"""), Is.Empty);
        Assert.That(Problems("list_computers", "{}"), Is.Empty);
        Assert.That(ToolArguments.Problems("list_sessions", Schemas["list_sessions"], null), Is.Empty);
    }

    [Test]
    public void Missing_NamesTheArgument_AndWhatTheToolNeeds() =>
        Assert.That(Problems("start_session", """{"computer":"a","project_path":"/p","agent":"claude"}"""),
            Is.EqualTo(new[] { "title is missing; start_session needs computer, project_path, agent and title." }));

    [TestCase("""{"session_id":5}""", "session_id must be a string; got the number 5.")]
    [TestCase("""{"session_id":null}""", "session_id must be a string; got null.")]
    [TestCase("""{"session_id":["x"]}""", "session_id must be a string; got an array [\"x\"].")]
    [TestCase("""{"session_id":"x","output_lines":"40"}""", "output_lines must be a whole number; got the string \"40\".")]
    [TestCase("""{"session_id":"x","output_lines":2.5}""", "output_lines must be a whole number; got the number 2.5.")]
    [TestCase("""{"session_id":"x","output_lines":true}""", "output_lines must be a whole number; got true.")]
    [TestCase("""{"session_id":"x","output_lines":0}""", "output_lines must be between 1 and 500; got 0.")]
    [TestCase("""{"session_id":"x","output_lines":501}""", "output_lines must be between 1 and 500; got 501.")]
    public void WrongTypeOrOutOfRange_NamesTheArgument(string arguments, string expected) =>
        Assert.That(Problems("get_session", arguments), Is.EqualTo(new[] { expected }));

    [Test]
    public void NullableArgument_TakesNullOrAString_ButNotANumber() =>
        Assert.That(Problems("list_sessions", """{"computer":7}"""), Is.EqualTo(new[] { "computer must be a string or null; got the number 7." }));

    [Test]
    public void UnknownArgument_IsNamed_WithWhatTheToolTakes()
    {
        Assert.That(Problems("get_session", """{"session_id":"x","sessionId":"x"}"""),
            Is.EqualTo(new[] { "sessionId is not an argument of get_session; it takes session_id and output_lines." }));
        Assert.That(Problems("list_computers", """{"verbose":true}"""), Is.EqualTo(new[] { "verbose is not an argument of list_computers; it takes none." }));
    }

    [Test]
    public void SeveralProblems_AreAllReported() =>
        Assert.That(Problems("send_message", """{"text":3,"extra":1}"""), Has.Count.EqualTo(3));

    [Test]
    public void LongValues_AreCutInTheMessage()
    {
        var problem = Problems("get_session", "{\"session_id\":{\"a\":\"" + new string('x', 500) + "\"}}").Single();

        Assert.That(problem, Has.Length.LessThan(150).And.Contains("..."));
    }
}
