// Seed row "Pure Python CPU-bound -> ProcessPoolExecutor".
// Run it with:  dotnet run -c Release --project samples/CpuBoundWithProcesses
using Samples.CpuBound;
using Samples.Shared;

MachineReport.Write(Console.Out);
CpuBoundDemo.Run(RunSize.Full, Console.Out);
