// Seed row "I/O-bound (network, disk) -> ThreadPoolExecutor or asyncio".
// Run it with:  dotnet run -c Release --project samples/IoBoundWithThreads
using Samples.IoBound;
using Samples.Shared;

MachineReport.Write(Console.Out);
await IoBoundDemo.RunAsync(RunSize.Full, Console.Out);
