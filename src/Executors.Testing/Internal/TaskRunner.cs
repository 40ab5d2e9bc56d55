namespace Executors.Testing.Internal;

/// <summary>
/// Runs one submitted callable against its future, the way the real executors' work items do: mark
/// the future running (or skip it if it was canceled), invoke, then finish it with the result or the
/// exception. Only public <see cref="Future"/> API is used.
/// </summary>
internal static class TaskRunner
{
    /// <summary>Moves a pending future to running.</summary>
    /// <param name="future">The future of the task about to run.</param>
    /// <returns><see langword="false"/> if the future was canceled, or finished by hand while it waited: the task must not run.</returns>
    public static bool TryStart(Future future)
    {
        try
        {
            return future.SetRunningOrNotifyCancel();
        }
        catch (InvalidStateException)
        {
            // Somebody called SetResult/SetException on the pending future: it has its outcome already.
            return false;
        }
    }

    /// <summary>Invokes <paramref name="fn"/> and finishes the running <paramref name="future"/> with its outcome.</summary>
    public static void Complete<TResult>(Future<TResult> future, Func<TResult> fn)
    {
        TResult result;
        try
        {
            result = fn();
        }
        catch (Exception ex)
        {
            Fail(future, ex);
            return;
        }

        Succeed(future, result);
    }

    /// <summary>Invokes <c>fn(arg)</c> and finishes the running <paramref name="future"/> with its outcome.</summary>
    public static void Complete<T, TResult>(Future<TResult> future, Func<T, TResult> fn, T arg)
    {
        TResult result;
        try
        {
            result = fn(arg);
        }
        catch (Exception ex)
        {
            Fail(future, ex);
            return;
        }

        Succeed(future, result);
    }

    /// <summary>Invokes <paramref name="fn"/> and finishes the running value-less <paramref name="future"/>.</summary>
    public static void Complete(Future<object?> future, Action fn)
    {
        try
        {
            fn();
        }
        catch (Exception ex)
        {
            Fail(future, ex);
            return;
        }

        Succeed(future, null);
    }

    private static void Succeed<TResult>(Future<TResult> future, TResult result)
    {
        try
        {
            future.SetResult(result);
        }
        catch (InvalidStateException)
        {
            // Finished by hand while running; the real executors ignore their own late outcome too.
        }
    }

    private static void Fail(Future future, Exception exception)
    {
        try
        {
            future.SetException(exception);
        }
        catch (InvalidStateException)
        {
            // As above.
        }
    }
}
