namespace Executors;

/// <summary>One named worker thread of a <see cref="ThreadPoolExecutor"/>: runs the initializer, then work items until told to exit.</summary>
internal sealed class WorkerThread
{
    private readonly ThreadPoolExecutor _owner;
    private readonly WorkQueue _queue;
    private readonly Action? _initializer;
    private readonly int _idleTimeoutMilliseconds;

    public WorkerThread(ThreadPoolExecutor owner, WorkQueue queue, string name, Action? initializer, int idleTimeoutMilliseconds)
    {
        _owner = owner;
        _queue = queue;
        _initializer = initializer;
        _idleTimeoutMilliseconds = idleTimeoutMilliseconds;

        // Background: an executor the application forgot to shut down must not keep the process alive.
        Thread = new Thread(Run) { IsBackground = true, Name = name };
    }

    /// <summary>Gets the underlying thread.</summary>
    public Thread Thread { get; }

    public void Start() => Thread.Start();

    private void Run()
    {
        if (_initializer is not null)
        {
            try
            {
                _initializer();
            }
            catch (Exception ex)
            {
                _owner.OnInitializerFailed(ex);
                _owner.OnWorkerExited(this);
                return;
            }
        }

        bool holdsAvailableToken = false;
        while (true)
        {
            IWorkItem? item = _queue.Take(holdsAvailableToken, _idleTimeoutMilliseconds, out bool idleTimedOut);
            if (item is not null)
            {
                item.Execute(_queue);
                holdsAvailableToken = true;
                continue;
            }

            holdsAvailableToken = false;

            if (idleTimedOut)
            {
                // The executor decides under its lock, against a concurrent Submit that may have
                // counted on this worker; if it refuses, there is work again.
                if (_owner.TryRetireIdleWorker(this))
                {
                    return;
                }

                continue;
            }

            _owner.OnWorkerExited(this);
            return;
        }
    }
}
