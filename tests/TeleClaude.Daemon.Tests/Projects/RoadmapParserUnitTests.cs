using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Projects;

namespace TeleClaude.Daemon.Tests.Projects;

[TestFixture]
internal sealed class RoadmapParserUnitTests
{
    private static readonly Func<string, bool> NoFiles = _ => false;
    private static readonly string[] BeforeAndAfter = ["before", "after"];

    [Test]
    public void Parse_ReturnsEachStatus_WhenItemsUseTheThreeMarkers()
    {
        var todos = RoadmapParser.Parse("- [ ] a\n- [.] b\n- [>] c\n", NoFiles);

        Assert.That(todos, Is.EqualTo(new[]
        {
            new TodoInfo("a", TodoStatus.Pending, "", false, false),
            new TodoInfo("b", TodoStatus.Ready, "", false, false),
            new TodoInfo("c", TodoStatus.InProgress, "", false, false),
        }));
    }

    [Test]
    public void Parse_JoinsIndentedLinesWithNewline_WhenAnItemHasADescription()
    {
        var todos = RoadmapParser.Parse("- [ ] a\n  first line\n\tsecond line  \n- [.] b\n    only line\n", NoFiles);

        Assert.That(todos.Select(t => (t.Slug, t.Description)), Is.EqualTo(new[]
        {
            ("a", "first line\nsecond line"),
            ("b", "only line"),
        }));
    }

    [Test]
    public void Parse_KeepsTheDescription_WhenBlankLinesSeparateItsLines()
    {
        var todos = RoadmapParser.Parse("- [ ] a\n  one\n\n  two\n", NoFiles);

        Assert.That(todos.Single().Description, Is.EqualTo("one\ntwo"));
    }

    [Test]
    public void Parse_StripsCarriageReturns_WhenInputUsesCrLf()
    {
        var todos = RoadmapParser.Parse("# Roadmap\r\n\r\n- [ ] a\r\n  desc one\r\n  desc two\r\n- [>] b\r\n", NoFiles);

        Assert.That(todos, Is.EqualTo(new[]
        {
            new TodoInfo("a", TodoStatus.Pending, "desc one\ndesc two", false, false),
            new TodoInfo("b", TodoStatus.InProgress, "", false, false),
        }));
    }

    [Test]
    public void Parse_SetsFileFlags_FromTheHasFileCallback()
    {
        var existing = new HashSet<string>(StringComparer.Ordinal)
        {
            "a/requirements.md",
            "b/implementation-plan.md",
            "c/requirements.md",
            "c/implementation-plan.md",
        };
        var asked = new List<string>();

        var todos = RoadmapParser.Parse("- [ ] a\n- [ ] b\n- [ ] c\n- [ ] d\n", path =>
        {
            asked.Add(path);
            return existing.Contains(path);
        });

        Assert.Multiple(() =>
        {
            Assert.That(todos.Select(t => (t.Slug, t.HasRequirements, t.HasImplPlan)), Is.EqualTo(new[]
            {
                ("a", true, false),
                ("b", false, true),
                ("c", true, true),
                ("d", false, false),
            }));
            Assert.That(asked, Does.Contain("d/requirements.md").And.Contain("d/implementation-plan.md"));
        });
    }

    [TestCase("- [x] bad")]
    [TestCase("-[ ] nospace")]
    [TestCase("- [ ]")]
    [TestCase("- [ ] ")]
    [TestCase("- [ ]    ")]
    [TestCase("- [] empty")]
    [TestCase("- [ ]no-space-after-bracket")]
    [TestCase("* [ ] star")]
    [TestCase("- [ ] with/slash")]
    [TestCase("- [ ] ../escape")]
    [TestCase("- [ ] ..")]
    [TestCase("- [ ] .hidden")]
    [TestCase("- [ ] has spaces")]
    [TestCase("- [ ] back\\slash")]
    [TestCase("- [ ] ümlaut")]
    [TestCase("# Heading")]
    [TestCase("Some prose about the roadmap.")]
    public void Parse_SkipsTheLine_WhenItIsNotAValidItem(string line)
    {
        var todos = RoadmapParser.Parse($"- [ ] before\n{line}\n- [.] after\n", NoFiles);

        Assert.That(todos.Select(t => t.Slug), Is.EqualTo(BeforeAndAfter));
    }

    [Test]
    public void Parse_RejectsSlug_WhenItIsLongerThan128Characters()
    {
        var todos = RoadmapParser.Parse($"- [ ] {new string('a', 129)}\n- [ ] {new string('b', 128)}\n", NoFiles);

        Assert.That(todos.Select(t => t.Slug), Is.EqualTo(new[] { new string('b', 128) }));
    }

    [Test]
    public void Parse_KeepsTheFirstEntry_WhenASlugIsDuplicated()
    {
        var todos = RoadmapParser.Parse("- [ ] a\n  first\n- [>] a\n  second\n- [.] b\n", NoFiles);

        Assert.That(todos, Is.EqualTo(new[]
        {
            new TodoInfo("a", TodoStatus.Pending, "first", false, false),
            new TodoInfo("b", TodoStatus.Ready, "", false, false),
        }));
    }

