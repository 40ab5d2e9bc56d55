namespace Executors;

/// <summary>
/// Lets an executor's worker count itself as free at the right moment of a completion: before the
/// waiters of the future wake when the future has no done-callbacks (a woken submitter must find the
/// worker free), after the callbacks when it has some (they run on the worker, which is not free yet).
/// </summary>
internal interface IWorkerAvailability
{
    /// <summary>Counts the calling worker as free to take another item.</summary>
    void MarkWorkerAvailable();

    /// <summary>Takes back a <see cref="MarkWorkerAvailable"/> made too early (a done-callback appeared and will run on the worker).</summary>
    void MarkWorkerUnavailable();
}
