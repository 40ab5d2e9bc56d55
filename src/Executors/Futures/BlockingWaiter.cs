namespace Executors;

/// <summary>A thread blocked in <see cref="Future{TResult}.GetResult()"/>-style waits: an event the completion sets.</summary>
/// <remarks>
/// Not disposed on purpose: the completing thread may set it after the waiter timed out and left.
/// A <see cref="ManualResetEventSlim"/> whose wait handle was never requested owns no OS resource.
/// </remarks>
internal sealed class BlockingWaiter : IFutureWaiter
{
    /// <summary>Gets the event set when the future is done.</summary>
    public ManualResetEventSlim Signal { get; } = new(initialState: false);

    public void OnFutureDone(Future future) => Signal.Set();
}
