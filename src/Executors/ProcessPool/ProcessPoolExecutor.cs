using Executors.Internal;
using Executors.ProcessPool.Protocol;
using Executors.ProcessPool.Serialization;
using Executors.ProcessPool.Supervision;
using MessagePack;

namespace Executors;

/// <summary>
/// Runs submitted work in worker <em>processes</em> (CPython's <c>concurrent.futures.ProcessPoolExecutor</c>):
/// each worker is a separate .NET process with its own runtime, so CPU-bound work runs in parallel
/// and a crash stays in its process. Tasks and results travel as MessagePack over anonymous pipes.
/// </summary>
/// <remarks>
/// <para>
/// What can be submitted: static methods, lambdas that capture nothing, lambdas whose captured
/// variables serialize, and instance methods of serializable objects. Arguments and results are
/// serialized by their declared types. A callable or argument that cannot be shipped fails at
/// <c>Submit</c> with an <see cref="ArgumentException"/> that names it.
/// </para>
/// <para>
/// Workers start on demand, up to <see cref="MaxWorkers"/>. A worker that dies fails only the tasks
/// it was running (with <see cref="BrokenProcessPoolException"/>) and is replaced; unlike CPython the
/// pool stays usable. See <c>docs/process-pool.md</c> for deployment and limits.
/// </para>
/// <para>All members are thread-safe.</para>
/// </remarks>
public sealed class ProcessPoolExecutor : IExecutor
{
    private readonly WorkerSupervisor _supervisor;

    /// <summary>Initializes a new instance of the <see cref="ProcessPoolExecutor"/> class.</summary>
    /// <param name="maxWorkers">The maximum number of worker processes; <see langword="null"/> for <see cref="Environment.ProcessorCount"/>.</param>
    /// <param name="maxTasksPerChild">Tasks a worker runs before it is replaced; <see langword="null"/> to keep workers.</param>
    /// <param name="initializer">A shippable callable each worker runs once before its first task; if it throws, the pool becomes broken.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> or <paramref name="maxTasksPerChild"/> is 0 or negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="initializer"/> cannot be shipped to a worker process.</exception>
    /// <exception cref="PlatformNotSupportedException">This application cannot start worker processes (single-file, native AOT, no <c>dotnet</c> host); the message says why.</exception>
    public ProcessPoolExecutor(int? maxWorkers = null, int? maxTasksPerChild = null, Action? initializer = null)
        : this(CreateOptions(maxWorkers, maxTasksPerChild, initializer))
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ProcessPoolExecutor"/> class from options, which are copied.</summary>
    /// <param name="options">The options; later changes to them have no effect on this executor.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The initializer cannot be shipped to a worker process.</exception>
    /// <exception cref="PlatformNotSupportedException">This application cannot start worker processes; the message says why.</exception>
    public ProcessPoolExecutor(ProcessPoolExecutorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        MaxWorkers = options.MaxWorkers ?? ProcessPoolConstants.DefaultMaxWorkers;
        byte[]? initializer = options.Initializer is { } init ? SerializeInitializer(init) : null;
        WorkerLauncher launcher = options.WorkerGil is { } workerGil
            ? WorkerLauncher.Current.WithExtraArguments(WorkerGilArguments.Switch, WorkerGilArguments.Format(workerGil))
            : WorkerLauncher.Current;
        _supervisor = new WorkerSupervisor(
            launcher,
            MaxWorkers,
            options.MaxTasksPerChild ?? ProcessPoolConstants.DefaultMaxTasksPerChild,
            options.WorkerStartTimeout,
            initializer);
    }

    /// <summary>Gets the maximum number of worker processes.</summary>
    public int MaxWorkers { get; }

    /// <summary>Gets the live worker processes, for tests and diagnostics.</summary>
    internal IReadOnlyList<System.Diagnostics.Process> WorkerProcesses =>
        [.. _supervisor.Workers.Select(w => w.Process).OfType<System.Diagnostics.Process>()];

