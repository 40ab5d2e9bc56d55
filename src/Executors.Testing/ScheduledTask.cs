using System.Globalization;

namespace Executors.Testing;

/// <summary>
/// A task submitted to a <see cref="ManualExecutor"/> or a <see cref="SeededExecutor"/>: its submission
/// number, a description for humans, and its future. <see cref="ManualExecutor.Pending"/> lists the
/// tasks still waiting; <see cref="SeededExecutor.History"/> the ones run, in the order they started.
/// </summary>
/// <remarks>All members are thread-safe.</remarks>
public sealed class ScheduledTask
{
    /// <summary>Invokes the callable and finishes the future; cleared once taken, so that a history keeps no closures alive.</summary>
    private Action? _body;

    internal ScheduledTask(int id, string description, Future future, Action body)
    {
        Id = id;
        Description = description;
        Future = future;
        _body = body;
    }

    /// <summary>Gets the submission number: 0 for the executor's first task, then 1, 2, ... in the order <c>Submit</c> was called.</summary>
    public int Id { get; }

    /// <summary>
    /// Gets a description of the task: how it was submitted (<c>Submit</c> or <c>Map[i]</c>) and the
    /// method it runs, with its argument. A lambda is named after the method that contains it.
    /// </summary>
    public string Description { get; }

    /// <summary>Gets the future of the task, as <c>Submit</c> returned it.</summary>
    public Future Future { get; }

    /// <summary>Returns <c>#Id Description</c>.</summary>
    /// <returns>The text, for example <c>#3 Submit CacheTests.Refresh_Race lambda</c>.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"#{Id} {Description}");

    /// <summary>Runs the task's body once; its future is already running.</summary>
    internal void Run() => Interlocked.Exchange(ref _body, null)?.Invoke();
}
