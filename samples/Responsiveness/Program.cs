// Seed row "GUI / server responsiveness -> ThreadPoolExecutor".
// Run it with:  dotnet run -c Release --project samples/Responsiveness
using Samples.Responsiveness;
using Samples.Shared;

MachineReport.Write(Console.Out);
ResponsivenessDemo.Run(RunSize.Full, Console.Out);