    /// <summary>Gets how many unstarted calls were revoked from a busy worker for an idle one so far, for tests and diagnostics.</summary>
    internal int RevokesSent => _supervisor.RevokesSent;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="fn"/> cannot be shipped to a worker process.</exception>
    public Future<TResult> Submit<TResult>(Func<TResult> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        CallablePlan plan = CallablePlan.ForDelegate(fn, nameof(fn));
        OutgoingFrame frame = BuildFrame(plan, fn.Target, nameof(fn), 0, default(int), nameof(fn));
        return Schedule(new RemoteCall<TResult>(frame, plan.ReturnType));
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="fn"/> or <paramref name="arg"/> cannot be shipped to a worker process.</exception>
    public Future<TResult> Submit<T, TResult>(Func<T, TResult> fn, T arg)
    {
        ArgumentNullException.ThrowIfNull(fn);
        CallablePlan plan = CallablePlan.ForDelegate(fn, nameof(fn));
        OutgoingFrame frame = BuildFrame(plan, fn.Target, nameof(fn), 1, arg, nameof(arg));
        return Schedule(new RemoteCall<TResult>(frame, plan.ReturnType));
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="fn"/> cannot be shipped to a worker process.</exception>
    public Future Submit(Action fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        CallablePlan plan = CallablePlan.ForDelegate(fn, nameof(fn));
        OutgoingFrame frame = BuildFrame(plan, fn.Target, nameof(fn), 0, default(int), nameof(fn));
        return Schedule(new RemoteActionCall(frame));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// With <paramref name="chunkSize"/> greater than 1, items travel to the workers in chunks of that
    /// size, one message each (and <paramref name="bufferSize"/> counts chunks); each item still
    /// succeeds or fails on its own.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="fn"/> cannot be shipped to a worker process.</exception>
    public IEnumerable<TResult> Map<T, TResult>(
        Func<T, TResult> fn,
        IEnumerable<T> items,
        TimeSpan? timeout = null,
        int chunkSize = 1,
        int? bufferSize = null)
    {
        Deadline deadline = MapResults<T, TResult>.ValidateCall(fn, items, timeout, chunkSize, bufferSize);
        CallablePlan plan = CallablePlan.ForDelegate(fn, nameof(fn));
        _supervisor.ThrowIfNotAccepting(this);
        if (chunkSize == 1)
        {
            return MapResults<T, TResult>.Start(item => Submit(fn, item), items, deadline, bufferSize);
        }

        object? target = fn.Target;
        bool first = true;
        var chunks = MapResults<T[], ItemOutcome<TResult>[]>.Start(
            chunk =>
            {
                bool serializeNow = first;
                first = false;
                return SubmitChunk<T, TResult>(plan, target, chunk, serializeNow);
            },
            MapChunks.Of(items, chunkSize),
            deadline,
            bufferSize);
        return new ChunkedMapResults<T, TResult>(chunks);
    }

    /// <inheritdoc/>
    public void Shutdown(bool wait = true, bool cancelFutures = false)
    {
        _supervisor.Shutdown(cancelFutures);

        // From a done-callback the current thread is a worker's reader: waiting there for the
        // workers to exit would wait for itself (CPython raises "cannot join current thread").
        if (wait && !WorkerProcess.IsCurrentThreadAReader)
        {
            _supervisor.WaitForWorkers();
        }
    }

    /// <summary>
    /// Stops every worker process now with a graceful signal (SIGTERM; on Windows, termination), after
    /// shutting the executor down and canceling the work not yet sent (CPython 3.14's <c>terminate_workers</c>).
    /// Tasks that were running fail with <see cref="BrokenProcessPoolException"/>.
    /// </summary>
    public void TerminateWorkers()
    {
        Shutdown(wait: false, cancelFutures: true);
        _supervisor.SignalAll(kill: false);
    }

    /// <summary>
    /// Kills every worker process now (SIGKILL), after shutting the executor down and canceling the
    /// work not yet sent (CPython 3.14's <c>kill_workers</c>). Tasks that were running fail with
    /// <see cref="BrokenProcessPoolException"/>.
    /// </summary>
    public void KillWorkers()
    {
        Shutdown(wait: false, cancelFutures: true);
        _supervisor.SignalAll(kill: true);
    }

    /// <summary>Shuts the executor down and blocks until all its work is done and its workers have exited: <c>Shutdown(wait: true)</c>.</summary>
    public void Dispose() => Shutdown(wait: true);

    /// <summary>Shuts the executor down and completes when all its work is done and its worker processes have exited, without blocking a thread.</summary>
    /// <returns>A task that completes when every worker has exited.</returns>
    public ValueTask DisposeAsync()
    {
        Shutdown(wait: false);
        return new ValueTask(_supervisor.AllExited);
    }

    private static ProcessPoolExecutorOptions CreateOptions(int? maxWorkers, int? maxTasksPerChild, Action? initializer)
    {
        // Validate here so that the exception names this constructor's parameter, not the option's setter.
        if (maxWorkers is { } workers && workers <= 0)
        {
            ThrowHelper.ThrowMaxWorkersOutOfRange(workers, nameof(maxWorkers));
        }

        if (maxTasksPerChild is { } tasks && tasks <= 0)
        {
            ThrowHelper.ThrowMaxTasksPerChildOutOfRange(tasks, nameof(maxTasksPerChild));
        }

        return new ProcessPoolExecutorOptions { MaxWorkers = maxWorkers, MaxTasksPerChild = maxTasksPerChild, Initializer = initializer };
    }

    private static byte[] SerializeInitializer(Action initializer)
    {
        CallablePlan plan = CallablePlan.ForDelegate(initializer, nameof(initializer));
        OutgoingFrame frame = BuildFrame(plan, initializer.Target, nameof(initializer), 0, default(int), nameof(initializer));
        try
        {
            return frame.Payload.ToArray();
        }
        finally
        {
            OutgoingFramePool.Return(frame);
        }
    }

    /// <summary>Serializes a call into a pooled frame, on the caller's thread: what cannot be shipped fails here.</summary>
    private static OutgoingFrame BuildFrame<TArg>(CallablePlan plan, object? target, string fnName, int argumentCount, TArg argument, string argName)
    {
        OutgoingFrame frame = OutgoingFramePool.Rent();
        try
        {
            var writer = new MessagePackWriter(frame);
            TaskEnvelope.WriteCallable(ref writer, plan, target, argumentCount, fnName);
            if (argumentCount == 1)
            {
                TaskEnvelope.WriteLastArgument(ref writer, frame, plan.ParameterTypes[0], argument, argName);
            }

            writer.Flush();
            return frame;
        }
        catch
        {
            OutgoingFramePool.Return(frame);
            throw;
        }
    }

    /// <summary>
    /// Submits one Map chunk. Its items are serialized when it is dispatched to a worker, so that only
    /// the chunks on their way hold a frame (docs/design/0005). What can be checked without serializing
    /// is checked here, at the call, once: every item's runtime type against the declared one (the
    /// chunk does not check it again when it serializes); the first chunk is serialized at once, so a
    /// type that cannot be serialized at all fails at the call too.
    /// </summary>
    private Future<ItemOutcome<TResult>[]> SubmitChunk<T, TResult>(CallablePlan plan, object? target, T[] chunk, bool serializeNow)
    {
        TaskEnvelope.CheckArguments(plan.ParameterTypes[0], chunk, "items");
        var call = new RemoteChunkCall<T, TResult>(plan, target, chunk);
        if (serializeNow)
        {
            call.PrepareFrame();
        }

        return Schedule(call);
    }

    private TFuture Schedule<TFuture>(TFuture call)
        where TFuture : IRemoteCall
    {
        try
        {
            _supervisor.Submit(call, this);
        }
        catch
        {
            call.ReleaseFrame();
            throw;
        }

        return call;
    }
}
