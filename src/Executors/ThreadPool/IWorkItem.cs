namespace Executors;

/// <summary>A queued unit of work of the thread pool. Each work item is also the future it completes, so a submission allocates one object.</summary>
internal interface IWorkItem
{
    /// <summary>Gets the future this work item completes.</summary>
    Future Future { get; }

    /// <summary>
    /// Runs the work on the current thread unless the future was canceled, and completes the future.
    /// Calls <see cref="WorkQueue.MarkWorkerAvailable"/> exactly once, through the future's completion
    /// (<see cref="IWorkerAvailability"/>): before waiters wake when the future has no done-callback (a
    /// caller woken by the completion may submit at once, and must find this worker counted as free,
    /// or it would start a thread for strictly sequential work), after the callbacks otherwise (they
    /// run on this worker, which is not free while they do). Never throws.
    /// </summary>
    /// <param name="queue">The queue of the worker that runs the item.</param>
    void Execute(WorkQueue queue);
}
