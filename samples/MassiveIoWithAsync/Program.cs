// Seed row "Massive concurrency (I/O) -> asyncio".
// Run it with:  dotnet run -c Release --project samples/MassiveIoWithAsync
using Samples.MassiveIo;
using Samples.Shared;

MachineReport.Write(Console.Out);
await MassiveIoDemo.RunAsync(RunSize.Full, Console.Out);
