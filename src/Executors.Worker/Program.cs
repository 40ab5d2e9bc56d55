// The worker process of ProcessPoolExecutor. All of its logic lives in the Executors assembly
// (src/Executors/ProcessPool/Worker), where it is tested; this file only hands over the arguments.
//
// It finds the internal WorkerEntryPoint by name rather than through a compile-time reference:
// Executors references this project (to carry Executors.Worker.dll in its build output and its
// package, docs/design/0007), so a reference back would be a cycle. The parent starts this program
// with the app's own deps.json, which lists Executors.dll: the name resolves to the app's copy.
using System.Reflection;

const string EntryPointType = "Executors.ProcessPool.Worker.WorkerEntryPoint, Executors";

MethodInfo? run = Type.GetType(EntryPointType, throwOnError: false)?
    .GetMethod("Run", BindingFlags.Public | BindingFlags.Static, [typeof(string[])]);
if (run is null)
{
    Console.Error.WriteLine(
        $"Executors.Worker: '{EntryPointType}' was not found. This program is started by ProcessPoolExecutor "
        + "with the application's deps.json, which must list Executors.dll; it cannot be run by hand.");
    return 70;
}

return run.CreateDelegate<Func<string[], int>>()(args);
