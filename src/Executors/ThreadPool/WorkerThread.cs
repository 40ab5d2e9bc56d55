namespace Executors;

/// <summary>One named worker thread of a <see cref="ThreadPoolExecutor"/>: runs the initializer, then work items until told to exit.</summary>
internal sealed class WorkerThread
{
    private readonly ThreadPoolExecutor _owner;
    private readonly WorkQueue _queue;
    private readonly Action? _initializer;
    private readonly int _idleTimeoutMilliseconds;
    private readonly Func<GlobalInterpreterLock>? _gil;

    public WorkerThread(ThreadPoolExecutor owner, WorkQueue queue, string name, Action? initializer, int idleTimeoutMilliseconds, Func<GlobalInterpreterLock>? gil)
    {
        _owner = owner;
        _queue = queue;
        _initializer = initializer;
        _idleTimeoutMilliseconds = idleTimeoutMilliseconds;
        _gil = gil;

        // Background: an executor the application forgot to shut down must not keep the process alive.
        Thread = new Thread(Run) { IsBackground = true, Name = name };
    }

    /// <summary>Why <see cref="RunItems"/> returned.</summary>
    private enum Exit
    {
        InitializerFailed,
        QueueCompleted,
        Retired,
    }

    /// <summary>Gets the underlying thread.</summary>
    public Thread Thread { get; }

    public void Start() => Thread.Start();

    private void Run()
    {
        Exception? initializerFailure = null;
        Exit exit;
        if (_gil is null)
        {
            exit = RunItems(ref initializerFailure);
        }
        else
        {
            // E1 of the GIL model: the worker holds its emulated lock from before the initializer to
            // its exit, and gives it up only inside release scopes and while parked on the queue
            // (WorkQueue.Take parks through Blocking.Park, which releases it), as a CPython worker does.
            using GilHold hold = _gil().Acquire();
            exit = RunItems(ref initializerFailure);
        }

        // Reported after the lock is released: the executor's bookkeeping is not interpreted code.
        if (exit == Exit.InitializerFailed)
        {
            _owner.OnInitializerFailed(initializerFailure!);
        }

        if (exit != Exit.Retired)
        {
            _owner.OnWorkerExited(this);
        }
    }

    private Exit RunItems(ref Exception? initializerFailure)
    {
        if (_initializer is not null)
        {
            try
            {
                _initializer();
            }
            catch (Exception ex)
            {
                initializerFailure = ex;
                return Exit.InitializerFailed;
            }
        }

        bool holdsAvailableToken = false;
        while (true)
        {
            IWorkItem? item = _queue.Take(holdsAvailableToken, _idleTimeoutMilliseconds, out bool idleTimedOut);
            if (item is not null)
            {
                if (_gil is not null)
                {
                    // CPython checks the eval breaker at function entry (RESUME): a pending drop request
                    // is honoured between items even when the items themselves never checkpoint.
                    Gil.Checkpoint();
                }

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
                    return Exit.Retired;
                }

                continue;
            }

            return Exit.QueueCompleted;
        }
    }
}