    [TestCase("")]
    [TestCase("\n\n")]
    [TestCase("\r\n")]
    [TestCase("# Roadmap\n\nNothing planned yet.\n")]
    public void Parse_ReturnsEmpty_WhenThereAreNoItems(string roadmap)
    {
        Assert.That(RoadmapParser.Parse(roadmap, NoFiles), Is.Empty);
    }

    [Test]
    public void Parse_DoesNotAttachIndentedLines_WhenTheyFollowAMalformedLine()
    {
        var todos = RoadmapParser.Parse("- [ ] a\n  mine\n- [x] bad\n  orphan of bad\n- [ ] b\n", NoFiles);

        Assert.That(todos, Is.EqualTo(new[]
        {
            new TodoInfo("a", TodoStatus.Pending, "mine", false, false),
            new TodoInfo("b", TodoStatus.Pending, "", false, false),
        }));
    }

    [Test]
    public void Parse_DoesNotAttachIndentedLines_WhenTheyFollowAnUnindentedProseLine()
    {
        var todos = RoadmapParser.Parse("- [ ] a\n  mine\nSome prose.\n  not a's\n", NoFiles);

        Assert.That(todos.Single().Description, Is.EqualTo("mine"));
    }

    [Test]
    public void Parse_DoesNotAttachIndentedLines_WhenTheyFollowADuplicateSlug()
    {
        var todos = RoadmapParser.Parse("- [ ] a\n- [ ] a\n  of the duplicate\n", NoFiles);

        Assert.That(todos.Single().Description, Is.Empty);
    }

    [Test]
    public void Parse_IgnoresIndentedLines_WhenNoItemPrecedesThem()
    {
        var todos = RoadmapParser.Parse("  stray\n- [ ] a\n", NoFiles);

        Assert.That(todos.Single(), Is.EqualTo(new TodoInfo("a", TodoStatus.Pending, "", false, false)));
    }

    [Test]
    public void Parse_TrimsTheSlug_WhenTheItemLineHasTrailingWhitespace()
    {
        var todos = RoadmapParser.Parse("- [ ] a   \t\n", NoFiles);

        Assert.That(todos.Single().Slug, Is.EqualTo("a"));
    }
}

[TestFixture]
internal sealed class ProjectCatalogUnitTests
{
    private string _root = "";

    [SetUp]
    public void SetUp()
    {
        _root = Path.Combine(Path.GetTempPath(), "teleclaude-catalog-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task ReadTodosAsync_ParsesRoadmapAndChecksFiles_WhenTheProjectHasTodos()
    {
        var project = Path.Combine(_root, "proj");
        Directory.CreateDirectory(Path.Combine(project, "todos", "alpha"));
        Directory.CreateDirectory(Path.Combine(project, "todos", "beta"));
        await File.WriteAllTextAsync(Path.Combine(project, "todos", "roadmap.md"), "# Roadmap\n\n- [ ] alpha\n  First thing.\n- [>] beta\n- [.] gamma\n");
        await File.WriteAllTextAsync(Path.Combine(project, "todos", "alpha", "requirements.md"), "reqs");
        await File.WriteAllTextAsync(Path.Combine(project, "todos", "beta", "implementation-plan.md"), "plan");
        var catalog = CreateCatalog(project);
        var info = catalog.Find(project);
        Assert.That(info, Is.Not.Null);

        var todos = await catalog.ReadTodosAsync(info!, CancellationToken.None);

        Assert.That(todos, Is.EqualTo(new[]
        {
            new TodoInfo("alpha", TodoStatus.Pending, "First thing.", true, false),
            new TodoInfo("beta", TodoStatus.InProgress, "", false, true),
            new TodoInfo("gamma", TodoStatus.Ready, "", false, false),
        }));
    }

    [Test]
    public async Task ReadTodosAsync_ReturnsEmpty_WhenTheRoadmapIsMissing()
    {
        var project = Path.Combine(_root, "bare");
        Directory.CreateDirectory(project);
        var catalog = CreateCatalog(project);

        var todos = await catalog.ReadTodosAsync(catalog.List().Single(), CancellationToken.None);

        Assert.That(todos, Is.Empty);
    }

    [Test]
    public async Task ReadTodosAsync_ReturnsEmpty_WhenTheTodosFolderExistsWithoutRoadmap()
    {
        var project = Path.Combine(_root, "no-roadmap");
        Directory.CreateDirectory(Path.Combine(project, "todos"));
        var catalog = CreateCatalog(project);

        var todos = await catalog.ReadTodosAsync(catalog.List().Single(), CancellationToken.None);

        Assert.That(todos, Is.Empty);
    }

    private static ProjectCatalog CreateCatalog(string projectPath) => new(
        Options.Create(new DaemonOptions
        {
            ComputerName = "local-pc",
            Projects = [new ProjectOptions { Path = projectPath, Description = "test project" }],
        }),
        NullLogger<ProjectCatalog>.Instance);
}
