namespace Executors;

/// <summary>A queued unit of work of the thread pool. Each work item is also the future it completes, so a submission allocates one object.</summary>
internal interface IWorkItem
{
    /// <summary>Gets the future this work item completes.</summary>
    Future Future { get; }

    /// <summary>
    /// Runs the work on the current thread unless the future was canceled, and completes the future.
    /// Calls <see cref="WorkQueue.MarkWorkerAvailable"/> exactly once, just <em>before</em> completing the
    /// future: a caller woken by the completion may submit at once, and must find this worker counted
    /// as available, or it would start a thread for strictly sequential work. Never throws.
    /// </summary>
    /// <param name="queue">The queue of the worker that runs the item.</param>
    void Execute(WorkQueue queue);
}
