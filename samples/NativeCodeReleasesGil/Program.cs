// Seed row "C-extension heavy (NumPy, Torch) -> ThreadPoolExecutor".
// Run it with:  dotnet run -c Release --project samples/NativeCodeReleasesGil
using Samples.NativeCode;
using Samples.Shared;

MachineReport.Write(Console.Out);
NativeCodeDemo.Run(RunSize.Full, Console.Out);
