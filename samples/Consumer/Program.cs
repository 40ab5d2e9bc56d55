// A brand-new console app that uses the Executors package: `dotnet new console`, one PackageReference,
// and this file. It submits to a ThreadPoolExecutor and a ProcessPoolExecutor, prints the results,
// and exits with 1 if any of them is wrong. .ci/run runs it with `dotnet run` and from a publish folder.
using System.Reflection;
using Executors;

TimeSpan timeout = TimeSpan.FromMinutes(2);
int failures = 0;

// The package's own version, so that a run shows which build of Executors it got.
string? version = typeof(IExecutor).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
Console.WriteLine($"Executors {version?.Split('+')[0]}");
Console.WriteLine($"worker host beside the app: {File.Exists(Path.Combine(AppContext.BaseDirectory, "Executors.Worker.dll"))}");

using (var threads = new ThreadPoolExecutor(maxWorkers: 4))
{
    int answer = threads.Submit(() => 6 * 7).GetResult(timeout);
    int[] squares = [.. threads.Map(x => x * x, Enumerable.Range(1, 5))];
    Check("thread pool Submit", answer, 42);
    Check("thread pool Map", string.Join(' ', squares), "1 4 9 16 25");
}

using (var processes = new ProcessPoolExecutor(maxWorkers: 2))
{
    int offset = 40;
    int sum = processes.Submit(x => x + offset, 2).GetResult(timeout);            // a lambda with a captured variable
    long[] sums = [.. processes.Map(SumOfSquares, [10L, 100L, 1000L], chunkSize: 2)]; // a method of this app, in chunks
    int workerPid = processes.Submit(static () => Environment.ProcessId).GetResult(timeout);
    Exception? error = processes.Submit(static () => int.Parse("not a number", System.Globalization.CultureInfo.InvariantCulture)).GetException(timeout);
    Check("process pool Submit", sum, 42);
    Check("process pool Map", string.Join(' ', sums), "385 338350 333833500");
    Check("process pool worker is another process", workerPid != Environment.ProcessId, true);
    Check("process pool error", error?.GetType().Name, nameof(FormatException));
}

Console.WriteLine(failures == 0 ? "consumer: all results as expected" : $"consumer: {failures} unexpected result(s)");
return failures == 0 ? 0 : 1;

// Runs in a worker process: the worker loads this app's own assembly, from the app's folder.
static long SumOfSquares(long n)
{
    long total = 0;
    for (long i = 1; i <= n; i++)
    {
        total += i * i;
    }

    return total;
}

void Check<T>(string what, T actual, T expected)
{
    bool ok = EqualityComparer<T>.Default.Equals(actual, expected);
    failures += ok ? 0 : 1;
    Console.WriteLine($"{what}: {actual}{(ok ? string.Empty : $"   <-- expected {expected}")}");
}
