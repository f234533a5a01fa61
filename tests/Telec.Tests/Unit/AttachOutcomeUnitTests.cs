using System.Text;
using Telec.Attach;

namespace Telec.Tests.Unit;

[TestFixture]
public sealed class AttachOutcomeUnitTests
{
    private static readonly AttachPlan Ssh = new(["ssh", "-t", "beta.lan", "tmux", "attach"], AttachMode.Foreground, Local: false);
    private static readonly AttachPlan Tmux = new(["tmux", "-L", "teleclaude", "attach", "-t", "tc-s1"], AttachMode.Foreground, Local: true);

    [Test]
    public void Describe_SaysBack_AfterADetach() =>
        Assert.That(new ForegroundResult(0, "noise").Describe("Fix bug", Tmux), Is.EqualTo("back from \"Fix bug\""));

    [Test]
    public void Describe_RepeatsTheCommandsOwnLastErrorLine_WhenItFailed() =>
        Assert.That(
            new ForegroundResult(255, "ssh: connect to host 127.0.0.1 port 9: Connection refused").Describe("Fix bug", Ssh),
            Is.EqualTo("\"Fix bug\": ssh ended with status 255: ssh: connect to host 127.0.0.1 port 9: Connection refused"));

    [Test]
    public void Describe_AsksWhetherTheHostIsReachable_WhenSshFailedSilently()
    {
        Assert.That(new ForegroundResult(255, null).Describe("Fix bug", Ssh), Is.EqualTo("\"Fix bug\": ssh ended with status 255 (is the host reachable?)"));
        Assert.That(new ForegroundResult(1, null).Describe("Fix bug", Tmux), Is.EqualTo("\"Fix bug\": tmux ended with status 1"));
    }

    [Test]
    public void ErrorTail_KeepsTheLastLineWithText_WithoutControlCharacters()
    {
        var tail = new ErrorTail();
        tail.Append(Encoding.UTF8.GetBytes("Warning: something\r\n\u001b[31mssh: connect to host x port 1: Connection refused\u001b[0m\r\n\r\n"));

        Assert.That(tail.LastLine, Is.EqualTo("ssh: connect to host x port 1: Connection refused"));
    }

    [Test]
    public async Task ErrorTail_CopiesEverythingThrough_AndKeepsOnlyItsEnd()
    {
        var tail = new ErrorTail();
        var written = new MemoryStream();
        var text = string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i}\n"));

        await tail.CopyAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), written);

        Assert.Multiple(() =>
        {
            Assert.That(Encoding.UTF8.GetString(written.ToArray()), Is.EqualTo(text), "the user still sees everything the command wrote");
            Assert.That(tail.LastLine, Is.EqualTo("line 1999"));
            Assert.That(new ErrorTail().LastLine, Is.Null);
        });
    }
}
