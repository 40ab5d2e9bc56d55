namespace Executors.Testing.Internal;

/// <summary>
/// Runs one submitted callable against its running future, the way the thread pool's work items do
/// (<c>CallableWorkItem</c>): invoke, then finish the future with the result or the exception unless
/// somebody finished it first. The caller has moved the future to running with
/// <see cref="Future.TrySetRunning"/>, and skips the task when that fails (canceled, or finished by hand).
/// </summary>
internal static class TaskRunner
{
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
            future.TrySetException(ex);
            return;
        }

        future.TrySetResult(result);
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
            future.TrySetException(ex);
            return;
        }

        future.TrySetResult(result);
    }

    /// <summary>Invokes <paramref name="fn"/> and finishes the running value-less <paramref name="future"/>.</summary>
    public static void Complete(Future future, Action fn)
    {
        try
        {
            fn();
        }
        catch (Exception ex)
        {
            future.TrySetException(ex);
            return;
        }

        future.TrySetFinished();
    }
}
