namespace TeleClaude.Contracts;

/// <summary>A roadmap item of a project (<c>todos/roadmap.md</c>).</summary>
/// <param name="Slug">The item's slug, also the name of its folder under <c>todos/</c>.</param>
/// <param name="Status">Where the item stands.</param>
/// <param name="Description">The indented lines that follow the item in the roadmap.</param>
/// <param name="HasRequirements">True when <c>todos/{slug}/requirements.md</c> exists.</param>
/// <param name="HasImplPlan">True when <c>todos/{slug}/implementation-plan.md</c> exists.</param>
public sealed record TodoInfo(string Slug, TodoStatus Status, string Description, bool HasRequirements, bool HasImplPlan);

/// <summary>Status of a roadmap item.</summary>
public enum TodoStatus
{
    /// <summary><c>- [ ] slug</c></summary>
    Pending,

    /// <summary><c>- [.] slug</c></summary>
    Ready,

    /// <summary><c>- [&gt;] slug</c></summary>
    InProgress,
}
