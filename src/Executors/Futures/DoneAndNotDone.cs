namespace Executors;

/// <summary>The result of <see cref="Futures.Wait"/>: the distinct futures that were done, and those that were not.</summary>
/// <param name="Done">The futures that were finished or canceled when the wait returned.</param>
/// <param name="NotDone">The futures that were still pending or running when the wait returned.</param>
public sealed record DoneAndNotDone(IReadOnlySet<Future> Done, IReadOnlySet<Future> NotDone);
