// Seed row "Heavy preprocessing -> ProcessPoolExecutor".
// Run it with:  dotnet run -c Release --project samples/HeavyPreprocessing
using Samples.Preprocessing;
using Samples.Shared;

MachineReport.Write(Console.Out);
HeavyPreprocessingDemo.Run(RunSize.Full, Console.Out);
