using Executors.Tests.TestUtilities;

namespace Executors.Tests.ProcessPool;

public sealed class ProcessPoolShutdownTests
{
    [Fact]
    public void Shutdown_WaitFromADoneCallback_DoesNotDeadlock()
    {
        var executor = new ProcessPoolExecutor(maxWorkers: 1);
        var callbackReturned = new ManualResetEventSlim();
        Future<int> future = executor.Submit(static () => 1);
        future.AddDoneCallback(_ =>
        {
            executor.Shutdown(wait: true);
            callbackReturned.Set();
        });

        future.GetResult(TestTimeouts.Unexpected);
        bool returned = callbackReturned.Wait(TestTimeouts.Unexpected);
        Task dispose = Task.Run(executor.Dispose);
        bool disposed = dispose.Wait(TestTimeouts.Unexpected);

        Assert.True(returned, "Shutdown(wait: true) from a done-callback must return.");
        Assert.True(disposed, "The executor must finish shutting down after the callback returned.");
        Assert.Throws<ObjectDisposedException>(() => executor.Submit(static () => 2));
    }
}
