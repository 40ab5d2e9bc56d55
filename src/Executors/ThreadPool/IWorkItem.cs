namespace Executors;

/// <summary>A queued unit of work of the thread pool. Each work item is also the future it completes, so a submission allocates one object.</summary>
internal interface IWorkItem
{
    /// <summary>Gets the future this work item completes.</summary>
    Future Future { get; }

    /// <summary>Runs the work on the current thread unless the future was canceled, and completes the future. Never throws.</summary>
    void Execute();
}
