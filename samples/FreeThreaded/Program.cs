// Seed row "Shared memory, no GIL (future Python) -> ThreadPoolExecutor".
// Run it with:  dotnet run -c Release --project samples/FreeThreaded
using Samples.FreeThreaded;
using Samples.Shared;

MachineReport.Write(Console.Out);
FreeThreadedDemo.Run(RunSize.Full, Console.Out);
