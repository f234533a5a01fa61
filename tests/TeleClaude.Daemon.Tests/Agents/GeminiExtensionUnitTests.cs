using System.Text.Json.Nodes;
using TeleClaude.Daemon.Agents;

namespace TeleClaude.Daemon.Tests.Agents;

[TestFixture]
[CancelAfter(10_000)]
internal sealed class GeminiExtensionUnitTests
{
    [Test]
    public void Install_WritesManifestAndHooks_OnceUntilTheyDiffer()
    {
        var directory = Path.Combine(Directory.CreateTempSubdirectory("tc-gemini-ext-").FullName, ".gemini", "extensions", GeminiExtension.Name);
        try
        {
            Assert.That(GeminiExtension.Install(directory, TimeSpan.FromSeconds(2)), Is.True);
            Assert.That(GeminiExtension.Install(directory, TimeSpan.FromSeconds(2)), Is.False, "unchanged files are not written again");

            var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "gemini-extension.json")))!;
            Assert.That(manifest["name"]!.GetValue<string>(), Is.EqualTo("teleclaude"), "Gemini wants the name to match the directory");
            var hooks = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "hooks", "hooks.json")))!["hooks"]!.AsObject();
            Assert.That(hooks.Select(h => h.Key), Is.EquivalentTo(GeminiExtension.Events));
            var hook = hooks["AfterAgent"]![0]!["hooks"]![0]!;
            Assert.That(hook["type"]!.GetValue<string>(), Is.EqualTo("command"));
            Assert.That(hook["command"]!.GetValue<string>(), Is.EqualTo(GeminiExtension.HookCommand));
            Assert.That(hook["timeout"]!.GetValue<long>(), Is.EqualTo(3000), "milliseconds, a second above the hook's own limit");
            Assert.That(GeminiExtension.HookCommand, Does.Not.Contain("${"), "Gemini fills ${...} in extension files itself");

            Assert.That(GeminiExtension.Install(directory, TimeSpan.FromSeconds(5)), Is.True, "a changed timeout rewrites the hooks");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(directory)!)!)!, recursive: true);
        }
    }
}
